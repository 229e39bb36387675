package sqlkit_test

import (
	"context"
	"errors"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

// TestAtomic: two stores' transactions in one unit of work commit together
// or not at all, reads inside the unit see its writes, AfterCommit follows
// only a commit, and a nested Atomic joins the outer unit.
func TestAtomic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx, w := withTable(t, db, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
		other, err := sqlkit.Wrap(db) // a second store's handle on the same database
		require.NoError(t, err)
		b := w.Dialect.Builder()
		put := func(s sqlkit.DB, k string, v int) func(context.Context) error {
			return func(ctx context.Context) error {
				return s.InTx(ctx, func(tx *sqlx.Tx) error {
					return sqlkit.Exec(ctx, tx, b.Insert("kv").Columns("k", "v").Values(k, v))
				})
			}
		}
		count := func() int {
			var n int
			require.NoError(t, sqlkit.Get(ctx, w, &n, b.Select("COUNT(*)").From("kv")))
			return n
		}

		// Rolled back as a whole: the first store's committed-looking write
		// is undone by the second's failure.
		var ran []string
		boom := errors.New("boom")
		err = w.Atomic(ctx, func(ctx context.Context) error {
			sqlkit.AfterCommit(ctx, func() { ran = append(ran, "after rollback") })
			require.NoError(t, put(w, "a", 1)(ctx))
			var v int
			require.NoError(t, sqlkit.Get(ctx, other, &v, b.Select("v").From("kv").Where(sq.Eq{"k": "a"})), "the unit reads its own write")
			require.NoError(t, put(other, "b", 2)(ctx))
			return boom
		})
		require.ErrorIs(t, err, boom)
		assert.Zero(t, count(), "nothing of a failed unit is kept")
		assert.Empty(t, ran, "AfterCommit never runs for a rolled-back unit")

		// Committed as a whole, AfterCommit after the commit and in order.
		err = w.Atomic(ctx, func(ctx context.Context) error {
			sqlkit.AfterCommit(ctx, func() { ran = append(ran, "first") })
			if err := put(w, "a", 1)(ctx); err != nil {
				return err
			}
			return other.Atomic(ctx, func(ctx context.Context) error { // joins
				sqlkit.AfterCommit(ctx, func() { ran = append(ran, "second"); assert.Equal(t, 2, count(), "after the commit") })
				return put(other, "b", 2)(ctx)
			})
		})
		require.NoError(t, err)
		assert.Equal(t, 2, count())
		assert.Equal(t, []string{"first", "second"}, ran)

		// A store's transaction that fails inside a unit is undone alone
		// (a savepoint): the unit goes on, even on PostgreSQL after a
		// failed statement, and commits the rest.
		err = w.Atomic(ctx, func(ctx context.Context) error {
			dup := other.InTx(ctx, func(tx *sqlx.Tx) error {
				if err := sqlkit.Exec(ctx, tx, b.Insert("kv").Columns("k", "v").Values("c", 3)); err != nil {
					return err
				}
				return sqlkit.Exec(ctx, tx, b.Insert("kv").Columns("k", "v").Values("a", 9)) // "a" is taken
			})
			if dup == nil {
				return errors.New("a duplicate key was accepted")
			}
			return put(w, "d", 4)(ctx)
		})
		require.NoError(t, err)
		var keys []string
		require.NoError(t, sqlkit.Select(ctx, w, &keys, b.Select("k").From("kv").OrderBy("k")))
		assert.Equal(t, []string{"a", "b", "d"}, keys, "the failed store transaction left nothing, the unit kept the rest")
		_, err = w.ExecContext(ctx, w.Rebind("DELETE FROM kv WHERE k = ?"), "d")
		require.NoError(t, err)

		// Outside a unit AfterCommit runs at once, and statements use the pool.
		sqlkit.AfterCommit(ctx, func() { ran = append(ran, "now") })
		assert.Equal(t, "now", ran[len(ran)-1])
		_, err = w.ExecContext(ctx, w.Rebind("DELETE FROM kv WHERE k = ?"), "a")
		require.NoError(t, err)
		assert.Equal(t, 1, count())
	})
}
