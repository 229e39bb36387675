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
// orders, and read the tags of a page in one batched query.
package sqlstore
