package sqlkit_test

import (
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

func TestInsertRowsAndIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, c *dbtest.Counter) {
		ctx, w := withTable(t, db, `CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL)`)
		b := w.Dialect.Builder()
		id := func(i int) string { return fmt.Sprintf("i%05d", i) }
		row := func(i int) []any { return []any{id(i), i} }

		c.Reset()
		require.NoError(t, sqlkit.InsertRows(ctx, db, b, "items", []string{"id", "n"}, 0, row, ""))
		assert.Zero(t, c.Count(), "no rows, no statement")

		c.Reset()
		n := 2*sqlkit.MaxRows + 1
		require.NoError(t, sqlkit.InsertRows(ctx, db, b, "items", []string{"id", "n"}, n, row, ""))
		assert.EqualValues(t, 3, c.Count(), "statements of at most MaxRows rows")
		var count int
		require.NoError(t, db.GetContext(ctx, &count, `SELECT COUNT(*) FROM items`))
		assert.Equal(t, n, count)

		// The suffix ends every statement.
		require.NoError(t, sqlkit.InsertRows(ctx, db, b, "items", []string{"id", "n"}, 3, row, "ON CONFLICT DO NOTHING"))
		err := sqlkit.InsertRows(ctx, db, b, "items", []string{"id", "n"}, 1, row, "")
		kind, _ := sqlkit.Classify(err)
		assert.Equal(t, sqlkit.KindUnique, kind)

		// In matches a list of any length, or none, with one parameter.
		for _, ids := range [][]string{nil, {}, {id(7)}, {id(1), id(2000), "missing"}} {
			var got []string
			require.NoError(t, sqlkit.Select(ctx, db, &got, b.Select("id").From("items").
				Where(w.Dialect.In("id", ids)).OrderBy("id")))
			var want []string
			for _, x := range ids {
				if x != "missing" {
					want = append(want, x)
				}
			}
			assert.Equal(t, want, got, "%v", ids)
			q, args, err := w.Dialect.In("id", ids).ToSql()
			require.NoError(t, err)
			assert.Len(t, args, 1, q)
		}
	})
}
