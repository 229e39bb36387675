// Package sqlstore is the SQL implementation of licensing.Store, on SQLite
// (modernc.org/sqlite, driver name "sqlite") and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib, driver name "pgx"), chosen from the
// handle's driver name. It passes licensing/storetest on both.
//
// Its schema lives in embedded, numbered migrations (see Migrations) on
// the version line "licensing": run Migrate once at start-up (it migrates
// the audit line first), or apply Migrations with the host's own tool.
// Every table is keyed by platform_id first, so that a distributed
// PostgreSQL can shard by platform; no foreign key reaches another
// package's tables.
//
// Every method that changes something runs in one transaction together
// with the audit event it is given, written through the audit sqlstore on
// the same database. The store never reads the clock and never makes IDs.
//
// The invariants are the database's: at most one license stored active
// per account is a partial unique index on (platform_id, account_id) of
// the active, assigned licenses (a violation is licensing.ErrConflict); a credit balance changes only through one
// conditional statement (balance + delta >= 0) with CHECK (balance >= 0)
// as the backstop; an idempotency key is a unique (platform_id,
// account_id, idempotency_key), NULL for none.
//
// GateFacts, read on the gate's misses, is one statement: the license
// (stored active first, else the most recently updated), its plan and the
// account's overrides (as a JSON array), four index lookups.
//
// On PostgreSQL the Store is a licensing.ChangeListener across processes:
// every write that changes an account's gate facts runs pg_notify on
// Channel inside its transaction (delivered at commit), and ListenChanges
// LISTENs on a connection of the pool. On SQLite, a single-process
// database, it is one within the process only (see ListenChanges).
package sqlstore
