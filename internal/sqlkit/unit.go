package sqlkit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// A unit of work is one transaction carried in a context: while it is open,
// every InTx on the same database handle joins it (in a savepoint) instead
// of beginning a transaction of its own, and every statement sent through
// a DB on that handle runs in it (so a read sees the unit's own writes, and
// SQLite, whose writer holds the one write lock, never waits on itself). It
// lets operations of several packages — a deletion and its cascade, an
// invitation's claim and its grant — commit or roll back as one. Like the
// transaction it holds, a unit serves one goroutine at a time.
type unit struct {
	db    *sqlx.DB
	tx    *sqlx.Tx
	after []func()
	depth int // of the savepoints open
}

type unitKey struct{}

// unitOf returns the unit ctx carries on db, or nil.
func unitOf(ctx context.Context, db *sqlx.DB) *unit {
	u, _ := ctx.Value(unitKey{}).(*unit)
	if u == nil || u.db != db {
		return nil
	}
	return u
}

// Atomic runs fn as one unit of work on db and commits it when fn returns
// nil, rolling it back otherwise. Stores on the same *sqlx.DB, called with
// the context fn receives, join the unit. Like InTx, a unit that fails with
// lock contention is retried from the start, so fn must be safe to run
// again; functions registered with AfterCommit run once, after the commit,
// in the order registered. Called inside a unit on the same handle, Atomic
// joins it.
func (db DB) Atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if unitOf(ctx, db.DB) != nil {
		return fn(ctx)
	}
	var u *unit
	err := Retry(ctx, func() error {
		u = &unit{db: db.DB}
		return db.tryTx(ctx, func(tx *sqlx.Tx) error {
			u.tx = tx
			return fn(context.WithValue(ctx, unitKey{}, u))
		})
	})
	if err != nil {
		return err
	}
	for _, f := range u.after {
		f()
	}
	return nil
}

// nested runs fn inside the unit, in a savepoint: a store's transaction
// that fails is undone alone, as it would be on its own, and the unit
// goes on if its caller handles the error (on PostgreSQL a failed
// statement would otherwise abort the whole unit).
func (u *unit) nested(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	u.depth++
	defer func() { u.depth-- }()
	name := fmt.Sprintf("tenantry_unit_%d", u.depth)
	if _, err := u.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return err
	}
	if err := fn(u.tx); err != nil {
		if _, rerr := u.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
		return err
	}
	_, err := u.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
	return err
}

// AfterCommit runs f once the unit of work ctx carries commits (and never
// if it rolls back), or at once when ctx carries none. Services use it for
// what must only follow a committed change: dropping a cache entry, calling
// a host's hook.
func AfterCommit(ctx context.Context, f func()) {
	if u, _ := ctx.Value(unitKey{}).(*unit); u != nil {
		u.after = append(u.after, f)
		return
	}
	f()
}

// The statement methods below shadow *sqlx.DB's: inside a unit of work on
// this handle they run in its transaction, outside it on the pool.

// ExecContext runs a statement that returns no rows.
func (db DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.tx.ExecContext(ctx, query, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs a query.
func (db DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.tx.QueryContext(ctx, query, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryxContext runs a query, returning sqlx rows.
func (db DB) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.tx.QueryxContext(ctx, query, args...)
	}
	return db.DB.QueryxContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (db DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.tx.QueryRowContext(ctx, query, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

// QueryRowxContext runs a query expected to return at most one row, as an
// sqlx row.
func (db DB) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.tx.QueryRowxContext(ctx, query, args...)
	}
	return db.DB.QueryRowxContext(ctx, query, args...)
}

// GetContext reads one row into dest.
func (db DB) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, db, dest, query, args...)
}

// SelectContext reads rows into dest, a slice.
func (db DB) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, db, dest, query, args...)
}
