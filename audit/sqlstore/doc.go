// Package sqlstore is the SQL [audit.Store], on SQLite (modernc.org/sqlite,
// driver "sqlite") and PostgreSQL (github.com/jackc/pgx/v5/stdlib, driver
// "pgx"), chosen from the handle's driver name.
//
// Events live in one table, tenantry_audit_events, keyed by
// (platform_id, id), with indexes that serve each List filter in the
// newest-first keyset order and one on the time for PurgeBefore. Create it
// with [Migrate] (version line "audit"), or apply the files of
// [Migrations] with the host's own migration tool.
//
// Stores of other tenantry packages that record an event in the same
// transaction as the change it describes use [Store.InsertTx].
package sqlstore
