package sqlkit

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
)

// Bounds of one multi-row INSERT written by InsertRows. SQLite refuses
// more than 32766 bound parameters in a statement and PostgreSQL more than
// 65535; a statement also stays small enough to parse and plan quickly.
const (
	// MaxParams is the most bound parameters InsertRows puts in one
	// statement.
	MaxParams = 30000
	// MaxRows is the most rows InsertRows puts in one statement.
	MaxRows = 1000
)

// InsertRows inserts n rows of columns into table on db (a handle or a
// transaction) in as few multi-row INSERT statements built with b as
// MaxParams and MaxRows allow, none when n is 0; values(i) gives row i, in
// the order of columns. suffix, when not empty, ends every statement
// ("ON CONFLICT DO NOTHING").
func InsertRows(ctx context.Context, db sqlx.ExecerContext, b sq.StatementBuilderType, table string, columns []string,
	n int, values func(i int) []any, suffix string) error {
	per := min(MaxRows, MaxParams/len(columns))
	for lo := 0; lo < n; lo += per {
		ins := b.Insert(table).Columns(columns...)
		for i := lo; i < min(lo+per, n); i++ {
			ins = ins.Values(values(i)...)
		}
		if suffix != "" {
			ins = ins.Suffix(suffix)
		}
		if err := Exec(ctx, db, ins); err != nil {
			return err
		}
	}
	return nil
}

// In matches rows whose column is one of ids with a single bound
// parameter, whatever the number of ids, so that a batch of any size is
// one statement of one shape: column = ANY(array) on PostgreSQL, column IN
// (SELECT value FROM json_each(json array)) on SQLite. Both use the
// column's index. No ids match no row.
func (d Dialect) In(column string, ids []string) sq.Sqlizer {
	if ids == nil {
		ids = []string{}
	}
	if d == Postgres {
		return sq.Expr(column+" = ANY(?)", ids)
	}
	return sq.Expr(column+" IN (SELECT value FROM json_each(?))", JSON[[]string]{V: ids})
}
