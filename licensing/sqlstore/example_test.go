package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// Open a SQLite database, migrate it, and keep licenses in it; the gate
// reads an account's facts in one statement. The same code runs on
// PostgreSQL with tenantry.OpenPostgres, where gates in other processes
// also hear of every change (see Store.ListenChanges).
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "tenantry-example")
	defer os.RemoveAll(dir)

	db, err := tenantry.OpenSQLite(filepath.Join(dir, "portal.db"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	if err := sqlstore.Migrate(ctx, db); err != nil { // the audit line too
		fmt.Println(err)
		return
	}
	store, err := sqlstore.New(db)
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc := licensing.New(store, &licensing.Config{
		Now:      func() time.Time { return now },
		Features: []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
	})
	host := audit.WithPrincipal(ctx, audit.System("billing"))
	_, _ = svc.CreatePlan(host, licensing.PlanParams{PlatformID: "p1", ID: "starter", Name: "Starter", Features: []string{"live_chat"}})
	l, err := svc.Issue(host, licensing.IssueParams{PlatformID: "p1", PlanID: "starter", AccountID: "acme", EndsAt: now.AddDate(0, 1, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	d, _ := svc.Gate().Check(ctx, "p1", "acme", "live_chat")
	fmt.Println("live_chat allowed:", d.Allowed)

	_, _ = svc.Revoke(host, "p1", l.ID)
	d, _ = svc.Gate().Check(ctx, "p1", "acme", "live_chat")
	fmt.Println("after revoking:", d.Allowed, d.Reason)
	// Output:
	// live_chat allowed: true
	// after revoking: false license_revoked
}
