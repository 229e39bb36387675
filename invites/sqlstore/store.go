package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/sqlstorebase"
	"github.com/tenantry/tenantry/invites"
)

// Migrations holds the invites schema as numbered migrations, in folders
// "sqlite" and "postgres" of files NNNN_name.up.sql and NNNN_name.down.sql.
// Migrate applies them; hosts with their own migration tool may use them
// instead (after the audit sqlstore's migrations, whose table the invites
// transactions also write).
//
//go:embed sqlite/*.sql postgres/*.sql
var Migrations embed.FS

// line is the invites version line in the shared migrations table.
var line = sqlkit.Line{Name: "invites", FS: Migrations}

// Migrate brings the database up to date: first the audit line (the audit
// sqlstore's Migrate), then the invites line.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	if err := sqlstorebase.Migrate(ctx, db, line); err != nil {
		return fmt.Errorf("invites: sqlstore: %w", err)
	}
	return nil
}

// MigrateTo moves the invites line alone up or down to version (0 removes
// the invitations table); the audit line is left as it is.
func MigrateTo(ctx context.Context, db *sqlx.DB, version int) error {
	if err := sqlkit.MigrateTo(ctx, db, line, version); err != nil {
		return fmt.Errorf("invites: sqlstore: migrate to %d: %w", version, err)
	}
	return nil
}

// Store is an invites.Store on one SQL database. It is safe for concurrent
// use, also by many processes sharing a PostgreSQL database.
type Store struct {
	base sqlstorebase.Base
}

var _ invites.Store = (*Store)(nil)

// New returns a Store on db, whose driver name chooses the dialect:
// "sqlite" (modernc.org/sqlite) or "pgx" (PostgreSQL). The schema must be
// migrated (Migrate) before use.
func New(db *sqlx.DB) (*Store, error) {
	b, err := sqlstorebase.NewBase(db)
	if err != nil {
		return nil, fmt.Errorf("invites: sqlstore: %w", err)
	}
	return &Store{base: b}, nil
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
