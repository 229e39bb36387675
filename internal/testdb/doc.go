// Package testdb gives each test a fresh, isolated database: SQLite always, and
// PostgreSQL when a server can be reached or started.
//
// SQLite opens a new database file under the test's t.TempDir, with the same
// pragmas the library uses in production (see SQLiteDSN), so that every
// connection of the returned pool sees one database.
//
// Postgres creates a new, empty database for the test and drops it when the test
// ends. The server comes from the environment variable TENANTRY_POSTGRES_DSN when
// it is set (for example
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable); otherwise a
// throw-away cluster is started once per test binary from the system's initdb and
// postgres programs (found on PATH or in /usr/lib/postgresql/*/bin), in a
// temporary folder on a free loopback port. When running as root, that cluster
// runs as the unprivileged postgres system user. When no server can be had, the
// test is skipped with a line saying why, except when the environment variable CI
// is true, where it fails instead.
//
// Each runs the same test body against both, as subtests "sqlite" and
// "postgres":
//
//	func TestStore(t *testing.T) {
//		testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
//			// ... migrate db and exercise the store ...
//		})
//	}
//
// Store migrates a database and opens a store on it, and Tables lists
// which tables a migration left, for the tests of every SQL store.
package testdb
