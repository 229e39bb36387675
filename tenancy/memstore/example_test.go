package memstore_test

import (
	"context"
	"fmt"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// A memstore backs a tenancy.Service in a host's unit tests; its audit
// events are kept beside it.
func Example() {
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	store := memstore.New(nil)
	svc := tenancy.New(store, nil)
	_, _ = svc.CreatePlatform(ctx, tenancy.CreatePlatformParams{ID: "p1", Name: "Test Platform"})
	created, _ := svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: "p1", Name: "Acme", Email: "a@acme.example"})
	_, _ = svc.LockAccount(ctx, "p1", created.Account.ID)

	page, _ := audit.New(store.Audit(), nil).List(context.Background(), audit.Query{PlatformID: "p1"})
	for _, e := range page.Events {
		fmt.Println(e.Action, e.ActorID)
	}
	// Output:
	// account.lock system:test
	// account.create system:test
	// platform.create system:test
}
