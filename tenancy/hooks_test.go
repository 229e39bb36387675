package tenancy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// TestChangeHooks: OnAccountChanged and OnUserChanged hear every committed
// change, with the record before and after, and nothing else.
func TestChangeHooks(t *testing.T) {
	var accounts []tenancy.AccountChange
	var users []tenancy.UserChange
	svc := tenancy.New(memstore.New(nil), &tenancy.Config{
		OnAccountChanged: func(_ context.Context, c tenancy.AccountChange) { accounts = append(accounts, c) },
		OnUserChanged:    func(_ context.Context, c tenancy.UserChange) { users = append(users, c) },
	})
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	p, err := svc.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: "P"})
	require.NoError(t, err)
	created, err := svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: p.ID, Name: "Acme", Email: "a@acme.example"})
	require.NoError(t, err)
	acc := created.Account

	_, err = svc.LockAccount(ctx, p.ID, acc.ID)
	require.NoError(t, err)
	_, err = svc.LockAccount(ctx, p.ID, acc.ID) // no change: no call
	require.NoError(t, err)
	_, err = svc.DisableAccount(ctx, p.ID, "missing") // failed: no call
	require.Error(t, err)
	require.Len(t, accounts, 1)
	require.Equal(t, "account.lock", accounts[0].Action)
	require.False(t, accounts[0].Before.Locked)
	require.True(t, accounts[0].After.Locked)

	_, err = svc.SetRole(ctx, p.ID, created.PrimaryAdmin.ID, tenancy.RoleAdmin)
	require.NoError(t, err)
	_, err = svc.DisableUser(ctx, p.ID, created.PrimaryAdmin.ID)
	require.NoError(t, err)
	require.Len(t, users, 2)
	require.Equal(t, tenancy.RoleAdmin, users[0].After.Role)
	require.Equal(t, tenancy.UserActive, users[1].Before.Status)
	require.Equal(t, tenancy.UserDisabled, users[1].After.Status)
}

// TestAddMemberSeatHeld: a member added in a seat an invitation held uses
// no more of the team quota, and only the system may say so.
func TestAddMemberSeatHeld(t *testing.T) {
	svc := tenancy.New(memstore.New(nil), nil)
	sys := audit.WithPrincipal(context.Background(), audit.System("test"))
	p, err := svc.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "P"})
	require.NoError(t, err)
	created, err := svc.CreateAccount(sys, tenancy.CreateAccountParams{PlatformID: p.ID, Name: "Acme", Email: "a@acme.example"})
	require.NoError(t, err)
	acc := created.Account
	m, err := svc.CreateUser(sys, tenancy.CreateUserParams{PlatformID: p.ID, Email: "m@acme.example", Name: "M"})
	require.NoError(t, err)
	_, err = svc.UseQuota(sys, p.ID, acc.ID, tenancy.ResourceTeamMembers, 1) // the invitation's hold
	require.NoError(t, err)

	primary := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: p.ID, UserID: created.PrimaryAdmin.ID})
	_, err = svc.AddMember(primary, tenancy.AddMemberParams{PlatformID: p.ID, AccountID: acc.ID, UserID: m.User.ID, SeatHeld: true})
	require.ErrorIs(t, err, tenancy.ErrForbidden)

	_, err = svc.AddMember(sys, tenancy.AddMemberParams{PlatformID: p.ID, AccountID: acc.ID, UserID: m.User.ID, SeatHeld: true})
	require.NoError(t, err)
	allocs, err := svc.Allocations(sys, p.ID, acc.ID)
	require.NoError(t, err)
	for _, a := range allocs {
		if a.Resource == tenancy.ResourceTeamMembers {
			require.Equal(t, int64(1), a.Used, "the held seat, not a second one")
		}
	}
}

// TestCascadeWithoutUnit: without Config.Atomic the Cascade runs after the
// change is made, sees it, and its error comes back with the change kept;
// OnAccountChanged still hears the change, which stands.
func TestCascadeWithoutUnit(t *testing.T) {
	refuse := errors.New("cascade refused")
	var svc *tenancy.Service
	var heard int
	svc = tenancy.New(memstore.New(nil), &tenancy.Config{
		Cascade: tenancy.Cascade{AccountChanged: func(ctx context.Context, c tenancy.AccountChange) error {
			got, err := svc.Account(ctx, c.After.PlatformID, c.After.ID)
			require.NoError(t, err)
			require.True(t, got.Locked, "the cascade sees the change made")
			return refuse
		}},
		OnAccountChanged: func(context.Context, tenancy.AccountChange) { heard++ },
	})
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	p, err := svc.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: "P"})
	require.NoError(t, err)
	created, err := svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: p.ID, Name: "Acme", Email: "a@acme.example"})
	require.NoError(t, err)
	_, err = svc.LockAccount(ctx, p.ID, created.Account.ID)
	require.ErrorIs(t, err, refuse)
	got, err := svc.Account(ctx, p.ID, created.Account.ID)
	require.NoError(t, err)
	require.True(t, got.Locked, "no unit of work: the change stays")
	require.Equal(t, 1, heard, "the change stands, so OnAccountChanged hears it")
}
