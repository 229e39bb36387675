// Package sqlstore is the SQL implementation of invites.Store, on SQLite
// (modernc.org/sqlite, driver name "sqlite") and PostgreSQL
// (github.com/jackc/pgx/v5/stdlib, driver name "pgx"), chosen from the
// handle's driver name. It passes invites/storetest on both.
//
// Its schema lives in embedded, numbered migrations (see Migrations) on
// the version line "invites": run Migrate once at start-up (it migrates the
// audit line first), or apply Migrations with the host's own tool. The one
// table, tenantry_invitations, is keyed by (platform_id, id); no foreign
// key reaches another package's tables.
//
// Every method that changes something runs in one transaction together
// with the audit event it is given, written through the audit sqlstore on
// the same database. The store never reads the clock and never makes IDs
// or tokens; it stores only the hex SHA-256 of a link's secret.
//
// The invariants are the database's:
//
//   - One invitation stored pending per platform, kind, email, account and
//     resource is a partial unique index WHERE status = 'pending'; racing
//     inserts are decided by it and the loser gets invites.ErrConflict. A
//     pending invitation past its expiry still blocks: Service records it
//     Expired first (a valid stored status), as the Store contract says.
//   - A token hash is UNIQUE per platform (NULL when there is none).
//   - Claim is one conditional UPDATE ... RETURNING of the pending,
//     unexpired invitation with the hash, so that of concurrent claims
//     exactly one changes the row; the others read the row to say why
//     (ErrUsed, ErrExpired, ErrRevoked, ErrDeclined, ErrNotFound).
//   - Update is guarded by the stored version.
package sqlstore
