package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// Open a SQLite database, migrate it, and keep accounts in it. The same
// code runs on PostgreSQL with tenantry.OpenPostgres.
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
	svc := tenancy.New(store, &tenancy.Config{Now: func() time.Time { return now }})

	host := audit.WithPrincipal(ctx, audit.System("example"))
	_, _ = svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p1", Name: "Example Platform"})
	for _, name := range []string{"Bravo Bikes", "Alpha Air"} {
		_, err := svc.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p1", Name: name, Email: "admin@" + name[:5] + ".example"})
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	page, _ := svc.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: "p1", Sort: tenancy.SortName})
	for _, a := range page.Accounts {
		fmt.Println(a.Name, a.Status)
	}
	history, _ := audit.New(store.Audit(), nil).List(ctx, audit.Query{PlatformID: "p1", Action: "account.create"})
	fmt.Println("recorded:", len(history.Events), history.Events[0].ActorID)
	// Output:
	// Alpha Air active
	// Bravo Bikes active
	// recorded: 2 system:example
}
