// Package sqlstore is the SQL implementation of branding.Store and
// branding.ChangeListener, on SQLite (modernc.org/sqlite, driver name
// "sqlite") and PostgreSQL (github.com/jackc/pgx/v5/stdlib, driver name
// "pgx"), chosen from the handle's driver name. It passes
// branding/storetest on both.
//
// Its schema lives in embedded, numbered migrations (see Migrations) on
// the version line "branding": run Migrate once at start-up (it migrates
// the audit line first), or apply Migrations with the host's own tool. The
// tables are tenantry_branding_themes and tenantry_branding_logos (keyed
// by platform and account, the account empty for the platform's own),
// tenantry_branding_domains (keyed by platform and host),
// tenantry_branding_login (keyed by platform) and
// tenantry_branding_providers (keyed by platform and ID); no foreign key
// reaches another package's tables.
//
// Every method that changes something runs in one transaction together
// with the audit event it is given, written through the audit sqlstore on
// the same database. The store never reads the clock and never makes IDs;
// it holds OAuth client secrets only sealed, as it is given them
// (StoredProvider.SealedSecret), and never writes Provider.ClientSecret.
//
// LookupHost, asked to route every request, is one statement on the
// unique key of host, outside any transaction, reading the platform's
// primary host in a scalar subquery.
//
// The invariants are the database's:
//
//   - A host belongs to one platform only: a UNIQUE key on host alone,
//     the one unique key of tenantry that does not start with platform_id
//     (the routing lookup cannot know the platform first). Under a
//     distributed PostgreSQL such as Citus, the domains table would be a
//     reference table. Racing claims of a host are decided by it, the
//     loser getting branding.ErrConflict.
//   - At most one primary domain per platform: a partial UNIQUE index on
//     platform_id WHERE is_primary. UpdateDomain clears the old primary
//     before it sets the new one, in one transaction.
//   - A provider's name is unique on its platform in any case: a UNIQUE
//     key on (platform_id, name_key), name_key being the name lower-cased
//     (strings.ToLower), as memstore compares names.
//   - Themes, domains, login settings and providers are updated only if
//     their stored version is the one before (branding.ErrStale
//     otherwise); a theme or login settings of version 1 are inserted,
//     and the primary key refuses a second one (branding.ErrConflict).
//
// Domain changes are told to every process (see ListenChanges): on
// PostgreSQL by NOTIFY on Channel inside the writing transaction, so that
// host routing caches forget them at once; on SQLite, which serves one
// process, to the listeners of the same handle.
package sqlstore
