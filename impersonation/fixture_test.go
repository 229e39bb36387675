package impersonation_test

import (
	"context"
	"testing"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/impersonation/memstore"
	"github.com/tenantry/tenantry/internal/testclock"
)

// start is the fixtures' clock at the beginning of every test.
var start = time.Date(2026, time.March, 1, 10, 0, 0, 0, time.UTC)

const pid = "p1"

// fixture is a Service over a memstore and a test directory holding one
// platform with an owner, an admin, both kinds of operator and a client
// account ("acc") whose primary user is "client" and whose team member is
// "member".
type fixture struct {
	svc   *impersonation.Service
	store *memstore.Store
	dir   *testDirectory
	clock *testclock.Clock
}

func newFixture(t *testing.T, cfg *impersonation.Config) *fixture {
	t.Helper()
	f := &fixture{store: memstore.New(nil), dir: newTestDirectory(), clock: testclock.New(start)}
	var c impersonation.Config
	if cfg != nil {
		c = *cfg
	}
	c.Now = f.clock.Now
	f.svc = impersonation.New(f.store, f.dir, &c)
	for _, r := range []impersonation.Role{impersonation.RoleOwner, impersonation.RoleAdmin, impersonation.RoleOperator, impersonation.RoleSecureOperator} {
		f.dir.putUser(pid, impersonation.User{ID: string(r), Email: string(r) + "@reseller.example", Role: r, Active: true})
	}
	f.dir.putUser(pid, impersonation.User{ID: "client", Email: "customer@example.com", Active: true})
	f.dir.putUser(pid, impersonation.User{ID: "member", Email: "member@example.com", Active: true})
	f.dir.putAccount(pid, impersonation.Account{ID: "acc", Name: "Acme", PrimaryUserID: "client"})
	f.dir.addMember(pid, "acc", "client")
	f.dir.addMember(pid, "acc", "member")
	return f
}

// as returns a context acting as user id of the fixture's platform.
func as(id string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: pid, UserID: id})
}

// startAs starts a client session of "acc" as actor, failing the test on
// error.
func (f *fixture) startAs(t *testing.T, actor string, p impersonation.StartParams) impersonation.Started {
	t.Helper()
	if p.PlatformID == "" {
		p.PlatformID = pid
	}
	if p.AccountID == "" {
		p.AccountID = "acc"
	}
	if p.Mode == "" {
		p.Mode = impersonation.AsClient
	}
	st, err := f.svc.Start(as(actor), p)
	if err != nil {
		t.Fatalf("start as %s: %v", actor, err)
	}
	return st
}

// events returns the platform's events, oldest first.
func (f *fixture) events(t *testing.T) []audit.Event {
	t.Helper()
	page, err := audit.New(f.store.Audit(), nil).List(context.Background(), audit.Query{PlatformID: pid, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := page.Events
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// actions returns the actions of the platform's events, oldest first.
func (f *fixture) actions(t *testing.T) []string {
	var out []string
	for _, e := range f.events(t) {
		out = append(out, e.Action)
	}
	return out
}

// withPlatform returns ctx with its principal moved to platform p.
func withPlatform(ctx context.Context, p string) context.Context {
	pr, _ := audit.PrincipalFrom(ctx)
	pr.PlatformID = p
	return audit.WithPrincipal(ctx, pr)
}

// systemCtx acts as a background job.
func systemCtx() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("cron"))
}
