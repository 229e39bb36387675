package sqlstore

import (
	"context"
	"embed"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
)

// Migrations holds the schema of the audit store: a folder per dialect,
// sqlite/ and postgres/, of numbered NNNN_name.up.sql and
// NNNN_name.down.sql files. Migrate applies them; hosts that run their own
// migration tool can hand it these files instead.
//
//go:embed sqlite/*.sql postgres/*.sql
var Migrations embed.FS

// line is the audit version line in the migrations table.
var line = sqlkit.Line{Name: "audit", FS: Migrations}

// Migrate applies every audit migration db does not have yet.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return sqlkit.Migrate(ctx, db, line)
}

// MigrateTo moves the audit schema up or down to version (0 removes it).
func MigrateTo(ctx context.Context, db *sqlx.DB, version int) error {
	return sqlkit.MigrateTo(ctx, db, line, version)
}
