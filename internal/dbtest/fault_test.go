package dbtest_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/dbtest"
)

func TestFaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, c *dbtest.Counter) {
		ctx := context.Background()
		plain := c.Plain(t)
		db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY)`)
		rows := func() int {
			var n int
			require.NoError(t, plain.Get(&n, `SELECT count(*) FROM t`))
			return n
		}
		// write inserts ids 1..3 in one transaction.
		write := func(base int) error {
			tx, err := db.BeginTxx(ctx, nil)
			require.NoError(t, err)
			for i := 1; i <= 3; i++ {
				if _, err := tx.ExecContext(ctx, db.Rebind(`INSERT INTO t (id) VALUES (?)`), base+i); err != nil {
					_ = tx.Rollback()
					return err
				}
			}
			return tx.Commit()
		}

		c.Reset()
		require.NoError(t, write(0))
		require.EqualValues(t, 3, c.Count())
		require.EqualValues(t, 1, c.Commits())
		require.Equal(t, 3, rows())
		require.Nil(t, c.Heal(), "nothing was armed")

		c.FailStatement(2, dbtest.Error)
		err := write(10)
		require.ErrorIs(t, err, dbtest.ErrInjected)
		fired := c.Heal()
		require.NotNil(t, fired)
		require.EqualValues(t, 2, fired.Statement)
		require.Contains(t, fired.Query, "INSERT")
		require.Equal(t, 3, rows(), "the transaction was rolled back")

		c.FailStatement(3, dbtest.DropConn)
		err = write(20)
		require.ErrorIs(t, err, driver.ErrBadConn)
		require.NotNil(t, c.Heal())
		require.Equal(t, 3, rows(), "the dropped connection's transaction was rolled back")
		require.NoError(t, write(30), "the pool goes on with another connection")
		require.Equal(t, 6, rows())

		c.FailStatement(1, dbtest.DropConn)
		_, err = db.ExecContext(ctx, `INSERT INTO t (id) VALUES (40)`)
		require.NoError(t, err, "database/sql runs a statement outside a transaction again on another connection")
		require.NotNil(t, c.Heal())
		require.Equal(t, 7, rows())

		for _, f := range []dbtest.Fault{dbtest.Error, dbtest.DropConn} {
			c.FailCommit(1, f)
			err = write(50)
			require.Error(t, err, f.String())
			require.NotNil(t, c.Heal())
			require.Equal(t, 7, rows(), "a failed commit (%s) commits nothing", f)
		}

		c.FailCommit(1, dbtest.LostCommit)
		err = write(60)
		require.ErrorIs(t, err, driver.ErrBadConn)
		require.NotNil(t, c.Heal())
		require.Equal(t, 10, rows(), "a lost commit is made, its reply lost")

		c.FailStatement(100, dbtest.Error)
		require.NoError(t, write(70))
		require.Nil(t, c.Heal(), "the armed statement never came")
		require.NoError(t, write(80), "disarmed")
		require.Equal(t, 16, rows())
		require.True(t, errors.Is(&dbtest.InjectedError{}, dbtest.ErrInjected))
	})
}
