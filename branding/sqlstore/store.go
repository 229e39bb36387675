package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/sqlstorebase"
)

// Migrations holds the branding schema as numbered migrations, in folders
// "sqlite" and "postgres" of files NNNN_name.up.sql and NNNN_name.down.sql.
// Migrate applies them; hosts with their own migration tool may use them
// instead (after the audit sqlstore's migrations, whose table the branding
// transactions also write).
//
//go:embed sqlite/*.sql postgres/*.sql
var Migrations embed.FS

// line is the branding version line in the shared migrations table.
var line = sqlkit.Line{Name: "branding", FS: Migrations}

// Migrate brings the database up to date: first the audit line (the audit
// sqlstore's Migrate), then the branding line.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	if err := sqlstorebase.Migrate(ctx, db, line); err != nil {
		return fmt.Errorf("branding: sqlstore: %w", err)
	}
	return nil
}

// MigrateTo moves the branding line alone up or down to version (0 removes
// every branding table); the audit line is left as it is.
func MigrateTo(ctx context.Context, db *sqlx.DB, version int) error {
	if err := sqlkit.MigrateTo(ctx, db, line, version); err != nil {
		return fmt.Errorf("branding: sqlstore: migrate to %d: %w", version, err)
	}
	return nil
}

// Store is a branding.Store on one SQL database, and a
// branding.ChangeListener (see ListenChanges). It is safe for concurrent
// use, also by many processes sharing a PostgreSQL database.
type Store struct {
	base sqlstorebase.Base
	// lookupSQL is LookupHost's one statement, written once in the
	// dialect's placeholders.
	lookupSQL string
}

var (
	_ branding.Store          = (*Store)(nil)
	_ branding.ChangeListener = (*Store)(nil)
)

// New returns a Store on db, whose driver name chooses the dialect:
// "sqlite" (modernc.org/sqlite) or "pgx" (PostgreSQL). The schema must be
// migrated (Migrate) before use.
func New(db *sqlx.DB) (*Store, error) {
	b, err := sqlstorebase.NewBase(db)
	if err != nil {
		return nil, fmt.Errorf("branding: sqlstore: %w", err)
	}
	return &Store{base: b, lookupSQL: lookupSQL(b.DB.Dialect)}, nil
}

// Audit returns the audit store on the same database, which holds the
// events this Store writes.
func (s *Store) Audit() audit.Store { return s.base.Audit() }

// pg reports whether the database is PostgreSQL.
func (s *Store) pg() bool { return s.base.DB.Dialect == sqlkit.Postgres }

// tm converts t for a NOT NULL time column. The zero time is stored as
// itself (0001-01-01 UTC), not NULL, so that it reads back as the zero
// time and sorts first.
func (s *Store) tm(t time.Time) any {
	if t.IsZero() {
		if s.pg() {
			return time.Time{}
		}
		return time.Time{}.UnixMicro()
	}
	return s.base.DB.Dialect.Time(t)
}

// tmNull converts t for a nullable time column: NULL for the zero time.
func (s *Store) tmNull(t time.Time) any { return s.base.DB.Dialect.Time(t) }
