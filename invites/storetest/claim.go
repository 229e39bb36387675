package storetest

import (
	"testing"
	"time"

	"github.com/tenantry/tenantry/invites"
)

// testClaim claims invitations of every kind: each returns the accepted
// invitation, and a second claim is ErrUsed.
func testClaim(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, k := range []invites.Kind{invites.KindAccount, invites.KindTeamMember, invites.KindManager, invites.KindStaff} {
		inv := e.invitation(func(i *invites.Invitation) { i.Kind = k })
		won := e.requireClaimed(inv, e.claim(inv, inv.CreatedAt.Add(time.Hour+3*time.Microsecond)))
		e.requireClaimRefused(e.claim(inv, inv.CreatedAt.Add(2*time.Hour)), invites.ErrUsed, &won, "second claim")
		e.requireClaimRefused(e.claim(inv, inv.CreatedAt.Add(time.Hour+3*time.Microsecond)), invites.ErrUsed, &won, "same instant")
	}
	// Claimed after an update: the version goes on from the stored one.
	inv := e.invitation()
	inv = e.update(inv, func(i *invites.Invitation) { i.SentAt = i.SentAt.Add(time.Minute) })
	e.requireClaimed(inv, e.claim(inv, inv.SentAt.Add(time.Minute)))
}

// testClaimExpired claims at, past, and just before expiry.
func testClaimExpired(t *testing.T, h Harness) {
	e := setup(t, h)
	inv := e.invitation()
	e.requireClaimRefused(e.claim(inv, inv.ExpiresAt), invites.ErrExpired, &inv, "at expiry")
	e.requireClaimRefused(e.claim(inv, inv.ExpiresAt.Add(30*day)), invites.ErrExpired, &inv, "past expiry")
	e.requireClaimed(inv, e.claim(inv, inv.ExpiresAt.Add(-time.Microsecond)))
}

// testClaimRefusals claims revoked, declined, unknown and replaced
// tokens: each has its own error and writes nothing.
func testClaimRefusals(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, c := range []struct {
		s    invites.Status
		want error
	}{
		{invites.Revoked, invites.ErrRevoked},
		{invites.Declined, invites.ErrDeclined},
		{invites.Accepted, invites.ErrUsed},
	} {
		inv := e.invitation()
		inv = e.update(inv, decide(c.s, "user-"+newID(), inv.CreatedAt.Add(time.Minute)))
		e.requireClaimRefused(e.claim(inv, inv.CreatedAt.Add(time.Hour)), c.want, &inv, string(c.s))
		// Inserted in that state.
		inv = e.invitation(decide(c.s, "user-"+newID(), at(time.Minute)))
		e.requireClaimRefused(e.claim(inv, inv.CreatedAt.Add(time.Hour)), c.want, &inv, "inserted "+string(c.s))
	}

	inv := e.invitation()
	r := e.claim(inv, inv.CreatedAt.Add(time.Hour))
	r.TokenHash = newTokenHash()
	e.requireClaimRefused(r, invites.ErrNotFound, &inv, "unknown token hash")
	r = e.claim(inv, inv.CreatedAt.Add(time.Hour))
	r.TokenHash = inv.ID
	e.requireClaimRefused(r, invites.ErrNotFound, &inv, "an ID as token hash")
}
