package sqlkit

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
)

// Exec runs a statement built by squirrel on db (a handle or a
// transaction).
func Exec(ctx context.Context, db sqlx.ExecerContext, b sq.Sqlizer) error {
	_, err := ExecN(ctx, db, b)
	return err
}

// ExecN runs a statement built by squirrel on db (a handle or a
// transaction) and returns how many rows it changed.
func ExecN(ctx context.Context, db sqlx.ExecerContext, b sq.Sqlizer) (int64, error) {
	q, args, err := b.ToSql()
	if err != nil {
		return 0, err
	}
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Select runs a query built by squirrel on q and scans every row into
// dest, a pointer to a slice.
func Select(ctx context.Context, q sqlx.QueryerContext, dest any, b sq.Sqlizer) error {
	query, args, err := b.ToSql()
	if err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, q, dest, query, args...)
}

// Get runs a query built by squirrel on q and scans its one row into
// dest; sql.ErrNoRows when there is none.
func Get(ctx context.Context, q sqlx.QueryerContext, dest any, b sq.Sqlizer) error {
	query, args, err := b.ToSql()
	if err != nil {
		return err
	}
	return sqlx.GetContext(ctx, q, dest, query, args...)
}

// Convert maps scanned rows to domain values with fn; nil for no rows, as
// every tenantry store returns empty lists.
func Convert[R, T any](rows []R, fn func(R) T) []T {
	if len(rows) == 0 {
		return nil
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = fn(r)
	}
	return out
}
