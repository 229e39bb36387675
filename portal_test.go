package tenantry_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// world is a Portal on a fresh database: a platform with an owner and an
// operator, and a client account with a license to live chat.
type world struct {
	p      *tenantry.Portal
	clock  *testclock.Clock
	pid    string
	owner  string
	op     string
	acc    tenancy.Account
	client tenancy.User
}

func newWorld(t *testing.T, db *sqlx.DB) *world {
	t.Helper()
	w := &world{clock: testclock.New(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))}
	p, err := tenantry.Open(t.Context(), db, &tenantry.Config{
		Now:       w.clock.Now,
		SecretKey: []byte("0123456789abcdef0123456789abcdef"),
		Features:  []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
		Tenancy:   &tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}},
	})
	require.NoError(t, err)
	w.p = p
	sys := w.sys()
	plat, err := p.Tenancy.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "Reseller"})
	require.NoError(t, err)
	w.pid = plat.ID
	for _, u := range []struct {
		id   *string
		role tenancy.Role
	}{{&w.owner, tenancy.RoleOwner}, {&w.op, tenancy.RoleOperator}} {
		c, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: w.pid, Email: string(u.role) + "@reseller.example", Name: string(u.role), Role: u.role})
		require.NoError(t, err)
		*u.id = c.User.ID
	}
	created, err := p.Tenancy.CreateAccount(w.as(w.owner), tenancy.CreateAccountParams{PlatformID: w.pid, Name: "Acme", Email: "client@acme.example", Password: "client password 1"})
	require.NoError(t, err)
	w.acc, w.client = created.Account, created.PrimaryAdmin
	_, err = p.Licensing.CreatePlan(w.as(w.owner), licensing.PlanParams{PlatformID: w.pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
	require.NoError(t, err)
	_, err = p.Licensing.Issue(w.as(w.owner), licensing.IssueParams{PlatformID: w.pid, PlanID: "pro", AccountID: w.acc.ID, EndsAt: w.clock.Now().Add(365 * 24 * time.Hour)})
	require.NoError(t, err)
	return w
}

func (w *world) sys() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("test"))
}

func (w *world) as(userID string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: w.pid, UserID: userID})
}

// live opens what a lock must close: a warm gate entry, an impersonation
// session, a pending team invitation.
func (w *world) live(t *testing.T) (impersonation.Started, invites.Created) {
	t.Helper()
	d, err := w.p.Licensing.Gate().Check(context.Background(), w.pid, w.acc.ID, "live_chat")
	require.NoError(t, err)
	require.True(t, d.Allowed, "licensed: %s", d.Reason)
	st, err := w.p.Impersonation.Start(w.as(w.op), impersonation.StartParams{PlatformID: w.pid, AccountID: w.acc.ID, Mode: impersonation.AsClient})
	require.NoError(t, err)
	inv, err := w.p.Invites.Create(w.as(w.op), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindTeamMember, Email: "new@acme.example", AccountID: w.acc.ID})
	require.NoError(t, err)
	return st, inv
}

// requireClosed checks the three cascades of a closed account.
func (w *world) requireClosed(t *testing.T, st impersonation.Started, inv invites.Created, reason licensing.Reason) {
	t.Helper()
	d, err := w.p.Licensing.Gate().Check(context.Background(), w.pid, w.acc.ID, "live_chat")
	require.NoError(t, err)
	require.False(t, d.Allowed, "the gate refuses at once")
	require.Equal(t, reason, d.Reason)
	_, err = w.p.Impersonation.Resolve(context.Background(), w.pid, st.Token)
	require.ErrorIs(t, err, impersonation.ErrEnded, "the session was ended, not merely refused")
	_, err = w.p.Invites.Accept(context.Background(), invites.AcceptParams{PlatformID: w.pid, Token: inv.Token, UserID: "anyone", UserEmail: "new@acme.example"})
	require.ErrorIs(t, err, invites.ErrRevoked, "the pending invitation was revoked")
}

func TestCascades(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		t.Run("Lock", func(t *testing.T) {
			w := newWorld(t, db)
			st, inv := w.live(t)
			_, err := w.p.Tenancy.LockAccount(w.as(w.owner), w.pid, w.acc.ID)
			require.NoError(t, err)
			w.requireClosed(t, st, inv, licensing.ReasonAccountLocked)
			_, err = w.p.Tenancy.Authenticate(context.Background(), tenancy.AuthenticateParams{PlatformID: w.pid, Email: "client@acme.example", Password: "client password 1"})
			require.ErrorIs(t, err, tenancy.ErrAccountLocked)
		})
		t.Run("Disable", func(t *testing.T) {
			w := newWorld(t, db)
			st, inv := w.live(t)
			_, err := w.p.Tenancy.DisableAccount(w.as(w.op), w.pid, w.acc.ID)
			require.NoError(t, err)
			w.requireClosed(t, st, inv, licensing.ReasonAccountDisabled)
			_, err = w.p.Tenancy.EnableAccount(w.as(w.op), w.pid, w.acc.ID)
			require.NoError(t, err)
			d, err := w.p.Licensing.Gate().Check(context.Background(), w.pid, w.acc.ID, "live_chat")
			require.NoError(t, err)
			require.True(t, d.Allowed, "enabled again: the gate heard it at once")
		})
		t.Run("Delete", func(t *testing.T) {
			w := newWorld(t, db)
			st, inv := w.live(t)
			owner := w.as(w.owner)
			lic, err := w.p.Licensing.AccountLicense(owner, w.pid, w.acc.ID)
			require.NoError(t, err)
			_, err = w.p.Branding.SetTheme(owner, branding.Theme{PlatformID: w.pid, AccountID: w.acc.ID, ProductName: "Acme Bot"})
			require.NoError(t, err)
			_, err = w.p.Tenancy.DeleteAccount(owner, w.pid, w.acc.ID)
			require.NoError(t, err)
			w.requireClosed(t, st, inv, licensing.ReasonAccountDeleted)
			// What other packages kept of the account goes with it: its
			// license returns to the platform, unassigned; its theme goes.
			lic, err = w.p.Licensing.License(owner, w.pid, lic.ID)
			require.NoError(t, err)
			require.Empty(t, lic.AccountID, "the license is free for another account")
			require.Equal(t, licensing.Active, lic.Status)
			err = w.p.Branding.ResetTheme(owner, w.pid, w.acc.ID)
			require.ErrorIs(t, err, branding.ErrNotFound, "the account's theme was removed")
		})
		t.Run("TestExpiry", func(t *testing.T) {
			w := newWorld(t, db)
			trial, err := w.p.Tenancy.CreateAccount(w.as(w.owner), tenancy.CreateAccountParams{PlatformID: w.pid, Name: "Trial", Email: "trial@acme.example", TestUntil: w.clock.Now().Add(time.Hour)})
			require.NoError(t, err)
			w.acc = trial.Account
			_, err = w.p.Licensing.Issue(w.as(w.owner), licensing.IssueParams{PlatformID: w.pid, PlanID: "pro", AccountID: w.acc.ID, EndsAt: w.clock.Now().Add(24 * time.Hour)})
			require.NoError(t, err)
			d, err := w.p.Licensing.Gate().Check(context.Background(), w.pid, w.acc.ID, "live_chat")
			require.NoError(t, err)
			require.True(t, d.Allowed)
			w.clock.Advance(time.Hour)
			d, err = w.p.Licensing.Gate().Check(context.Background(), w.pid, w.acc.ID, "live_chat")
			require.NoError(t, err)
			require.Equal(t, licensing.ReasonTestExpired, d.Reason, "the warm gate sees the trial end at once")
		})
		t.Run("UserDemoted", func(t *testing.T) {
			w := newWorld(t, db)
			st, _ := w.live(t)
			_, err := w.p.Tenancy.SetRole(w.as(w.owner), w.pid, w.op, tenancy.RoleNone)
			require.NoError(t, err)
			_, err = w.p.Impersonation.Resolve(context.Background(), w.pid, st.Token)
			require.ErrorIs(t, err, impersonation.ErrEnded)
		})
		t.Run("AuditActorAndSubject", func(t *testing.T) {
			w := newWorld(t, db)
			st, _ := w.live(t)
			sess, err := w.p.Impersonation.Resolve(context.Background(), w.pid, st.Token)
			require.NoError(t, err)
			ctx := impersonation.WithSession(context.Background(), sess)
			name := "Acme Inc."
			_, err = w.p.Tenancy.UpdateAccount(ctx, w.pid, w.acc.ID, tenancy.AccountEdit{Name: &name})
			require.NoError(t, err)
			page, err := w.p.Audit.List(context.Background(), audit.Query{PlatformID: w.pid, AccountID: w.acc.ID, Action: "account.update"})
			require.NoError(t, err)
			require.Len(t, page.Events, 1)
			require.Equal(t, w.op, page.Events[0].ActorID)
			require.Equal(t, w.client.ID, page.Events[0].OnBehalfOfID)
		})
	})
}

// TestAcceptanceGrants: each kind of accepted invitation gives its place,
// through tenancy.
func TestAcceptanceGrants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		w := newWorld(t, db)
		newUser := func(email string) tenancy.User {
			c, err := w.p.Tenancy.CreateUser(w.sys(), tenancy.CreateUserParams{PlatformID: w.pid, Email: email, Name: email})
			require.NoError(t, err)
			return c.User
		}
		accept := func(c invites.Created, u tenancy.User) {
			t.Helper()
			_, err := w.p.Invites.Accept(w.as(u.ID), invites.AcceptParams{PlatformID: w.pid, Token: c.Token, UserID: u.ID, UserEmail: u.Email})
			require.NoError(t, err)
		}
		t.Run("TeamMember", func(t *testing.T) {
			c, err := w.p.Invites.Create(w.as(w.client.ID), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindTeamMember, Email: "agent@acme.example", AccountID: w.acc.ID, Permissions: []string{tenancy.PermLiveChat}})
			require.NoError(t, err, "the account's primary admin invites to their team")
			u := newUser("agent@acme.example")
			accept(c, u)
			ok, err := w.p.Tenancy.Can(context.Background(), w.pid, w.acc.ID, u.ID, tenancy.PermLiveChat)
			require.NoError(t, err)
			require.True(t, ok)
			allocs, err := w.p.Tenancy.Allocations(w.sys(), w.pid, w.acc.ID)
			require.NoError(t, err)
			for _, a := range allocs {
				if a.Resource == tenancy.ResourceTeamMembers {
					require.Equal(t, int64(1), a.Used, "the seat the invitation held, not two")
				}
			}
		})
		t.Run("Account", func(t *testing.T) {
			c, err := w.p.Invites.Create(w.as(w.op), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindAccount, Email: "founder@newco.example", AccountName: "NewCo"})
			require.NoError(t, err)
			u := newUser("founder@newco.example")
			accept(c, u)
			ms, err := w.p.Tenancy.Memberships(w.sys(), w.pid, u.ID)
			require.NoError(t, err)
			require.Len(t, ms, 1)
			require.Equal(t, "NewCo", ms[0].Account.Name)
			require.True(t, ms[0].Member.Primary)
		})
		t.Run("Manager", func(t *testing.T) {
			c, err := w.p.Invites.Create(w.as(w.op), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindManager, Email: "mgr@agency.example", AccountID: w.acc.ID, ResourceID: "bot-1"})
			require.NoError(t, err)
			u := newUser("mgr@agency.example")
			accept(c, u)
			shared, err := w.p.Tenancy.SharedResources(w.sys(), w.pid, w.acc.ID)
			require.NoError(t, err)
			require.Equal(t, []string{"bot-1"}, shared)
		})
		t.Run("Staff", func(t *testing.T) {
			_, err := w.p.Invites.Create(w.as(w.op), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindStaff, Email: "op2@reseller.example", Role: "operator"})
			require.ErrorIs(t, err, invites.ErrForbidden, "only owners invite staff")
			c, err := w.p.Invites.Create(w.as(w.owner), invites.CreateParams{PlatformID: w.pid, Kind: invites.KindStaff, Email: "op2@reseller.example", Role: "operator"})
			require.NoError(t, err)
			u := newUser("op2@reseller.example")
			accept(c, u)
			got, err := w.p.Tenancy.User(w.sys(), w.pid, u.ID)
			require.NoError(t, err)
			require.Equal(t, tenancy.RoleOperator, got.Role)
		})
	})
}

// TestUnknownAccountRefused: licensing, invitations and account branding
// take only accounts the platform has: an ID of another platform's
// account, or of an account deleted, is refused and nothing is written.
func TestUnknownAccountRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		w := newWorld(t, db)
		other, err := w.p.Tenancy.CreatePlatform(w.sys(), tenancy.CreatePlatformParams{Name: "Other"})
		require.NoError(t, err)
		foreign, err := w.p.Tenancy.CreateAccount(w.sys(), tenancy.CreateAccountParams{PlatformID: other.ID, Name: "Foreign", Email: "a@foreign.example"})
		require.NoError(t, err)
		owner := w.as(w.owner)
		for _, id := range []string{foreign.Account.ID, "no-such-account"} {
			_, err = w.p.Licensing.Issue(owner, licensing.IssueParams{PlatformID: w.pid, PlanID: "pro", AccountID: id, EndsAt: w.clock.Now().Add(time.Hour)})
			require.ErrorIs(t, err, licensing.ErrNotFound, "license for %s", id)
			_, err = w.p.Licensing.GrantCredits(owner, licensing.CreditParams{PlatformID: w.pid, AccountID: id, Kind: licensing.CreditSMS, Amount: 5})
			require.ErrorIs(t, err, licensing.ErrNotFound, "credits for %s", id)
			_, err = w.p.Invites.Create(owner, invites.CreateParams{PlatformID: w.pid, Kind: invites.KindTeamMember, Email: "x@acme.example", AccountID: id})
			require.ErrorIs(t, err, invites.ErrForbidden, "invitation to %s", id)
			_, err = w.p.Branding.SetTheme(owner, branding.Theme{PlatformID: w.pid, AccountID: id, ProductName: "X"})
			require.ErrorIs(t, err, branding.ErrForbidden, "theme of %s", id)
		}
		page, err := w.p.Invites.List(owner, invites.ListParams{PlatformID: w.pid, Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Invitations)
		lic, err := w.p.Licensing.ListLicenses(owner, licensing.ListLicensesParams{PlatformID: w.pid})
		require.NoError(t, err)
		require.Len(t, lic.Licenses, 1, "only the world's own license")
	})
}
