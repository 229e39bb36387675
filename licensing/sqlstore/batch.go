package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
)

// Bounds of one multi-row INSERT. SQLite refuses more than 32766 bound
// parameters in a statement and PostgreSQL more than 65535.
const (
	maxParams = 30000
	maxRows   = 1000
)

// insertRows inserts n rows of columns into table in as few multi-row
// INSERT statements as the bounds allow (none when n is 0); values(i)
// gives row i.
func insertRows(ctx context.Context, tx *sqlx.Tx, b sq.StatementBuilderType, table string, columns []string,
	n int, values func(i int) []any) error {
	per := min(maxRows, maxParams/len(columns))
	for lo := 0; lo < n; lo += per {
		ins := b.Insert(table).Columns(columns...)
		for i := lo; i < min(lo+per, n); i++ {
			ins = ins.Values(values(i)...)
		}
		if err := exec(ctx, tx, ins); err != nil {
			return err
		}
	}
	return nil
}
