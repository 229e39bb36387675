package bench

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/testdb"
)

// TestDatabases: the bench module reaches the main module's test
// databases (a module path under github.com/tenantry/tenantry may import
// its internal packages), on SQLite and PostgreSQL.
func TestDatabases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		var one int
		if err := db.Get(&one, "SELECT 1"); err != nil || one != 1 {
			t.Fatalf("SELECT 1: %d, %v", one, err)
		}
	})
}
