package tenantry_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// crossProcessBound is how soon another process must refuse a locked
// account.
const crossProcessBound = time.Second

// openProcess is one host process: its own pool on the database, its own
// Portal, listening for the others' changes.
func openProcess(t *testing.T, db *sqlx.DB) *tenantry.Portal {
	t.Helper()
	p, err := tenantry.Open(t.Context(), db, &tenantry.Config{
		SecretKey: []byte("0123456789abcdef0123456789abcdef"),
		Features:  []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
		Tenancy:   &tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}},
		// A long TTL: only the notification may make the gate refuse in time.
		Licensing: &licensing.Config{GateTTL: time.Hour},
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- p.Listen(ctx, func() { close(ready) }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("listen: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("listen: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("listen: not ready after 30s")
	}
	return p
}

// TestCrossProcessLock: an account locked through one process is refused
// by another's licensing gate (warm before the lock), impersonation
// middleware (a session started before the lock) and invitation acceptance
// within a second.
func TestCrossProcessLock(t *testing.T) {
	dbA := testdb.Postgres(t)
	dbB := testdb.Reopen(t, dbA)
	a := openProcess(t, dbA)
	b := openProcess(t, dbB)
	ctx := context.Background()
	sys := audit.WithPrincipal(ctx, audit.System("cross-process-test"))

	plat, err := a.Tenancy.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "Reseller"})
	require.NoError(t, err)
	pid := plat.ID
	as := func(userID string) context.Context {
		return audit.WithPrincipal(ctx, audit.Principal{PlatformID: pid, UserID: userID})
	}
	owner, err := a.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: "owner@reseller.example", Name: "Owner", Role: tenancy.RoleOwner})
	require.NoError(t, err)
	op, err := a.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: "op@reseller.example", Name: "Op", Role: tenancy.RoleOperator})
	require.NoError(t, err)
	acc, err := a.Tenancy.CreateAccount(as(owner.User.ID), tenancy.CreateAccountParams{PlatformID: pid, Name: "Acme", Email: "client@acme.example", Password: "client password 1"})
	require.NoError(t, err)
	accID := acc.Account.ID
	_, err = a.Licensing.CreatePlan(as(owner.User.ID), licensing.PlanParams{PlatformID: pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
	require.NoError(t, err)
	_, err = a.Licensing.Issue(as(owner.User.ID), licensing.IssueParams{PlatformID: pid, PlanID: "pro", AccountID: accID, EndsAt: time.Now().Add(365 * 24 * time.Hour)})
	require.NoError(t, err)

	// Process B: a warm gate, a live impersonation session behind its
	// middleware, a pending invitation with its invitee.
	d, err := b.Licensing.Gate().Check(ctx, pid, accID, "live_chat")
	require.NoError(t, err)
	require.True(t, d.Allowed, "licensed before the lock: %s", d.Reason)
	st, err := b.Impersonation.Start(as(op.User.ID), impersonation.StartParams{PlatformID: pid, AccountID: accID, Mode: impersonation.AsClient})
	require.NoError(t, err)
	mw := (&impersonation.HTTP{Service: b.Impersonation, Platform: func(*http.Request) (string, error) { return pid, nil }}).
		Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := impersonation.SessionFrom(r.Context()); !ok {
				http.Error(w, "no session", http.StatusUnauthorized)
			}
		}))
	serve := func() int {
		r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		r.Header.Set("Tenantry-Impersonation", st.Token)
		w := httptest.NewRecorder()
		mw.ServeHTTP(w, r)
		return w.Code
	}
	require.Equal(t, http.StatusOK, serve(), "the session works before the lock")
	invitee, err := b.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: "agent@acme.example", Name: "Agent"})
	require.NoError(t, err)
	inv, err := b.Invites.Create(as(owner.User.ID), invites.CreateParams{PlatformID: pid, Kind: invites.KindTeamMember, Email: "agent@acme.example", AccountID: accID})
	require.NoError(t, err)
	_, err = b.Invites.Preview(ctx, pid, inv.Token)
	require.NoError(t, err, "the invitation is pending before the lock")

	// Lock through A; poll B's three answers until each refuses.
	locked := time.Now()
	_, err = a.Tenancy.LockAccount(as(owner.User.ID), pid, accID)
	require.NoError(t, err)
	var gateAt, mwAt, inviteAt time.Duration
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for gateAt == 0 || mwAt == 0 || inviteAt == 0 {
		since := time.Since(locked)
		if gateAt == 0 {
			d, err := b.Licensing.Gate().Check(ctx, pid, accID, "live_chat")
			require.NoError(t, err)
			if !d.Allowed {
				require.Equal(t, licensing.ReasonAccountLocked, d.Reason)
				gateAt = since
			}
		}
		if mwAt == 0 && serve() != http.StatusOK {
			mwAt = since
		}
		if inviteAt == 0 {
			_, err := b.Invites.Accept(as(invitee.User.ID), invites.AcceptParams{PlatformID: pid, Token: inv.Token, UserID: invitee.User.ID, UserEmail: "agent@acme.example"})
			require.Error(t, err, "process B accepted an invitation to the locked account")
			require.ErrorIs(t, err, invites.ErrRevoked)
			inviteAt = since
		}
		if since > crossProcessBound {
			t.Fatalf("after %v process B still serves the locked account: gate refused at %v, middleware at %v, invitation at %v (0 = not yet)",
				since, gateAt, mwAt, inviteAt)
		}
		<-tick.C
	}
	t.Logf("process B refused the account locked through A: gate after %v, impersonation middleware after %v, invitation after %v",
		gateAt, mwAt, inviteAt)
}
