package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
)

// inAccount returns a mod that puts a session in account acct.
func inAccount(acct string) func(*impersonation.Session) {
	return func(s *impersonation.Session) { s.AccountID = acct }
}

// ended returns a mod that stores a session already ended, a minute after
// it started, for reason r.
func ended(r impersonation.EndReason) func(*impersonation.Session) {
	return func(s *impersonation.Session) { s.EndedAt, s.EndReason = s.StartedAt.Add(time.Minute), r }
}

// testEndAllByAccount ends every session of an account not ended yet,
// live or past its expiry, and only those.
func testEndAllByAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := "acct-"+newID(), "acct-"+newID()
	a := e.session(inAccount(x))
	b := e.session(inAccount(x), func(s *impersonation.Session) { s.Mode, s.ReadOnly = impersonation.AsStaff, true })
	c := e.session(inAccount(x), func(s *impersonation.Session) { s.ExpiresAt = s.StartedAt.Add(time.Second) })
	d := e.session(inAccount(x), ended(impersonation.EndExit))
	other := e.session(inAccount(y), func(s *impersonation.Session) { s.ActorID, s.SubjectID = a.ActorID, a.SubjectID })
	o := e.other()
	elsewhere := o.session(inAccount(x))

	e.requireEndAll(impersonation.EndAll{AccountID: x, At: at(2*time.Hour + 5*time.Microsecond), Reason: impersonation.EndAccountClosed}, a, b, c)
	e.requireStored(d, other)
	o.requireStored(elsewhere)
}

// testEndAllByUser ends every session whose actor or subject is the user,
// in any account, and only those.
func testEndAllByUser(t *testing.T, h Harness) {
	e := setup(t, h)
	u, x := "user-"+newID(), "acct-"+newID()
	asActor := e.session(inAccount(x), func(s *impersonation.Session) { s.ActorID = u })
	asSubject := e.session(inAccount(x), func(s *impersonation.Session) { s.SubjectID = u })
	elsewhere := e.session(func(s *impersonation.Session) { s.ActorID, s.Mode = u, impersonation.AsPartner })
	neither := e.session(inAccount(x))
	done := e.session(func(s *impersonation.Session) { s.ActorID = u }, ended(impersonation.EndRefused))
	o := e.other()
	theirs := o.session(func(s *impersonation.Session) { s.ActorID = u })
	theirs2 := o.session(func(s *impersonation.Session) { s.SubjectID = u })

	e.requireEndAll(impersonation.EndAll{UserID: u, At: at(3 * time.Hour), Reason: impersonation.EndUserClosed},
		asActor, asSubject, elsewhere)
	e.requireStored(neither, done)
	o.requireStored(theirs, theirs2)
	// Matching is exact: a user ID that is a prefix of another's matches
	// nothing.
	e.requireEndAll(impersonation.EndAll{UserID: u[:len(u)-1], At: at(4 * time.Hour), Reason: impersonation.EndUserClosed})
}

// testEndAllByAccountAndUser ends the sessions matching both the account
// and the user, and only those.
func testEndAllByAccountAndUser(t *testing.T, h Harness) {
	e := setup(t, h)
	u, x, y := "user-"+newID(), "acct-"+newID(), "acct-"+newID()
	actorX := e.session(inAccount(x), func(s *impersonation.Session) { s.ActorID = u })
	subjectX := e.session(inAccount(x), func(s *impersonation.Session) { s.SubjectID = u })
	actorY := e.session(inAccount(y), func(s *impersonation.Session) { s.ActorID = u })
	subjectY := e.session(inAccount(y), func(s *impersonation.Session) { s.SubjectID = u })
	neitherX := e.session(inAccount(x))

	e.requireEndAll(impersonation.EndAll{AccountID: x, UserID: u, At: at(2 * time.Hour), Reason: impersonation.EndUserClosed},
		actorX, subjectX)
	e.requireStored(actorY, subjectY, neitherX)
	e.requireEndAll(impersonation.EndAll{AccountID: y, UserID: u, At: at(3 * time.Hour), Reason: impersonation.EndAccountClosed},
		actorY, subjectY)
	e.requireStored(neitherX)
}

// testEndAllExpiredOnly sweeps sessions whose ExpiresAt is at or before
// At, on the whole platform and within an account, and leaves the others.
func testEndAllExpiredOnly(t *testing.T, h Harness) {
	e := setup(t, h)
	x := "acct-" + newID()
	sweep := at(day + 7*time.Microsecond)
	expires := func(d time.Duration) func(*impersonation.Session) {
		return func(s *impersonation.Session) { s.ExpiresAt = sweep.Add(d) }
	}
	before := e.session(expires(-time.Microsecond))
	exactly := e.session(expires(0), inAccount(x))
	longAgo := e.session(expires(-day + time.Hour))
	after := e.session(expires(time.Microsecond), inAccount(x))
	later := e.session(expires(day))
	laterX := e.session(expires(day), inAccount(x))
	done := e.session(expires(-time.Hour), ended(impersonation.EndExit))
	o := e.other()
	theirs := o.session(expires(-time.Hour))

	e.requireEndAll(impersonation.EndAll{ExpiredOnly: true, At: sweep, Reason: impersonation.EndExpired},
		before, exactly, longAgo)
	e.requireStored(after, later, laterX, done)
	o.requireStored(theirs)

	// Within an account, a microsecond later.
	e.requireEndAll(impersonation.EndAll{AccountID: x, ExpiredOnly: true, At: sweep.Add(time.Microsecond), Reason: impersonation.EndExpired},
		after)
	e.requireStored(later, laterX)
	// By user, and everything that is left.
	e.requireEndAll(impersonation.EndAll{UserID: later.SubjectID, ExpiredOnly: true, At: sweep.Add(day), Reason: impersonation.EndExpired},
		later)
	e.requireEndAll(impersonation.EndAll{ExpiredOnly: true, At: sweep.Add(2 * day), Reason: impersonation.EndExpired},
		laterX)
}

// testEndAllLimit ends matching sessions in batches: each batch is the
// oldest (StartedAt then ID) of those still live, ties included.
func testEndAllLimit(t *testing.T, h Harness) {
	e := setup(t, h)
	x := "acct-" + newID()
	t1, t2 := at(time.Hour), at(2*time.Hour+3*time.Microsecond)
	starts := func(when time.Time) func(*impersonation.Session) {
		return func(s *impersonation.Session) { s.StartedAt, s.ExpiresAt = when, when.Add(time.Hour) }
	}
	var all []impersonation.Session
	for _, when := range []time.Time{t2, t1, t2, t1, t1, t2, t1.Add(-time.Microsecond)} {
		all = append(all, e.session(inAccount(x), starts(when)))
	}
	live := e.session(starts(t1)) // another account
	all = oldestFirst(all)

	r := func(limit int) impersonation.EndAll {
		return impersonation.EndAll{AccountID: x, Limit: limit, At: at(3*time.Hour + time.Duration(limit)*time.Microsecond), Reason: impersonation.EndAccountClosed}
	}
	e.requireEndAll(r(1), all[0])
	e.requireEndAll(r(3), all[1:4]...)
	e.requireEndAll(r(2), all[4:6]...)
	e.requireEndAll(r(5), all[6])
	e.requireEndAll(r(4))
	e.requireStored(live)

	// A sweep in batches: ExpiredOnly with a limit.
	var expired []impersonation.Session
	for _, when := range []time.Time{t2, t1, t2} {
		expired = append(expired, e.session(starts(when)))
	}
	expired = oldestFirst(append(expired, live))
	sweep := func(limit int) impersonation.EndAll {
		return impersonation.EndAll{ExpiredOnly: true, Limit: limit, At: at(day + time.Duration(limit)*time.Microsecond), Reason: impersonation.EndExpired}
	}
	e.requireEndAll(sweep(3), expired[:3]...)
	e.requireEndAll(sweep(2), expired[3])
}

// testEndAllSkipsEnded checks that EndAll never touches a session already
// ended, by End or inserted so, and ends nothing when called again.
func testEndAllSkipsEnded(t *testing.T, h Harness) {
	e := setup(t, h)
	x, u := "acct-"+newID(), "user-"+newID()
	byEnd := e.session(inAccount(x), func(s *impersonation.Session) { s.ActorID = u })
	byEnd = e.requireEnd(byEnd, e.endOf(byEnd, byEnd.StartedAt.Add(time.Minute), impersonation.EndExit))
	inserted := e.session(inAccount(x), ended(impersonation.EndRefused))
	live := e.session(inAccount(x), func(s *impersonation.Session) { s.SubjectID = u })

	r := impersonation.EndAll{AccountID: x, UserID: u, At: at(5 * time.Hour), Reason: impersonation.EndUserClosed}
	e.requireEndAll(r, live)
	e.requireStored(byEnd, inserted)
	r.At = r.At.Add(time.Hour)
	e.requireEndAll(r)
	e.requireEndAll(impersonation.EndAll{AccountID: x, At: r.At, Reason: impersonation.EndAccountClosed})
	e.requireEndAll(impersonation.EndAll{ExpiredOnly: true, At: at(30 * day), Reason: impersonation.EndExpired})
	e.requireStored(byEnd, inserted, endedAs(live, at(5*time.Hour), impersonation.EndUserClosed))
}

// testEndAllNoMatch ends nothing: an unknown account or user, a known
// account with an unknown user, nothing expired yet, and a platform
// without sessions. Each returns no session and writes no event.
func testEndAllNoMatch(t *testing.T, h Harness) {
	e := setup(t, h)
	s := e.session()
	when := s.StartedAt.Add(time.Minute)
	for _, r := range []impersonation.EndAll{
		{AccountID: "acct-" + newID()},
		{UserID: "user-" + newID()},
		{AccountID: s.AccountID, UserID: "user-" + newID()},
		{AccountID: "acct-" + newID(), UserID: s.ActorID},
		{AccountID: s.ActorID},
		{UserID: s.AccountID},
		{ExpiredOnly: true},
		{AccountID: s.AccountID, ExpiredOnly: true},
		{UserID: s.SubjectID, ExpiredOnly: true, Limit: 1},
	} {
		r.At, r.Reason = when, impersonation.EndAccountClosed
		e.requireEndAll(r)
	}
	e.other().requireEndAll(impersonation.EndAll{At: when, Reason: impersonation.EndAccountClosed})
	e.requireStored(s)
}

// testEndAllEventFails ends sessions where one event cannot be written
// (its ID is taken): EndAll fails and every session stays live, so a
// later EndAll ends them all.
//
// It does not check that the events written before the failing one are
// gone: an in-memory store cannot take them back from its audit store.
func testEndAllEventFails(t *testing.T, h Harness) {
	e := setup(t, h)
	x := "acct-" + newID()
	a, b, c := e.session(inAccount(x)), e.session(inAccount(x)), e.session(inAccount(x))
	used := e.event(actionRefuse, a)
	require.NoError(t, e.s.Record(e.ctx, used))

	for _, fail := range []impersonation.Session{a, b, c} {
		r, bld := e.endAll(impersonation.EndAll{AccountID: x, At: at(2 * time.Hour), Reason: impersonation.EndAccountClosed})
		bld.fail, bld.failWith = fail.ID, used
		_, err := e.s.EndAll(e.ctx, r)
		require.Error(t, err, "end all with the event of %s failing", fail.ID)
		e.requireStored(a, b, c)
		e.requireEvent(used)
	}
	// The failed calls may have left end events of their own (see above), so
	// this one's are checked as written, not as the only ones.
	r, bld := e.endAll(impersonation.EndAll{AccountID: x, At: at(3 * time.Hour), Reason: impersonation.EndAccountClosed})
	got, err := e.s.EndAll(e.ctx, r)
	require.NoError(t, err, "end all")
	want := oldestFirst([]impersonation.Session{
		endedAs(a, r.At, r.Reason), endedAs(b, r.At, r.Reason), endedAs(c, r.At, r.Reason),
	})
	requireSessions(t, want, got)
	e.requireStored(want...)
	for _, s := range want {
		ev, ok := bld.built[s.ID]
		require.True(t, ok, "EndAll calls Event for session %s", s.ID)
		e.requireEvent(ev)
	}
}
