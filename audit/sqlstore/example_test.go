package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/sqlstore"
)

// Keep the history in SQLite (or PostgreSQL) and purge what is past the
// retention.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "tenantry-audit")
	defer os.RemoveAll(dir)
	db, err := tenantry.OpenSQLite(filepath.Join(dir, "audit.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if err := sqlstore.Migrate(ctx, db); err != nil {
		fmt.Println(err)
		return
	}
	store, _ := sqlstore.New(db)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc := audit.New(store, &audit.Config{Now: func() time.Time { return now }})
	old := now.AddDate(0, -7, 0)
	_, _ = svc.Record(ctx, audit.Event{PlatformID: "p1", ActorID: "u1", Action: "account.update", At: old})
	_, _ = svc.Record(ctx, audit.Event{PlatformID: "p1", ActorID: "u1", Action: "account.lock"})

	res, _ := svc.Purge(ctx) // 6 months by default
	page, _ := svc.List(ctx, audit.Query{PlatformID: "p1"})
	fmt.Println("purged:", res.Deleted, "kept:", len(page.Events), page.Events[0].Action)
	// Output: purged: 1 kept: 1 account.lock
}
