package sqlstore

import (
	"context"
	"slices"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
)

// Bounds of one multi-row INSERT. SQLite refuses more than 32766 bound
// parameters in a statement and PostgreSQL more than 65535; a statement
// also stays small enough to parse and plan quickly.
const (
	maxParams = 30000
	maxRows   = 1000
)

// insertRows inserts n rows of columns into table in as few multi-row
// INSERT statements as the bounds allow; values(i) gives row i. suffix, when
// not empty, ends every statement ("ON CONFLICT DO NOTHING").
func insertRows(ctx context.Context, tx *sqlx.Tx, b sq.StatementBuilderType, table string, columns []string,
	n int, values func(i int) []any, suffix string) error {
	per := min(maxRows, maxParams/len(columns))
	for lo := 0; lo < n; lo += per {
		ins := b.Insert(table).Columns(columns...)
		for i := lo; i < min(lo+per, n); i++ {
			ins = ins.Values(values(i)...)
		}
		if suffix != "" {
			ins = ins.Suffix(suffix)
		}
		if err := exec(ctx, tx, ins); err != nil {
			return err
		}
	}
	return nil
}

// in matches rows whose column is one of ids with a single bound parameter,
// whatever the number of ids, so that a batch of any size is one statement
// of one shape: column = ANY(array) on PostgreSQL, column IN (SELECT value
// FROM json_each(json array)) on SQLite. Both use the column's index.
func (s *Store) in(column string, ids []string) sq.Sqlizer {
	if s.db.Dialect == sqlkit.Postgres {
		return sq.Expr(column+" = ANY(?)", orEmpty(ids))
	}
	return sq.Expr(column+" IN (SELECT value FROM json_each(?))", sqlkit.JSON[[]string]{V: orEmpty(ids)})
}

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
	return raw{d: s.db.Dialect, sql: query, args: args}
}

// lockPlatform takes a row lock of mode ("FOR SHARE", "FOR NO KEY UPDATE")
// on the platform row on PostgreSQL; SQLite transactions already hold the
// database's write lock. Pool creation and allocations that find no pool
// meet there (see movePool).
func (s *Store) lockPlatform(ctx context.Context, tx *sqlx.Tx, platformID, mode string) error {
	if s.db.Dialect != sqlkit.Postgres {
		return nil
	}
	var ids []string
	sel := s.sb().Select("id").From(platformsTable).Where(sq.Eq{"id": platformID}).Suffix(mode)
	return selectInto(ctx, tx, &ids, sel)
}

// uniq returns ids sorted without repeats.
func uniq(ids []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(ids)))
}
