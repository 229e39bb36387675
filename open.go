package tenantry

import (
	"context"
	"fmt"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tenantry/tenantry/internal/sqlkit"
)

// pingTimeout bounds the first connection made by OpenSQLite and
// OpenPostgres, so that an unreachable server fails the call instead of
// hanging it.
const pingTimeout = 30 * time.Second

// OpenSQLite opens (creating it if missing) the SQLite database file at path
// with the pure-Go driver "sqlite" (modernc.org/sqlite, no cgo), checks that
// it can be used, and returns it ready for the sqlstore packages.
//
// Every connection of the pool is set up the way tenantry's stores need:
//
//   - write-ahead logging (journal_mode=WAL), so readers do not block the
//     writer: pages keep loading while something is saved;
//   - busy_timeout=10000, so a connection that finds the database locked by
//     another one waits up to 10 seconds instead of failing with
//     "database is locked";
//   - foreign_keys=ON, which SQLite leaves off unless asked, on every
//     connection: the schema's REFERENCES are then enforced;
//   - synchronous=NORMAL, crash-safe with WAL and much faster than FULL;
//   - transactions that begin with BEGIN IMMEDIATE (_txlock=immediate), so
//     a transaction takes the write lock up front and two read-then-write
//     transactions never deadlock on upgrading their locks.
//
// path is a plain file path (not a "file:" URI); any file name works. Use a
// file, not ":memory:": each connection of the pool would get its own empty
// in-memory database. The caller closes the returned handle.
func OpenSQLite(path string) (*sqlx.DB, error) {
	return open("sqlite", sqlkit.SQLiteDSN(path), path)
}

// OpenPostgres opens a PostgreSQL database with the driver "pgx"
// (github.com/jackc/pgx/v5/stdlib), checks that it answers, and returns it
// ready for the sqlstore packages. dsn is a URL
// ("postgres://user:pass@host:5432/db?sslmode=disable") or a key=value
// string ("host=localhost user=postgres dbname=app"), as pgx reads them.
//
// PostgreSQL needs no per-connection settings: constraints are always
// enforced and concurrent writers are handled by the server. Tune the pool
// (SetMaxOpenConns, ...) on the returned handle to the server's
// max_connections when many processes share it. The caller closes the
// returned handle.
func OpenPostgres(dsn string) (*sqlx.DB, error) {
	return open("pgx", dsn, "postgres")
}

// open opens dsn with driver and pings it; what names the database in
// errors without revealing a password the DSN may hold.
func open(driver, dsn, what string) (*sqlx.DB, error) {
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("tenantry: open %s %s: %w", driver, what, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("tenantry: open %s %s: %w", driver, what, err)
	}
	return db, nil
}
