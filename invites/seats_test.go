package invites_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/tenancy"
	tenancymem "github.com/tenantry/tenantry/tenancy/memstore"
)

// tenancySeats holds team seats in tenancy's real team-member quota, as the
// root package wires it.
type tenancySeats struct{ svc *tenancy.Service }

func (s tenancySeats) Reserve(ctx context.Context, platformID, accountID string) error {
	_, err := s.svc.UseQuota(ctx, platformID, accountID, tenancy.ResourceTeamMembers, 1)
	return err
}

func (s tenancySeats) Release(ctx context.Context, platformID, accountID string) error {
	_, err := s.svc.UseQuota(ctx, platformID, accountID, tenancy.ResourceTeamMembers, -1)
	return err
}

// TestTeamQuotaCountsPendingInvitations: with tenancy's default team quota
// of 10, 10 pending team-member invitations refuse the 11th; revoking one
// frees a place.
func TestTeamQuotaCountsPendingInvitations(t *testing.T) {
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	ten := tenancy.New(tenancymem.New(nil), nil)
	_, err := ten.CreatePlatform(ctx, tenancy.CreatePlatformParams{ID: "p1", Name: "P"})
	require.NoError(t, err)
	acc, err := ten.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: "p1", Name: "Acme", Email: "owner@acme.example"})
	require.NoError(t, err)
	f := newFixture(t, &invites.Config{Seats: tenancySeats{ten}})
	invite := func(i int) (invites.Created, error) {
		return f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember,
			Email: fmt.Sprintf("member%d@acme.example", i), AccountID: acc.Account.ID})
	}
	var first invites.Created
	for i := range tenancy.DefaultTeamMembers {
		c, err := invite(i)
		require.NoError(t, err, "invitation %d", i)
		if i == 0 {
			first = c
		}
	}
	_, err = invite(10)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "the 11th")
	_, err = f.svc.Revoke(f.ctx, "p1", first.Invitation.ID)
	require.NoError(t, err)
	_, err = invite(10)
	require.NoError(t, err, "revoking freed a place")
	allocs, err := ten.Allocations(ctx, "p1", acc.Account.ID)
	require.NoError(t, err)
	require.Len(t, allocs, 1)
	assert.EqualValues(t, 10, allocs[0].Used)
}

// TestInviterCannotGrantMoreThanHeld: the host's Authorize rule refuses a
// team member inviting with permissions they do not have themselves.
func TestInviterCannotGrantMoreThanHeld(t *testing.T) {
	held := map[string][]string{"inviter-1": {"live_chat", "leads"}}
	f := newFixture(t, &invites.Config{Authorize: func(_ context.Context, a invites.Action) error {
		for _, p := range a.Invitation.Permissions {
			if !slices.Contains(held[a.Principal.UserID], p) {
				return errors.New("cannot grant " + p)
			}
		}
		return nil
	}})
	_, err := f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember, Email: "a@x.example",
		AccountID: "acc-1", Permissions: []string{"live_chat", "billing"}})
	require.ErrorIs(t, err, invites.ErrForbidden)
	_, err = f.svc.Create(f.ctx, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember, Email: "a@x.example",
		AccountID: "acc-1", Permissions: []string{"live_chat"}})
	require.NoError(t, err)
}
