package licensing

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTransitions walks every operation from every state, legal and
// illegal: a legal one stores the expected state and records exactly the
// expected history entries (one per transition, a clock-driven expiry or
// lapse first when one is due); an illegal one is ErrTransition.
func TestTransitions(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	base := License{ID: "l1", AccountID: "acc-1", PlanID: "basic", Status: Active, StartsAt: now.Add(-24 * time.Hour),
		EndsAt: now.Add(30 * 24 * time.Hour), Grace: 72 * time.Hour, Version: 3}
	states := map[string]License{
		"active":            base,
		"active in grace":   with(base, func(l *License) { l.PaymentFailedAt = now.Add(-time.Hour) }),
		"active past grace": with(base, func(l *License) { l.PaymentFailedAt = now.Add(-100 * time.Hour) }),
		"active past end":   with(base, func(l *License) { l.EndsAt = now.Add(-time.Hour) }),
		"inactive":          with(base, func(l *License) { l.Status, l.PaymentFailedAt = Inactive, now.Add(-100*time.Hour) }),
		"inactive past end": with(base, func(l *License) {
			l.Status, l.PaymentFailedAt, l.EndsAt = Inactive, now.Add(-100*time.Hour), now.Add(-time.Hour)
		}),
		"expired": with(base, func(l *License) { l.Status, l.EndsAt = Expired, now.Add(-time.Hour) }),
		"revoked": with(base, func(l *License) { l.Status = Revoked }),
	}
	ops := map[string]change{
		"assign": {kind: Assigned, account: "acc-2"}, "move": {kind: Moved, account: "acc-2"}, "unassign": {kind: Unassigned},
		"renew": {kind: Renewed, endsAt: now.Add(365 * 24 * time.Hour)}, "change plan": {kind: PlanChanged, planID: "pro"},
		"payment failed": {kind: PaymentFailed}, "paid": {kind: PaymentReceived}, "revoke": {kind: RevokedEvent}, "sweep": {},
	}
	type want struct {
		status Status
		kinds  []EventKind
	}
	illegal := want{}
	expect := map[string]map[string]want{
		"active": {
			"assign": illegal, "move": {Active, k(Moved)}, "unassign": {Active, k(Unassigned)}, "renew": {Active, k(Renewed)},
			"change plan": {Active, k(PlanChanged)}, "payment failed": {Active, k(PaymentFailed)}, "paid": illegal,
			"revoke": {Revoked, k(RevokedEvent)}, "sweep": illegal,
		},
		"active in grace": {
			"assign": illegal, "move": {Active, k(Moved)}, "unassign": {Active, k(Unassigned)}, "renew": {Active, k(Renewed)},
			"change plan": {Active, k(PlanChanged)}, "payment failed": illegal, "paid": {Active, k(PaymentReceived)},
			"revoke": {Revoked, k(RevokedEvent)}, "sweep": illegal,
		},
		"active past grace": {
			"assign": illegal, "move": {Inactive, k(Lapsed, Moved)}, "unassign": {Inactive, k(Lapsed, Unassigned)},
			"renew": {Inactive, k(Lapsed, Renewed)}, "change plan": {Inactive, k(Lapsed, PlanChanged)}, "payment failed": illegal,
			"paid": {Active, k(Lapsed, Reactivated)}, "revoke": {Revoked, k(Lapsed, RevokedEvent)}, "sweep": {Inactive, k(Lapsed)},
		},
		"active past end": {
			"assign": illegal, "move": illegal, "unassign": {Expired, k(ExpiredEvent, Unassigned)}, "renew": {Active, k(ExpiredEvent, Renewed)},
			"change plan": {Expired, k(ExpiredEvent, PlanChanged)}, "payment failed": illegal, "paid": illegal,
			"revoke": {Revoked, k(ExpiredEvent, RevokedEvent)}, "sweep": {Expired, k(ExpiredEvent)},
		},
		"inactive": {
			"assign": illegal, "move": {Inactive, k(Moved)}, "unassign": {Inactive, k(Unassigned)}, "renew": {Inactive, k(Renewed)},
			"change plan": {Inactive, k(PlanChanged)}, "payment failed": illegal, "paid": {Active, k(Reactivated)},
			"revoke": {Revoked, k(RevokedEvent)}, "sweep": illegal,
		},
		"inactive past end": {
			"assign": illegal, "move": illegal, "unassign": {Expired, k(ExpiredEvent, Unassigned)},
			"renew": {Inactive, k(ExpiredEvent, Renewed)}, "change plan": {Expired, k(ExpiredEvent, PlanChanged)},
			"payment failed": illegal, "paid": illegal, "revoke": {Revoked, k(ExpiredEvent, RevokedEvent)}, "sweep": {Expired, k(ExpiredEvent)},
		},
		"expired": {
			"assign": illegal, "move": illegal, "unassign": {Expired, k(Unassigned)}, "renew": {Active, k(Renewed)},
			"change plan": {Expired, k(PlanChanged)}, "payment failed": illegal, "paid": illegal,
			"revoke": {Revoked, k(RevokedEvent)}, "sweep": illegal,
		},
		"revoked": {
			"assign": illegal, "move": illegal, "unassign": illegal, "renew": illegal, "change plan": illegal,
			"payment failed": illegal, "paid": illegal, "revoke": illegal, "sweep": illegal,
		},
	}
	for sname, l := range states {
		for oname, c := range ops {
			t.Run(sname+"/"+oname, func(t *testing.T) {
				w, ok := expect[sname][oname]
				require.True(t, ok, "no expectation")
				next, hist, err := transition(l, c, now)
				if w.kinds == nil {
					require.ErrorIs(t, err, ErrTransition)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, w.status, next.Status)
				var kinds []EventKind
				for _, h := range hist {
					kinds = append(kinds, h.Kind)
					assert.Equal(t, now, h.At)
				}
				assert.Equal(t, w.kinds, kinds)
				assert.Equal(t, l.Version+1, next.Version)
			})
		}
	}
	// Assigning needs an unassigned license.
	free := with(base, func(l *License) { l.AccountID = "" })
	next, hist, err := transition(free, ops["assign"], now)
	require.NoError(t, err)
	assert.Equal(t, "acc-2", next.AccountID)
	assert.Equal(t, k(Assigned), []EventKind{hist[0].Kind})
	_, _, err = transition(with(free, func(l *License) { l.Status = Revoked }), ops["assign"], now)
	require.ErrorIs(t, err, ErrTransition)
	// A missed payment without grace lapses at once: two transitions.
	_, hist, err = transition(with(base, func(l *License) { l.Grace = 0 }), ops["payment failed"], now)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprint(k(PaymentFailed, Lapsed)), fmt.Sprint(kindsOf(hist)))
}

func with(l License, f func(*License)) License { f(&l); return l }

func k(kinds ...EventKind) []EventKind { return kinds }

func kindsOf(h []HistoryEntry) []EventKind {
	var out []EventKind
	for _, e := range h {
		out = append(out, e.Kind)
	}
	return out
}

func TestStatusAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	l := License{Status: Active, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), Grace: time.Hour}
	assert.True(t, l.ActiveAt(now))
	assert.False(t, l.ActiveAt(now.Add(-2*time.Hour)), "not started")
	assert.Equal(t, Expired, l.StatusAt(now.Add(time.Hour)), "the end is exclusive")
	l.PaymentFailedAt, l.EndsAt = now, now.Add(24*time.Hour)
	assert.Equal(t, Active, l.StatusAt(now.Add(time.Hour-time.Nanosecond)))
	assert.Equal(t, Inactive, l.StatusAt(now.Add(time.Hour)), "the grace deadline is exclusive")
	assert.Equal(t, Expired, l.StatusAt(now.Add(24*time.Hour)), "the end wins over the grace")
}
