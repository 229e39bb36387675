package tenantry_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tenantry/tenantry"
)

// OpenSQLite opens (creating it when missing) a SQLite file with the
// settings tenantry's stores rely on.
func ExampleOpenSQLite() {
	dir, _ := os.MkdirTemp("", "tenantry")
	defer os.RemoveAll(dir)
	db, err := tenantry.OpenSQLite(filepath.Join(dir, "portal.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	var mode string
	var fk int
	_ = db.Get(&mode, "PRAGMA journal_mode")
	_ = db.Get(&fk, "PRAGMA foreign_keys")
	fmt.Println(db.DriverName(), mode, fk)
	// Output: sqlite wal 1
}
