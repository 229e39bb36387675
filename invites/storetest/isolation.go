package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/invites"
)

// testPlatformIsolation calls every method with another platform's ID on
// platform A's invitations: each is ErrNotFound or finds nothing, writes
// nothing, and A's invitations stay as they were.
func testPlatformIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	inv := a.invitation(func(i *invites.Invitation) { i.Kind = invites.KindManager })
	done := a.invitation(decide(invites.Revoked, actor, at(time.Minute)))
	before := at(-day)
	countA := a.count("", before)

	b := a.other()
	b.invitation() // B is not empty
	b.invitation()

	conformance.OtherPlatforms(t, b.pid, newID(), func(t *testing.T, pid string) {
		ctx, s := a.ctx, a.s
		var evs []audit.Event
		ev := func(action string) audit.Event {
			e := audit.Event{PlatformID: pid, ID: newID(), At: base, ActorID: actor, Action: action}
			evs = append(evs, e)
			return e
		}
		notFound := func(err error, what string) {
			t.Helper()
			require.ErrorIs(t, err, invites.ErrNotFound, what)
		}
		countBefore, err := s.CountSince(ctx, pid, "", before)
		require.NoError(t, err, "CountSince")

		for _, x := range []invites.Invitation{inv, done} {
			_, err := s.Get(ctx, pid, x.ID)
			notFound(err, "Get")
			_, err = s.GetByToken(ctx, pid, x.TokenHash)
			notFound(err, "GetByToken")
			up := x
			up.PlatformID, up.Version = pid, x.Version+1
			up.Status, up.DecidedAt, up.DecidedBy, up.TokenHash = invites.Revoked, at(day), actor, newTokenHash()
			notFound(s.Update(ctx, up, ev("invitation.revoke")), "Update")
			_, err = s.Claim(ctx, invites.Claim{
				PlatformID: pid, TokenHash: x.TokenHash, UserID: "user-" + newID(),
				Now: x.CreatedAt.Add(time.Hour), Event: ev("invitation.accept"),
			})
			notFound(err, "Claim")
		}
		for _, q := range []invites.Query{
			{}, {Status: invites.Pending}, {PendingAt: inv.CreatedAt}, {Kind: inv.Kind},
			{InviterID: inv.InviterID}, {AccountID: inv.AccountID}, {ResourceID: inv.ResourceID},
			{Email: inv.Email}, {After: &invites.Cursor{CreatedAt: at(365 * day), ID: inv.ID}},
		} {
			q.PlatformID, q.Limit = pid, listAll
			got, err := s.List(ctx, q)
			require.NoError(t, err, "List %+v", q)
			for _, x := range got {
				require.Equal(t, pid, x.PlatformID, "List %+v", q)
				require.NotContains(t, []string{inv.ID, done.ID}, x.ID, "List %+v", q)
			}
		}
		n, err := s.CountSince(ctx, pid, inv.InviterID, before)
		require.NoError(t, err, "CountSince by inviter")
		require.Zero(t, n, "CountSince by A's inviter")
		n, err = s.CountSince(ctx, pid, "", before)
		require.NoError(t, err, "CountSince")
		require.Equal(t, countBefore, n, "CountSince")

		a.with(t).requireNoEvent(evs...)
	})

	// A's invitations are as they were, and still work.
	a.requireStored(inv, done)
	requireInvitations(t, newestFirst([]invites.Invitation{inv, done}), a.list(invites.Query{}))
	require.Equal(t, countA, a.count("", before))
	a.requireClaimed(inv, a.claim(inv, inv.CreatedAt.Add(time.Hour)))
}

// testPlatformSameKey stores on platform B a pending invitation for the
// same kind, email, account and resource as one pending on A: keys are per
// platform, so neither blocks the other, and each platform reads its own.
func testPlatformSameKey(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	invA := a.invitation(func(i *invites.Invitation) { i.Kind = invites.KindManager })
	invB := b.insert(b.sameKey(invA))
	a.requireStored(invA)
	b.requireStored(invB)
	requireInvitations(t, []invites.Invitation{invA}, a.list(invites.Query{Email: invA.Email}))
	requireInvitations(t, []invites.Invitation{invB}, b.list(invites.Query{Email: invA.Email}))
	// Claiming on one leaves the other pending.
	b.requireClaimed(invB, b.claim(invB, invB.CreatedAt.Add(time.Hour)))
	a.requireStored(invA)
	a.requireClaimed(invA, a.claim(invA, invA.CreatedAt.Add(time.Hour)))
}
