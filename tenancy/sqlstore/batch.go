package sqlstore

import (
	"context"
	"slices"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
)

// raw is a statement written by hand with '?' placeholders, rebound to the
// dialect's form.
type raw struct {
	d    sqlkit.Dialect
	sql  string
	args []any
}

// ToSql implements squirrel.Sqlizer.
func (r raw) ToSql() (string, []any, error) { return r.d.Rebind(r.sql), r.args, nil }

func (s *Store) raw(query string, args ...any) raw {
	return raw{d: s.base.DB.Dialect, sql: query, args: args}
}

// lockPlatform takes a row lock of mode ("FOR SHARE", "FOR NO KEY UPDATE")
// on the platform row on PostgreSQL; SQLite transactions already hold the
// database's write lock. Pool creation and allocations that find no pool
// meet there (see movePool).
func (s *Store) lockPlatform(ctx context.Context, tx *sqlx.Tx, platformID, mode string) error {
	if s.base.DB.Dialect != sqlkit.Postgres {
		return nil
	}
	var ids []string
	sel := s.base.Builder().Select("id").From(platformsTable).Where(sq.Eq{"id": platformID}).Suffix(mode)
	return sqlkit.Select(ctx, tx, &ids, sel)
}

// uniq returns ids sorted without repeats.
func uniq(ids []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}
