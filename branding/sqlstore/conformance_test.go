package sqlstore_test

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/branding/storetest"
	"github.com/tenantry/tenantry/internal/testdb"
)

// harness migrates db once and returns a storetest harness factory that
// hands every subtest a Store on that one database; the subtests keep apart
// by using platforms of their own.
func harness(t *testing.T, db *sqlx.DB) func(t *testing.T) storetest.Harness {
	t.Helper()
	s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	return func(*testing.T) storetest.Harness { return storetest.Harness{Store: s, Audit: s.Audit()} }
}

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, harness(t, testdb.SQLite(t)))
}

func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, harness(t, testdb.Postgres(t)))
}
