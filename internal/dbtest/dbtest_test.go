package dbtest_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/dbtest"
)

func TestCounting(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		ctx := context.Background()
		require.Contains(t, []string{"sqlite", "pgx"}, db.DriverName(), "the real driver's name is kept")
		require.Zero(t, n.Count(), "opening and pinging run no statement")

		_, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
		require.NoError(t, err)
		require.EqualValues(t, 1, n.Count())

		n.Reset()
		require.Zero(t, n.Count())
		_, err = db.ExecContext(ctx, db.Rebind(`INSERT INTO t (id, name) VALUES (?, ?), (?, ?)`), 1, "a", 2, "b")
		require.NoError(t, err)
		var names []string
		require.NoError(t, db.SelectContext(ctx, &names, `SELECT name FROM t ORDER BY id`))
		require.Equal(t, []string{"a", "b"}, names)
		var count int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&count))
		require.Equal(t, 2, count)
		require.EqualValues(t, 3, n.Count(), "Exec, Query and QueryRow count one each")

		n.Reset()
		tx, err := db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		st, err := tx.PreparexContext(ctx, db.Rebind(`SELECT name FROM t WHERE id = ?`))
		require.NoError(t, err)
		require.Zero(t, n.Count(), "BEGIN and Prepare are not counted")
		for id := 1; id <= 2; id++ {
			var name string
			require.NoError(t, st.GetContext(ctx, &name, id))
		}
		require.NoError(t, st.Close())
		_, err = tx.ExecContext(ctx, db.Rebind(`UPDATE t SET name = ? WHERE id = ?`), "c", 1)
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
		require.EqualValues(t, 3, n.Count(), "each execution of a prepared statement counts; COMMIT does not")

		n.Reset()
		_, err = db.ExecContext(ctx, `INSERT INTO t (id, name) VALUES (1, 'dup')`)
		require.Error(t, err)
		require.EqualValues(t, 1, n.Count(), "a failing statement counts")
	})
}

// The real driver still sees its own argument types: pgx takes a Go slice
// as an array.
func TestDriverArgumentTypes(t *testing.T) {
	db, n := dbtest.Postgres(t)
	var got int
	require.NoError(t, db.Get(&got, `SELECT cardinality($1::text[])`, []string{"a", "b", "c"}))
	require.Equal(t, 3, got)
	require.EqualValues(t, 1, n.Count())
}
