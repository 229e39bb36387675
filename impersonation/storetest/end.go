package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
)

// allReasons lists every EndReason.
var allReasons = []impersonation.EndReason{
	impersonation.EndExit, impersonation.EndExpired, impersonation.EndRefused,
	impersonation.EndAccountClosed, impersonation.EndUserClosed,
}

// testEnd ends sessions for every reason: each returns the ended session,
// stores it so (still found by its token hash) and writes its event; the
// session's neighbours stay live.
func testEnd(t *testing.T, h Harness) {
	e := setup(t, h)
	acct, staff := "acct-"+newID(), "staff-"+newID()
	var live []impersonation.Session
	for _, r := range allReasons {
		s := e.session(func(s *impersonation.Session) { s.AccountID, s.ActorID = acct, staff })
		other := e.session(func(s *impersonation.Session) { s.AccountID, s.ActorID = acct, staff })
		e.requireEnd(s, e.endOf(s, s.StartedAt.Add(10*time.Minute+7*time.Microsecond), r))
		live = append(live, other)
	}
	e.requireStored(live...)
	requireSessions(t, newestFirst(live), e.list(impersonation.Query{ActiveAt: live[len(live)-1].StartedAt.Add(20 * time.Minute)}))
}

// testEndTwice ends a session a second time, later, at the same instant
// and for another reason, and ends one stored already ended: each is
// ErrEnded and writes nothing.
func testEndTwice(t *testing.T, h Harness) {
	e := setup(t, h)
	s := e.session()
	when := s.StartedAt.Add(5 * time.Minute)
	done := e.requireEnd(s, e.endOf(s, when, impersonation.EndExit))
	e.requireEndRefused(e.endOf(s, when, impersonation.EndExit), impersonation.ErrEnded, &done, "same instant")
	e.requireEndRefused(e.endOf(s, when.Add(time.Hour), impersonation.EndExpired), impersonation.ErrEnded, &done, "later")
	e.requireEndRefused(e.endOf(s, when.Add(-time.Minute), impersonation.EndRefused), impersonation.ErrEnded, &done, "earlier")

	inserted := e.session(func(s *impersonation.Session) {
		s.EndedAt, s.EndReason = s.StartedAt.Add(time.Minute), impersonation.EndRefused
	})
	e.requireEndRefused(e.endOf(inserted, inserted.StartedAt.Add(2*time.Minute), impersonation.EndExit),
		impersonation.ErrEnded, &inserted, "inserted ended")
}

// testEndNotFound ends sessions that do not exist: an unknown ID, and a
// token hash given as the ID.
func testEndNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	s := e.session()
	unknown := e.newSession()
	e.requireEndRefused(e.endOf(unknown, unknown.StartedAt, impersonation.EndExit), impersonation.ErrNotFound, nil, "unknown ID")
	e.requireNoSession(unknown.ID)
	r := e.endOf(s, s.StartedAt, impersonation.EndExit)
	r.ID = s.TokenHash
	e.requireEndRefused(r, impersonation.ErrNotFound, &s, "token hash as ID")
}

// testEndPastExpiry ends sessions at, just before and long after their
// expiry: a store has no clock rules, so each wins.
func testEndPastExpiry(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, d := range []time.Duration{-time.Microsecond, 0, time.Microsecond, 30 * day} {
		s := e.session()
		e.requireEnd(s, e.endOf(s, s.ExpiresAt.Add(d), impersonation.EndExpired))
	}
	// Even before it started.
	s := e.session()
	e.requireEnd(s, e.endOf(s, s.StartedAt.Add(-time.Second), impersonation.EndRefused))
}

// testEndEventFails ends a session with an event that cannot be written
// (its ID is taken): End fails and the session stays live, so a later End
// wins.
func testEndEventFails(t *testing.T, h Harness) {
	e := setup(t, h)
	used := e.session()
	ur := e.endOf(used, used.StartedAt.Add(time.Minute), impersonation.EndExit)
	e.requireEnd(used, ur)

	s := e.session()
	r := e.endOf(s, s.StartedAt.Add(time.Minute), impersonation.EndRefused)
	r.Event.ID = ur.Event.ID
	_, err := e.s.End(e.ctx, r)
	require.Error(t, err, "end with an event ID in use")
	e.requireStored(s)
	e.requireEvent(ur.Event) // the first event is untouched
	e.requireEnd(s, e.endOf(s, s.StartedAt.Add(2*time.Minute), impersonation.EndExit))
}
