package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
)

// testRoundTrip stores sessions of every mode, read-only or not, with
// empty optional fields, and one already ended, and reads them back by ID,
// by token hash and in a list.
func testRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	var stored []impersonation.Session
	for _, m := range []impersonation.Mode{impersonation.AsClient, impersonation.AsPartner, impersonation.AsStaff} {
		for _, ro := range []bool{false, true} {
			stored = append(stored, e.session(func(s *impersonation.Session) { s.Mode, s.ReadOnly = m, ro }))
		}
	}
	// Empty strings where a session may have none.
	stored = append(stored, e.session(func(s *impersonation.Session) {
		s.Reason, s.Ticket, s.SubjectEmail, s.AccountName = "", "", "", ""
	}))
	// Text that needs care: quotes, non-ASCII, long.
	stored = append(stored, e.session(func(s *impersonation.Session) {
		s.Reason = "client's \"broken\" invoice — ünïcödé ✓ " + newID() + newID() + newID()
		s.AccountName, s.Ticket = "Ácme & Co. <b>", "JIRA-12'3"
	}))
	// Stored already ended (the store holds no rules), and past its expiry.
	for _, r := range []impersonation.EndReason{impersonation.EndExit, impersonation.EndExpired,
		impersonation.EndRefused, impersonation.EndAccountClosed, impersonation.EndUserClosed} {
		stored = append(stored, e.session(func(s *impersonation.Session) {
			s.EndedAt, s.EndReason = s.StartedAt.Add(17*time.Minute+3*time.Microsecond), r
		}))
	}
	stored = append(stored, e.session(func(s *impersonation.Session) { s.ExpiresAt = s.StartedAt.Add(time.Microsecond) }))
	// Times given in another zone come back in UTC, the same instant.
	zoned := e.newSession()
	want := zoned
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	zoned.StartedAt, zoned.ExpiresAt = zoned.StartedAt.In(zone), zoned.ExpiresAt.In(zone)
	e.insert(zoned)
	stored = append(stored, want)

	e.requireStored(stored...)
	requireSessions(t, newestFirst(stored), e.list(impersonation.Query{}))
}

// testGetNotFound asks for an ID and a token hash that were never stored,
// and swaps the two.
func testGetNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	s := e.session()
	_, err := e.s.Get(e.ctx, e.pid, newID())
	require.ErrorIs(t, err, impersonation.ErrNotFound, "Get")
	_, err = e.s.GetByToken(e.ctx, e.pid, newTokenHash())
	require.ErrorIs(t, err, impersonation.ErrNotFound, "GetByToken")
	_, err = e.s.GetByToken(e.ctx, e.pid, s.ID)
	require.ErrorIs(t, err, impersonation.ErrNotFound, "GetByToken with an ID")
	_, err = e.s.Get(e.ctx, e.pid, s.TokenHash)
	require.ErrorIs(t, err, impersonation.ErrNotFound, "Get with a token hash")
	e.requireStored(s)
}

// testInsertConflict inserts sessions whose ID or token hash another
// session of the platform holds, live or ended: each is ErrConflict and
// writes nothing.
func testInsertConflict(t *testing.T, h Harness) {
	e := setup(t, h)
	live := e.session()
	done := e.session(func(s *impersonation.Session) {
		s.EndedAt, s.EndReason = s.StartedAt.Add(time.Minute), impersonation.EndExit
	})
	for _, held := range []impersonation.Session{live, done} {
		byID := e.newSession(func(s *impersonation.Session) { s.ID = held.ID })
		e.requireInsertConflict(byID, held, "ID in use")
		e.requireNoToken(byID.TokenHash)

		byHash := e.newSession(func(s *impersonation.Session) { s.TokenHash = held.TokenHash })
		e.requireInsertConflict(byHash, held, "token hash in use")
		e.requireNoSession(byHash.ID)

		e.requireInsertConflict(held, held, "the same session again")
	}
	requireSessions(t, newestFirst([]impersonation.Session{live, done}), e.list(impersonation.Query{}))
	// The refused inserts left nothing behind: their own ID and hash are
	// free.
	e.session()
}

// testInsertEventFails inserts a session whose event cannot be written
// (its ID is taken): Insert fails and stores nothing, so the same session
// inserts later with a good event.
func testInsertEventFails(t *testing.T, h Harness) {
	e := setup(t, h)
	first := e.newSession()
	used := e.event(actionStart, first)
	require.NoError(t, e.s.Insert(e.ctx, first, used))

	s := e.newSession()
	ev := e.event(actionStart, s)
	ev.ID = used.ID
	require.Error(t, e.s.Insert(e.ctx, s, ev), "insert with an event ID in use")
	e.requireNoSession(s.ID)
	e.requireNoToken(s.TokenHash)
	e.requireEvent(used) // the first event is untouched
	requireSessions(t, []impersonation.Session{first}, e.list(impersonation.Query{}))

	e.insert(s)
	e.requireStored(first, s)
}
