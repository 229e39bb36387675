package testdb

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// MaxOpenConns bounds each PostgreSQL test database's connection pool.
const MaxOpenConns = 16

// SQLite returns a fresh SQLite database for one test, in a file under
// t.TempDir() opened with sqlkit.SQLiteDSN (the settings the library's own
// tenantry.OpenSQLite uses), so that all connections of the pool see the
// same database. It is closed when the test ends.
func SQLite(t testing.TB) *sqlx.DB {
	t.Helper()
	// TempDir registers its removal first; cleanups run last-in first-out, so the
	// database is closed before its folder is removed.
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := sqlx.Open("sqlite", sqlkit.SQLiteDSN(path))
	if err != nil {
		t.Fatalf("testdb: open sqlite %s: %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("testdb: close sqlite %s: %v", path, err)
		}
	})
	if err := db.Ping(); err != nil {
		t.Fatalf("testdb: open sqlite %s: %v", path, err)
	}
	return db
}

// DB is a database paired with the name of its dialect ("sqlite" or "postgres"),
// for table-driven tests that keep databases of several dialects side by side.
type DB struct {
	// Name is the dialect: "sqlite" or "postgres".
	Name string
	// DB is the open database, closed when the test that made it ends.
	DB *sqlx.DB
}

// backends are the databases Each runs against, in order.
var backends = []struct {
	name string
	open func(testing.TB) *sqlx.DB
}{
	{"sqlite", SQLite},
	{"postgres", Postgres},
}

// Each runs fn once per supported database, as subtest "sqlite" with SQLite(t)
// and subtest "postgres" with Postgres(t), each with a fresh database. The
// postgres subtest skips, or under CI=true fails, when PostgreSQL is unavailable
// (see Postgres). fn may call t.Parallel.
func Each(t *testing.T, fn func(t *testing.T, db *sqlx.DB)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			fn(t, b.open(t))
		})
	}
}

// inCI reports whether the environment variable CI is true, as CI services set it.
func inCI() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// unavailable ends the test because a database cannot be had: a skip that says
// why, or under CI=true a failure, since CI must run every test.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if inCI() {
		t.Fatalf("testdb: %s unavailable (CI=true, so this fails instead of skipping): %v", what, err)
	}
	t.Skipf("testdb: %s unavailable, skipping: %v", what, err)
}
