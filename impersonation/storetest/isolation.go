package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/conformance"
)

// testRecord writes events alone, about a session and about none: each
// lands as given, and no session changes.
func testRecord(t *testing.T, h Harness) {
	e := setup(t, h)
	s := e.session()
	refused := e.event(actionRefuse, s)
	require.NoError(t, e.s.Record(e.ctx, refused))
	bare := audit.Event{PlatformID: e.pid, ID: newID(), At: at(time.Hour), ActorID: "staff-" + newID(), Action: actionRefuse}
	require.NoError(t, e.s.Record(e.ctx, bare))
	e.requireEvent(refused, bare)
	e.requireStored(s)
	requireSessions(t, []impersonation.Session{s}, e.list(impersonation.Query{ActiveAt: s.StartedAt}))

	// On a platform without sessions.
	o := e.other()
	ev := o.event(actionRefuse, o.newSession())
	require.NoError(t, o.s.Record(o.ctx, ev))
	o.requireEvent(ev)
	require.Empty(t, o.list(impersonation.Query{}))
}

// testPlatformIsolation calls every method with another platform's ID on
// platform A's sessions: each is ErrNotFound or finds nothing, writes
// nothing, and A's sessions stay as they were.
func testPlatformIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	live := a.session(func(s *impersonation.Session) { s.Mode = impersonation.AsStaff })
	done := a.session(ended(impersonation.EndExit))

	b := a.other()
	theirs := []impersonation.Session{b.session(), b.session()} // B is not empty

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
			require.ErrorIs(t, err, impersonation.ErrNotFound, what)
		}
		mine := map[string]bool{live.ID: true, done.ID: true}
		requireNotMine := func(got []impersonation.Session, what string) {
			t.Helper()
			for _, x := range got {
				require.Equal(t, pid, x.PlatformID, what)
				require.False(t, mine[x.ID], "%s: found A's session %s", what, x.ID)
			}
		}

		for _, x := range []impersonation.Session{live, done} {
			_, err := s.Get(ctx, pid, x.ID)
			notFound(err, "Get")
			_, err = s.GetByToken(ctx, pid, x.TokenHash)
			notFound(err, "GetByToken")
			_, err = s.End(ctx, impersonation.End{
				PlatformID: pid, ID: x.ID, At: x.StartedAt.Add(time.Minute), Reason: impersonation.EndExit,
				Event: ev(actionEnd),
			})
			notFound(err, "End")

			far := x.ExpiresAt.Add(day)
			for _, r := range []impersonation.EndAll{
				{AccountID: x.AccountID},
				{UserID: x.ActorID},
				{UserID: x.SubjectID},
				{AccountID: x.AccountID, UserID: x.ActorID},
				{AccountID: x.AccountID, ExpiredOnly: true, At: far},
				{UserID: x.SubjectID, ExpiredOnly: true, At: far, Limit: 1},
			} {
				r.PlatformID, r.Reason = pid, impersonation.EndAccountClosed
				if r.At.IsZero() {
					r.At = x.StartedAt.Add(time.Minute)
				}
				bld := newBuilder(pid)
				r.Event = bld.event
				got, err := s.EndAll(ctx, r)
				require.NoError(t, err, "EndAll %+v", r)
				require.Empty(t, got, "EndAll %+v", r)
				requireNotMine(bld.given, "EndAll's callback")
				evs = append(evs, bld.events()...)
			}
		}
		for _, q := range []impersonation.Query{
			{}, {AccountID: live.AccountID}, {ActorID: live.ActorID}, {SubjectID: live.SubjectID},
			{ActiveAt: live.StartedAt}, {AccountID: done.AccountID, ActorID: done.ActorID, SubjectID: done.SubjectID},
			{After: &impersonation.Cursor{StartedAt: at(365 * day), ID: live.ID}},
		} {
			q.PlatformID, q.Limit = pid, listAll
			got, err := s.List(ctx, q)
			require.NoError(t, err, "List %+v", q)
			requireNotMine(got, "List")
		}

		a.with(t).requireNoEvent(evs...)
	})

	// Every platform's sessions are as they were, and A's still work.
	b.requireStored(theirs...)
	a.requireStored(live, done)
	requireSessions(t, newestFirst([]impersonation.Session{live, done}), a.list(impersonation.Query{}))
	a.requireEnd(live, a.endOf(live, live.StartedAt.Add(time.Minute), impersonation.EndExit))
}

// testPlatformSameIDs stores on platform B a session with the ID and the
// token hash of one on A: both are per platform, so neither blocks the
// other, each platform reads its own, and ending one leaves the other.
func testPlatformSameIDs(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	sA := a.session()
	sB := b.session(func(s *impersonation.Session) {
		s.ID, s.TokenHash, s.AccountID, s.ActorID = sA.ID, sA.TokenHash, sA.AccountID, sA.ActorID
	})
	a.requireStored(sA)
	b.requireStored(sB)
	requireSessions(t, []impersonation.Session{sA}, a.list(impersonation.Query{AccountID: sA.AccountID}))
	requireSessions(t, []impersonation.Session{sB}, b.list(impersonation.Query{AccountID: sA.AccountID}))
	// Within B, the ID and hash are now taken.
	b.requireInsertConflict(b.newSession(func(s *impersonation.Session) { s.ID = sA.ID }), sB, "ID in use on B")
	b.requireInsertConflict(b.newSession(func(s *impersonation.Session) { s.TokenHash = sA.TokenHash }), sB, "hash in use on B")

	// Ending on one leaves the other live.
	b.requireEnd(sB, b.endOf(sB, sB.StartedAt.Add(time.Minute), impersonation.EndExit))
	a.requireStored(sA)
	a.requireEndAll(impersonation.EndAll{AccountID: sA.AccountID, At: at(time.Hour), Reason: impersonation.EndAccountClosed}, sA)
}
