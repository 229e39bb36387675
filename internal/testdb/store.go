package testdb

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
)

// Store migrates db with migrate and returns the store open makes on it,
// failing t on any error: how the tests of every SQL store begin, as in
//
//	s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
func Store[S any](t testing.TB, db *sqlx.DB, migrate func(context.Context, *sqlx.DB) error, open func(*sqlx.DB) (S, error)) S {
	t.Helper()
	if err := migrate(context.Background(), db); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	s, err := open(db)
	if err != nil {
		t.Fatalf("testdb: open store: %v", err)
	}
	return s
}

// Tables returns those of names that are tables of db (in the current
// schema on PostgreSQL), in the order of names: what a migration test
// checks after each step.
func Tables(t testing.TB, db *sqlx.DB, names []string) []string {
	t.Helper()
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if db.DriverName() == "pgx" {
		q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var out []string
	for _, name := range names {
		var n int
		if err := db.Get(&n, q, name); err != nil {
			t.Fatalf("testdb: look for table %s: %v", name, err)
		}
		if n > 0 {
			out = append(out, name)
		}
	}
	return out
}
