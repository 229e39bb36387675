package sqlkit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"testing"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

func TestExecSelectGet(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx, w := withTable(t, db, `CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)
		b := w.Dialect.Builder()

		require.NoError(t, sqlkit.Exec(ctx, db, b.Insert("kv").Columns("k", "v").Values("a", 1).Values("b", 2)))
		n, err := sqlkit.ExecN(ctx, db, b.Update("kv").Set("v", sq.Expr("v + 10")))
		require.NoError(t, err)
		assert.EqualValues(t, 2, n, "rows changed")

		var vs []int
		require.NoError(t, sqlkit.Select(ctx, db, &vs, b.Select("v").From("kv").OrderBy("k")))
		assert.Equal(t, []int{11, 12}, vs)

		var v int
		require.NoError(t, sqlkit.Get(ctx, db, &v, b.Select("v").From("kv").Where(sq.Eq{"k": "b"})))
		assert.Equal(t, 12, v)
		err = sqlkit.Get(ctx, db, &v, b.Select("v").From("kv").Where(sq.Eq{"k": "missing"}))
		assert.ErrorIs(t, err, sql.ErrNoRows)

		// A transaction serves as well as the handle.
		require.NoError(t, w.InTx(ctx, func(tx *sqlx.Tx) error {
			return sqlkit.Exec(ctx, tx, b.Delete("kv").Where(sq.Eq{"k": "a"}))
		}))
		require.NoError(t, sqlkit.Select(ctx, db, &vs, b.Select("v").From("kv")))
		assert.Equal(t, []int{12}, vs)

		// A builder error comes back before anything runs.
		assert.Error(t, sqlkit.Exec(ctx, db, b.Insert("")))
	})
}

// withTable creates a table with ddl in db and returns db with its
// dialect.
func withTable(t *testing.T, db *sqlx.DB, ddl string) (context.Context, sqlkit.DB) {
	t.Helper()
	ctx := context.Background()
	w, err := sqlkit.Wrap(db)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, ddl)
	require.NoError(t, err)
	return ctx, w
}

func TestConvert(t *testing.T) {
	assert.Nil(t, sqlkit.Convert([]int{}, strconv.Itoa), "nil for no rows")
	assert.Nil(t, sqlkit.Convert(nil, strconv.Itoa))
	assert.Equal(t, []string{"1", "2"}, sqlkit.Convert([]int{1, 2}, strconv.Itoa))
}

func TestErrorHelpers(t *testing.T) {
	rules := []sqlkit.ConflictRule{
		{Words: []string{"nickname"}, What: "nickname taken"},
		{Words: []string{"licenses", "account"}, What: "one per account"},
	}
	for constraint, want := range map[string]string{
		"tenantry_accounts_nickname_key":                            "nickname taken",
		"tenantry_accounts.platform_id, tenantry_accounts.nickname": "nickname taken",
		"tenantry_licenses_one_active_per_account":                  "one per account",
		"tenantry_accounts_account_key":                             "already exists",
		"tenantry_accounts_nicknames_key":                           "already exists",
		"":                                                          "already exists",
	} {
		assert.Equal(t, want, sqlkit.NameConflict(constraint, rules...), constraint)
	}
	assert.True(t, sqlkit.HasWord("a_b.c d,e", "c"))
	assert.False(t, sqlkit.HasWord("abc", "b"))

	err := sqlkit.Errorf(errConflict, "id %q", "x")
	assert.ErrorIs(t, err, errConflict)
	assert.Equal(t, `conflict: id "x"`, err.Error())
	assert.True(t, sqlkit.IsAny(fmt.Errorf("wrapped: %w", errNotFound), errConflict, errNotFound))
	assert.False(t, sqlkit.IsAny(errors.New("other"), errConflict, errNotFound))
}
