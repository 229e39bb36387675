package tenancy_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// BenchmarkCan measures the member permission check with the member
// cached, beside a plain map lookup of the same fact: the host calls it on
// every request, so it must stay under 100 nanoseconds and allocate
// nothing.
func BenchmarkCan(b *testing.B) {
	ctx := context.Background()
	svc := tenancy.New(memstore.New(nil), nil)
	host := audit.WithPrincipal(ctx, audit.System("bench"))
	if _, err := svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p", Name: "P"}); err != nil {
		b.Fatal(err)
	}
	acc, err := svc.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p", Name: "A", Email: "a@bench.example"})
	if err != nil {
		b.Fatal(err)
	}
	u, err := svc.CreateUser(host, tenancy.CreateUserParams{PlatformID: "p", Email: "m@bench.example", Name: "M"})
	if err != nil {
		b.Fatal(err)
	}
	perms := []string{tenancy.PermLiveChat, tenancy.PermLeads, tenancy.PermAnalytics}
	if _, err := svc.AddMember(host, tenancy.AddMemberParams{PlatformID: "p", AccountID: acc.Account.ID, UserID: u.User.ID, Permissions: perms}); err != nil {
		b.Fatal(err)
	}
	if ok, _ := svc.Can(ctx, "p", acc.Account.ID, u.User.ID, tenancy.PermLeads); !ok {
		b.Fatal("member cannot do leads")
	}
	b.Run("tenancy-cached", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if ok, _ := svc.Can(ctx, "p", acc.Account.ID, u.User.ID, tenancy.PermLeads); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("map-baseline", func(b *testing.B) {
		type key struct{ platform, account, user, perm string }
		m := map[key]bool{}
		for i := range 1000 {
			m[key{"p", fmt.Sprint(i), "u", tenancy.PermLeads}] = true
		}
		m[key{"p", acc.Account.ID, u.User.ID, tenancy.PermLeads}] = true
		b.ReportAllocs()
		for b.Loop() {
			if !m[key{"p", acc.Account.ID, u.User.ID, tenancy.PermLeads}] {
				b.Fatal("refused")
			}
		}
	})
}

// TestCanAllocatesNothingWhenCached keeps the promise BenchmarkCan
// measures, as a test that fails.
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
