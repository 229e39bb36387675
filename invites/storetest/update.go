package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/invites"
)

// testUpdate writes each decision and checks that Get returns it and the
// event landed.
func testUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, s := range []invites.Status{invites.Revoked, invites.Declined, invites.Accepted} {
		inv := e.invitation()
		e.update(inv, decide(s, "user-"+newID(), inv.CreatedAt.Add(time.Hour+time.Microsecond)))
	}
	// Two updates in a row.
	inv := e.invitation()
	inv = e.update(inv, func(i *invites.Invitation) { i.SentAt = i.SentAt.Add(time.Minute) })
	inv = e.update(inv, decide(invites.Revoked, actor, inv.SentAt.Add(time.Second)))
	require.EqualValues(t, 3, inv.Version)
}

// testUpdateNewToken resends an invitation with a new token: the old hash
// no longer finds it, nor claims it, and no longer blocks an insert.
func testUpdateNewToken(t *testing.T, h Harness) {
	e := setup(t, h)
	inv := e.invitation()
	old := inv.TokenHash
	inv = e.update(inv, func(i *invites.Invitation) {
		i.TokenHash, i.SentAt = newTokenHash(), i.SentAt.Add(2*time.Hour+5*time.Microsecond)
	})
	_, err := e.s.GetByToken(e.ctx, e.pid, old)
	require.ErrorIs(t, err, invites.ErrNotFound, "GetByToken with the replaced hash")
	r := e.claim(inv, inv.SentAt.Add(time.Minute))
	r.TokenHash = old
	e.requireClaimRefused(r, invites.ErrNotFound, &inv, "claim with the replaced hash")
	e.requireClaimed(inv, e.claim(inv, inv.SentAt.Add(time.Minute)))
}

// testUpdateStale writes from a version other than the stored one: each is
// ErrStale and writes nothing.
func testUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	inv := e.invitation()
	inv = e.update(inv, func(i *invites.Invitation) { i.SentAt = i.SentAt.Add(time.Minute) })
	for _, v := range []int64{inv.Version - 1, inv.Version, inv.Version + 2} {
		u := inv
		u.Version, u.TokenHash = v, newTokenHash()
		u.Status, u.DecidedAt, u.DecidedBy = invites.Revoked, at(day), actor
		ev := e.event("invitation.revoke", u)
		require.ErrorIs(t, e.s.Update(e.ctx, u, ev), invites.ErrStale, "version %d over %d", v, inv.Version)
		e.requireNoEvent(ev)
		e.requireStored(inv)
		_, err := e.s.GetByToken(e.ctx, e.pid, u.TokenHash)
		require.ErrorIs(t, err, invites.ErrNotFound, "the stale update's token hash")
	}
}

// testUpdateNotFound updates an invitation that was never stored.
func testUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	e.invitation()
	for _, v := range []int64{1, 2} {
		inv := e.newInvitation(func(i *invites.Invitation) { i.Version = v })
		ev := e.event("invitation.revoke", inv)
		require.ErrorIs(t, e.s.Update(e.ctx, inv, ev), invites.ErrNotFound, "version %d", v)
		e.requireNoEvent(ev)
		e.requireNoInvitation(inv.ID)
	}
}
