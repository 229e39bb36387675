package tenantry_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	impmem "github.com/tenantry/tenantry/impersonation/memstore"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// directoryWorld is a tenancy platform with staff and a client account,
// and an impersonation Service that reads it through
// tenantry.ImpersonationDirectory.
type directoryWorld struct {
	ten   *tenancy.Service
	imp   *impersonation.Service
	clock *testclock.Clock
	pid   string
	users map[string]string // name → user ID
	acc   tenancy.Account
}

func newDirectoryWorld(t *testing.T, store tenancy.Store, cfg *impersonation.Config) *directoryWorld {
	t.Helper()
	w := &directoryWorld{clock: testclock.New(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)), users: map[string]string{}}
	w.ten = tenancy.New(store, &tenancy.Config{Now: w.clock.Now})
	var c impersonation.Config
	if cfg != nil {
		c = *cfg
	}
	c.Now = w.clock.Now
	w.imp = impersonation.New(impmem.New(nil), tenantry.ImpersonationDirectory(store), &c)

	sys := audit.WithPrincipal(t.Context(), audit.System("test"))
	p, err := w.ten.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "Reseller"})
	require.NoError(t, err)
	w.pid = p.ID
	for _, r := range []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleOperator, tenancy.RoleSecureOperator} {
		u, err := w.ten.CreateUser(sys, tenancy.CreateUserParams{PlatformID: w.pid, Email: string(r) + "@reseller.example", Name: string(r), Role: r})
		require.NoError(t, err)
		w.users[string(r)] = u.User.ID
	}
	created, err := w.ten.CreateAccount(sys, tenancy.CreateAccountParams{PlatformID: w.pid, Name: "Acme", Email: "customer@example.com"})
	require.NoError(t, err)
	w.acc = created.Account
	w.users["client"] = created.PrimaryAdmin.ID
	m, err := w.ten.CreateUser(sys, tenancy.CreateUserParams{PlatformID: w.pid, Email: "member@example.com", Name: "Member"})
	require.NoError(t, err)
	w.users["member"] = m.User.ID
	_, err = w.ten.AddMember(sys, tenancy.AddMemberParams{PlatformID: w.pid, AccountID: w.acc.ID, UserID: m.User.ID})
	require.NoError(t, err)
	return w
}

func (w *directoryWorld) as(name string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: w.pid, UserID: w.users[name]})
}

func (w *directoryWorld) sys() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("test"))
}

func (w *directoryWorld) start(actor string, mode impersonation.Mode, user string) (impersonation.Started, error) {
	p := impersonation.StartParams{PlatformID: w.pid, AccountID: w.acc.ID, Mode: mode}
	if user != "" {
		p.UserID = w.users[user]
	}
	return w.imp.Start(w.as(actor), p)
}

// TestImpersonationDirectory runs the impersonation policy over real
// tenancy states, on tenancy's memstore and on its SQL store: each change
// made through tenancy refuses the next request of a live session.
func TestImpersonationDirectory(t *testing.T) {
	t.Run("memstore", func(t *testing.T) {
		testImpersonationDirectory(t, func(*testing.T) tenancy.Store { return memstore.New(nil) })
	})
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		store := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		testImpersonationDirectory(t, func(*testing.T) tenancy.Store { return store })
	})
}

func testImpersonationDirectory(t *testing.T, open func(t *testing.T) tenancy.Store) {
	refusedAfter := func(t *testing.T, change func(w *directoryWorld), want error) {
		t.Helper()
		w := newDirectoryWorld(t, open(t), nil)
		st, err := w.start("operator", impersonation.AsClient, "")
		require.NoError(t, err)
		require.Equal(t, w.users["client"], st.Session.SubjectID)
		_, err = w.imp.Resolve(t.Context(), w.pid, st.Token)
		require.NoError(t, err)
		change(w)
		_, err = w.imp.Resolve(t.Context(), w.pid, st.Token)
		require.ErrorIs(t, err, want)
	}
	t.Run("Locked", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.LockAccount(w.sys(), w.pid, w.acc.ID)
			require.NoError(t, err)
		}, impersonation.ErrAccountLocked)
	})
	t.Run("Disabled", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.DisableAccount(w.sys(), w.pid, w.acc.ID)
			require.NoError(t, err)
		}, impersonation.ErrAccountDisabled)
	})
	t.Run("Deleted", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.DeleteAccount(w.sys(), w.pid, w.acc.ID)
			require.NoError(t, err)
		}, impersonation.ErrAccountDeleted)
	})
	t.Run("Secure", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.SetSecure(w.sys(), w.pid, w.acc.ID, true)
			require.NoError(t, err)
		}, impersonation.ErrSecureAccount)
	})
	t.Run("ClientDisabled", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.DisableUser(w.sys(), w.pid, w.users["client"])
			require.NoError(t, err)
		}, impersonation.ErrTargetInactive)
	})
	t.Run("ActorDemoted", func(t *testing.T) {
		refusedAfter(t, func(w *directoryWorld) {
			_, err := w.ten.SetRole(w.sys(), w.pid, w.users["operator"], tenancy.RoleNone)
			require.NoError(t, err)
		}, impersonation.ErrActorNotStaff)
	})
	t.Run("TestExpired", func(t *testing.T) {
		w := newDirectoryWorld(t, open(t), nil)
		trial, err := w.ten.CreateAccount(w.sys(), tenancy.CreateAccountParams{
			PlatformID: w.pid, Name: "Trial", Email: "trial@example.com", TestUntil: w.clock.Now().Add(30 * time.Minute),
		})
		require.NoError(t, err)
		p := impersonation.StartParams{PlatformID: w.pid, AccountID: trial.Account.ID, Mode: impersonation.AsClient}
		st, err := w.imp.Start(w.as("admin"), p)
		require.NoError(t, err)
		w.clock.Advance(30 * time.Minute)
		_, err = w.imp.Resolve(t.Context(), w.pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrTestExpired)
	})
	t.Run("StaffAndStaffRoles", func(t *testing.T) {
		w := newDirectoryWorld(t, open(t), nil)
		st, err := w.start("admin", impersonation.AsStaff, "member")
		require.NoError(t, err)
		require.Equal(t, w.users["member"], st.Session.SubjectID)
		_, err = w.start("admin", impersonation.AsStaff, "owner")
		require.ErrorIs(t, err, impersonation.ErrNotMember)
		_, err = w.start("client", impersonation.AsStaff, "member")
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff, "a customer is not staff")
		_, err = w.ten.SetSecure(w.sys(), w.pid, w.acc.ID, true)
		require.NoError(t, err)
		_, err = w.start("secure_operator", impersonation.AsPartner, "")
		require.NoError(t, err)
	})
	t.Run("AssignedOnly", func(t *testing.T) {
		w := newDirectoryWorld(t, open(t), &impersonation.Config{AssignedOnly: true})
		_, err := w.start("operator", impersonation.AsClient, "")
		require.ErrorIs(t, err, impersonation.ErrNotAssigned)
		require.NoError(t, w.ten.AssignAccounts(w.sys(), w.pid, w.users["operator"], []string{w.acc.ID}))
		_, err = w.start("operator", impersonation.AsClient, "")
		require.NoError(t, err)
	})
}
