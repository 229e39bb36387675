package tenantry_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
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

// Open wires every service on one database; locking an account then
// reaches the licensing gate at once.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "tenantry")
	defer os.RemoveAll(dir)
	db, err := tenantry.OpenSQLite(filepath.Join(dir, "portal.db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	ctx := context.Background()
	p, err := tenantry.Open(ctx, db, &tenantry.Config{
		Features: []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
	})
	if err != nil {
		panic(err)
	}
	sys := audit.WithPrincipal(ctx, audit.System("example"))
	plat, _ := p.Tenancy.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "Reseller"})
	acc, _ := p.Tenancy.CreateAccount(sys, tenancy.CreateAccountParams{PlatformID: plat.ID, Name: "Acme", Email: "owner@acme.example"})
	_, _ = p.Licensing.CreatePlan(sys, licensing.PlanParams{PlatformID: plat.ID, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
	_, _ = p.Licensing.Issue(sys, licensing.IssueParams{PlatformID: plat.ID, PlanID: "pro", AccountID: acc.Account.ID, EndsAt: time.Now().AddDate(1, 0, 0)})

	d, _ := p.Licensing.Gate().Check(ctx, plat.ID, acc.Account.ID, "live_chat")
	fmt.Println("before:", d.Allowed)
	_, _ = p.Tenancy.LockAccount(sys, plat.ID, acc.Account.ID)
	d, _ = p.Licensing.Gate().Check(ctx, plat.ID, acc.Account.ID, "live_chat")
	fmt.Println("after the lock:", d.Allowed, d.Reason)
	// Output:
	// before: true
	// after the lock: false account_locked
}
