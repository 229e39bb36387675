package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/sqlstorebase"
)

// Migrations holds the impersonation schema as numbered migrations, in
// folders "sqlite" and "postgres" of files NNNN_name.up.sql and
// NNNN_name.down.sql. Migrate applies them; hosts with their own migration
// tool may use them instead (after the audit sqlstore's migrations, whose
// table the impersonation transactions also write).
//
//go:embed sqlite/*.sql postgres/*.sql
var Migrations embed.FS

// line is the impersonation version line in the shared migrations table.
var line = sqlkit.Line{Name: "impersonation", FS: Migrations}

// Migrate brings the database up to date: first the audit line (the audit
// sqlstore's Migrate), then the impersonation line.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	if err := sqlstorebase.Migrate(ctx, db, line); err != nil {
		return fmt.Errorf("impersonation: sqlstore: %w", err)
	}
	return nil
}

// MigrateTo moves the impersonation line alone up or down to version (0
// removes the sessions table); the audit line is left as it is.
func MigrateTo(ctx context.Context, db *sqlx.DB, version int) error {
	if err := sqlkit.MigrateTo(ctx, db, line, version); err != nil {
		return fmt.Errorf("impersonation: sqlstore: migrate to %d: %w", version, err)
	}
	return nil
}

// Store is an impersonation.Store on one SQL database. It is safe for
// concurrent use, also by many processes sharing a PostgreSQL database.
type Store struct {
	base sqlstorebase.Base
	// getSQL and getByTokenSQL are the reads by key, written once in the
	// dialect's placeholders.
	getSQL, getByTokenSQL string
}

var _ impersonation.Store = (*Store)(nil)

// New returns a Store on db, whose driver name chooses the dialect:
// "sqlite" (modernc.org/sqlite) or "pgx" (PostgreSQL). The schema must be
// migrated (Migrate) before use.
func New(db *sqlx.DB) (*Store, error) {
	b, err := sqlstorebase.NewBase(db)
	if err != nil {
		return nil, fmt.Errorf("impersonation: sqlstore: %w", err)
	}
	sel := "SELECT " + strings.Join(columns, ", ") + " FROM " + table + " WHERE platform_id = ? AND "
	return &Store{
		base:          b,
		getSQL:        b.DB.Dialect.Rebind(sel + "id = ?"),
		getByTokenSQL: b.DB.Dialect.Rebind(sel + "token_hash = ?"),
	}, nil
}

// Audit returns the audit store on the same database, which holds the
// events this Store writes.
func (s *Store) Audit() audit.Store { return s.base.Audit() }

// tm converts t for a NOT NULL time column. The zero time is stored as
// itself (0001-01-01 UTC), not NULL, so that it reads back as the zero
// time and sorts first.
func (s *Store) tm(t time.Time) any {
	if t.IsZero() {
		if s.base.DB.Dialect == sqlkit.Postgres {
			return time.Time{}
		}
		return time.Time{}.UnixMicro()
	}
	return s.base.DB.Dialect.Time(t)
}

// tmNull converts t for a nullable time column: NULL for the zero time.
func (s *Store) tmNull(t time.Time) any { return s.base.DB.Dialect.Time(t) }
