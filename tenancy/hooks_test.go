package tenancy_test

import (
	"context"
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
