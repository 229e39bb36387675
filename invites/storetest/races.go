package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/invites"
)

// rounds is how many times each race is run, each on a new invitation.
const rounds = 3

// claimers is how many claims race for one invitation.
const claimers = 50

// testRaceClaim50 races 50 claims of one invitation by different users:
// exactly one wins and gets the accepted invitation, the others are
// ErrUsed, and only the winner's event lands.
func testRaceClaim50(t *testing.T, h Harness) {
	e := setup(t, h)
	for range rounds {
		inv := e.invitation()
		now := inv.CreatedAt.Add(time.Hour)
		claims := make([]invites.Claim, claimers)
		events := make([]audit.Event, claimers)
		for i := range claims {
			claims[i] = e.claim(inv, now.Add(time.Duration(i)*time.Microsecond))
			events[i] = claims[i].Event
		}
		got := make([]invites.Invitation, claimers)
		errs := conformance.Race(claimers, func(i int) error {
			var err error
			got[i], err = e.s.Claim(e.ctx, claims[i])
			return err
		})
		winner := conformance.OneWinner(t, errs, invites.ErrUsed)
		want := accepted(inv, claims[winner])
		requireInvitation(t, want, got[winner])
		e.requireStored(want)
		e.events().RequireOnly(winner, events...)
	}
}

// testRaceInsertPending races inserts of pending invitations for the same
// person and place: one wins, the others are ErrConflict and wrote
// nothing.
func testRaceInsertPending(t *testing.T, h Harness) {
	e := setup(t, h)
	const n = 16
	for range rounds {
		first := e.newInvitation(func(i *invites.Invitation) { i.Kind = invites.KindManager })
		invs := make([]invites.Invitation, n)
		events := make([]audit.Event, n)
		for i := range invs {
			invs[i] = e.sameKey(first)
			events[i] = e.event("invitation.create", invs[i])
		}
		errs := conformance.Race(n, func(i int) error {
			return e.s.Insert(e.ctx, invs[i], events[i])
		})
		winner := conformance.OneWinner(t, errs, invites.ErrConflict)
		e.requireStored(invs[winner])
		for i, inv := range invs {
			if i != winner {
				e.requireNoInvitation(inv.ID)
			}
		}
		e.events().RequireOnly(winner, events...)
		requireInvitations(t, []invites.Invitation{invs[winner]}, e.list(invites.Query{Email: first.Email}))
	}
}

// testRaceUpdate races updates of one invitation from the same version:
// one wins, the others are ErrStale and wrote nothing.
func testRaceUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	const n = 16
	inv := e.invitation()
	ups := make([]invites.Invitation, n)
	events := make([]audit.Event, n)
	for i := range ups {
		u := inv
		u.Version++
		u.TokenHash, u.SentAt = newTokenHash(), inv.SentAt.Add(time.Duration(i+1)*time.Minute)
		ups[i] = u
		events[i] = e.event("invitation.resend", u)
	}
	errs := conformance.Race(n, func(i int) error { return e.s.Update(e.ctx, ups[i], events[i]) })
	winner := conformance.OneWinner(t, errs, invites.ErrStale)
	e.requireStored(ups[winner])
	for i, u := range ups {
		if i != winner {
			_, err := e.s.GetByToken(e.ctx, e.pid, u.TokenHash)
			require.ErrorIs(t, err, invites.ErrNotFound, "loser %d's token hash", i)
		}
	}
	e.events().RequireOnly(winner, events...)
}
