package sqlstorebase

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	auditsql "github.com/tenantry/tenantry/audit/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// Base is the part of a domain SQL store that is the same in every domain:
// the database with its dialect and the audit store on that database.
type Base struct {
	// DB is the wrapped handle with its dialect.
	DB sqlkit.DB
	// Events is the audit store on the same database, which holds the
	// events the domain store writes.
	Events *auditsql.Store
}

// NewBase returns a Base on db, whose driver name chooses the dialect:
// "sqlite" or "pgx". Errors carry no package prefix; the caller adds its
// own.
func NewBase(db *sqlx.DB) (Base, error) {
	w, err := sqlkit.Wrap(db)
	if err != nil {
		return Base{}, err
	}
	a, err := auditsql.New(db)
	if err != nil {
		return Base{}, fmt.Errorf("audit store: %w", err)
	}
	return Base{DB: w, Events: a}, nil
}

// Audit returns the audit store on the same database.
func (b Base) Audit() audit.Store { return b.Events }

// Builder returns a squirrel builder with the dialect's placeholders.
func (b Base) Builder() sq.StatementBuilderType { return b.DB.Dialect.Builder() }

// WriteEvents inserts events, in order, in tx through the audit store, so
// that they commit or roll back with the caller's change.
func (b Base) WriteEvents(ctx context.Context, tx *sqlx.Tx, events ...audit.Event) error {
	if err := b.Events.InsertTx(ctx, tx, events...); err != nil {
		return fmt.Errorf("write events: %w", err)
	}
	return nil
}

// Migrate brings the database up to date: first the audit line (the audit
// sqlstore's Migrate), then line. Errors carry no package prefix; the
// caller adds its own.
func Migrate(ctx context.Context, db *sqlx.DB, line sqlkit.Line) error {
	if err := auditsql.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate audit: %w", err)
	}
	if err := sqlkit.Migrate(ctx, db, line); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
