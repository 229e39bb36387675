// Package sqlstore is the SQL implementation of impersonation.Store, on
// SQLite (modernc.org/sqlite, driver name "sqlite") and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib, driver name "pgx"), chosen from the
// handle's driver name. It passes impersonation/storetest on both.
//
// Its schema lives in embedded, numbered migrations (see Migrations) on
// the version line "impersonation": run Migrate once at start-up (it
// migrates the audit line first), or apply Migrations with the host's own
// tool. The one table, tenantry_impersonation_sessions, is keyed by
// (platform_id, id); no foreign key reaches another package's tables.
//
// Every method that changes something runs in one transaction together
// with the audit events it is given, written through the audit sqlstore on
// the same database. The store never reads the clock and never makes IDs
// or tokens; it stores only the hex SHA-256 of a session's token.
//
// GetByToken, asked on every request of a session, is one statement on
// the unique (platform_id, token_hash) key, its text written once by New,
// run outside any transaction and scanned straight into a row.
//
// The invariants are the database's:
//
//   - A session ID and a token hash are each UNIQUE per platform; the
//     loser of racing inserts gets impersonation.ErrConflict.
//   - End is one conditional UPDATE ... WHERE ended_at IS NULL RETURNING,
//     so that of concurrent ends exactly one changes the row; the others
//     read it to say why (ErrEnded, or ErrNotFound).
//   - EndAll selects the matching sessions not ended (FOR UPDATE on
//     PostgreSQL; on SQLite the transaction holds the write lock) and ends
//     them with the same conditional UPDATE, whose RETURNING rows are the
//     sessions it ended and writes events for: a session is never ended
//     twice, whatever End or EndAll race with it.
package sqlstore
