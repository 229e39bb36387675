// Package sqlstore is the SQL implementation of tenancy.Store, on SQLite
// (modernc.org/sqlite, driver name "sqlite") and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib, driver name "pgx"), chosen from the
// handle's driver name.
//
// Its schema lives in embedded, numbered migrations (see Migrations): run
// Migrate once at start-up, or apply Migrations with the host's own tool.
// Every table is keyed by platform_id so that a distributed PostgreSQL can
// shard by platform.
//
// Every method that changes something runs in one transaction together with
// the audit events it is given, written through the audit sqlstore on the
// same database, so a change and its history commit or roll back together.
// The store never reads the clock and never makes IDs: the tenancy Service
// computes every value first.
//
// Listings are built with squirrel, use keyset pagination on indexed
// orders, and read the tags of a page in one batched query. The per-row
// figures of a page (Figures, Allocations, Assignments) are one query each
// whatever the number of accounts: the IDs travel as one array parameter
// (= ANY on PostgreSQL, json_each on SQLite).
//
// Quota invariants are enforced by the database, so they hold with many
// processes: pools and allocations change only through conditional
// single statements (UPDATE ... SET allocated = allocated + n WHERE
// allocated + n <= capacity; the same for used and lim), whose rows
// affected tell success, with CHECK constraints as the backstop. Every
// transaction locks an account's allocation rows before pool rows.
// Activity counters are UPSERTs that add in the database.
//
// CreateAccounts writes many accounts with multi-row INSERTs of bounded
// size (at most 1,000 rows and 30,000 parameters a statement, under
// SQLite's 32,766 and PostgreSQL's 65,535).
package sqlstore
