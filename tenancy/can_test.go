package tenancy_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// TestCanAllocatesNothingWhenCached keeps the promise of the cached
// permission check (no allocation; bench/ times it), as a test that fails.
func TestCanAllocatesNothingWhenCached(t *testing.T) {
	ctx := context.Background()
	svc := tenancy.New(memstore.New(nil), nil)
	host := audit.WithPrincipal(ctx, audit.System("test"))
	_, _ = svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p", Name: "P"})
	acc, err := svc.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p", Name: "A", Email: "a@test.example"})
	if err != nil {
		t.Fatal(err)
	}
	id, user := acc.Account.ID, acc.PrimaryAdmin.ID
	_, _ = svc.Can(ctx, "p", id, user, tenancy.PermBilling)
	allocs := testing.AllocsPerRun(1000, func() {
		if ok, _ := svc.Can(ctx, "p", id, user, tenancy.PermBilling); !ok {
			t.Fatal("primary admin refused")
		}
	})
	if allocs != 0 {
		t.Fatalf("Can allocates %v times per cached call", allocs)
	}
}

// TestCanTTL: a change made by another process (another Service on the
// same store) reaches Can once its cached entry is older than the TTL.
func TestCanTTL(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := memstore.New(nil)
	here := tenancy.New(store, &tenancy.Config{Now: clock})
	there := tenancy.New(store, &tenancy.Config{Now: clock})
	host := audit.WithPrincipal(ctx, audit.System("test"))
	_, _ = here.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p", Name: "P"})
	acc, err := here.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p", Name: "A", Email: "a@ttl.example"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := here.CreateUser(host, tenancy.CreateUserParams{PlatformID: "p", Email: "m@ttl.example", Name: "M"})
	if _, err := here.AddMember(host, tenancy.AddMemberParams{PlatformID: "p", AccountID: acc.Account.ID, UserID: u.User.ID, Permissions: []string{tenancy.PermLeads}}); err != nil {
		t.Fatal(err)
	}
	can := func() bool {
		ok, err := here.Can(ctx, "p", acc.Account.ID, u.User.ID, tenancy.PermLeads)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !can() {
		t.Fatal("member refused")
	}
	if err := there.RemoveMember(host, "p", acc.Account.ID, u.User.ID); err != nil {
		t.Fatal(err)
	}
	if !can() {
		t.Fatal("the cached answer should hold within the TTL")
	}
	now = now.Add(tenancy.DefaultPermissionTTL)
	if can() {
		t.Fatal("the removal should be seen once the TTL has passed")
	}
}
