package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
)

// testListFilters checks every filter of List, alone and combined, and the
// limit; results come newest first.
func testListFilters(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := "acct-"+newID(), "acct-"+newID()
	s1, s2 := "staff-"+newID(), "staff-"+newID()
	u1, u2 := "user-"+newID(), "user-"+newID()
	soon, later := at(10*time.Minute+3*time.Microsecond), at(day)
	mk := func(acct, staff, subject string, expires time.Time, done bool) impersonation.Session {
		return e.session(func(s *impersonation.Session) {
			s.AccountID, s.ActorID, s.SubjectID, s.ExpiresAt = acct, staff, subject, expires
			if done {
				ended(impersonation.EndExit)(s)
			}
		})
	}
	a := mk(x, s1, u1, later, false)
	b := mk(x, s2, u2, later, false)
	c := mk(y, s1, u2, later, true)
	d := mk(y, s2, u1, soon, false)
	f := mk(x, s1, u2, later, false)
	g := mk(y, s1, u1, later, true)
	all := []impersonation.Session{a, b, c, d, f, g}
	// Another platform's sessions of the same people and accounts.
	o := e.other()
	o.session(func(s *impersonation.Session) { s.AccountID, s.ActorID, s.SubjectID = x, s1, u1 })
	o.session(func(s *impersonation.Session) { s.AccountID, s.ActorID, s.SubjectID = y, s2, u2 })

	cases := []struct {
		name string
		q    impersonation.Query
		want []impersonation.Session
	}{
		{"all", impersonation.Query{}, all},
		{"account x", impersonation.Query{AccountID: x}, []impersonation.Session{a, b, f}},
		{"account y", impersonation.Query{AccountID: y}, []impersonation.Session{c, d, g}},
		{"actor s1", impersonation.Query{ActorID: s1}, []impersonation.Session{a, c, f, g}},
		{"actor s2", impersonation.Query{ActorID: s2}, []impersonation.Session{b, d}},
		{"subject u1", impersonation.Query{SubjectID: u1}, []impersonation.Session{a, d, g}},
		{"subject u2", impersonation.Query{SubjectID: u2}, []impersonation.Session{b, c, f}},
		{"account and actor", impersonation.Query{AccountID: x, ActorID: s1}, []impersonation.Session{a, f}},
		{"account and subject", impersonation.Query{AccountID: y, SubjectID: u1}, []impersonation.Session{d, g}},
		{"actor and subject", impersonation.Query{ActorID: s1, SubjectID: u2}, []impersonation.Session{c, f}},
		{"account, actor and subject", impersonation.Query{AccountID: x, ActorID: s2, SubjectID: u2}, []impersonation.Session{b}},
		{"active before d expires", impersonation.Query{ActiveAt: soon.Add(-time.Microsecond)}, []impersonation.Session{a, b, d, f}},
		{"active when d expires", impersonation.Query{ActiveAt: soon}, []impersonation.Session{a, b, f}},
		{"active just before all expire", impersonation.Query{ActiveAt: later.Add(-time.Microsecond)}, []impersonation.Session{a, b, f}},
		{"active when all expire", impersonation.Query{ActiveAt: later}, nil},
		{"active and account", impersonation.Query{ActiveAt: soon.Add(-time.Microsecond), AccountID: y}, []impersonation.Session{d}},
		{"active and actor", impersonation.Query{ActiveAt: soon, ActorID: s1}, []impersonation.Session{a, f}},
		{"active and subject", impersonation.Query{ActiveAt: soon, SubjectID: u1}, []impersonation.Session{a}},
		{"unknown account", impersonation.Query{AccountID: "acct-" + newID()}, nil},
		{"unknown actor", impersonation.Query{ActorID: "staff-" + newID()}, nil},
		{"unknown subject", impersonation.Query{SubjectID: "user-" + newID()}, nil},
		{"an actor as subject", impersonation.Query{SubjectID: s1}, nil},
		{"a subject as actor", impersonation.Query{ActorID: u1}, nil},
		{"an actor as account", impersonation.Query{AccountID: s1}, nil},
		{"account prefix", impersonation.Query{AccountID: x[:len(x)-1]}, nil},
		{"limit", impersonation.Query{Limit: 2}, []impersonation.Session{g, f}},
		{"limit with filter", impersonation.Query{ActorID: s1, Limit: 3}, []impersonation.Session{g, f, c}},
		{"limit above matches", impersonation.Query{AccountID: x, Limit: 4}, []impersonation.Session{a, b, f}},
	}
	for _, tc := range cases {
		got := e.list(tc.q)
		if len(tc.want) == 0 {
			require.Empty(t, got, tc.name)
			continue
		}
		require.Equal(t, ids(newestFirst(tc.want)), ids(got), tc.name)
		requireSessions(t, newestFirst(tc.want), got)
	}
}

// testListPagination pages through sessions sharing start times, with
// several page sizes, with filters, and from cursors that are no record's.
func testListPagination(t *testing.T, h Harness) {
	e := setup(t, h)
	x := "acct-" + newID()
	t1, t2, t3 := at(time.Hour), at(2*time.Hour+time.Microsecond), at(3*time.Hour+2*time.Microsecond)
	now := t3.Add(2 * time.Minute) // after every end
	var all []impersonation.Session
	for i, c := range []struct {
		at   time.Time
		done bool
	}{
		{t1, false}, {t1, true}, {t1, false},
		{t2, false}, {t2, false}, {t2, true},
		{t3, false}, {t3, true},
	} {
		all = append(all, e.session(func(s *impersonation.Session) {
			s.StartedAt, s.ExpiresAt = c.at, now.Add(time.Hour)
			if c.done {
				ended(impersonation.EndExit)(s)
			}
			if i%2 == 0 {
				s.AccountID = x
			}
		}))
	}
	e.other().session(func(s *impersonation.Session) { s.StartedAt, s.AccountID = t2, x })
	all = newestFirst(all)
	var active, inX []impersonation.Session
	for _, s := range all {
		if s.EndedAt.IsZero() {
			active = append(active, s)
		}
		if s.AccountID == x {
			inX = append(inX, s)
		}
	}

	page := func(q impersonation.Query, size int) []impersonation.Session {
		t.Helper()
		var out []impersonation.Session
		q.Limit = size
		for range 20 {
			got := e.list(q)
			require.LessOrEqual(t, len(got), size, "page size")
			out = append(out, got...)
			if len(got) < size {
				return out
			}
			last := got[len(got)-1]
			q.After = &impersonation.Cursor{StartedAt: last.StartedAt, ID: last.ID}
		}
		t.Fatalf("pagination does not end")
		return nil
	}
	for _, size := range []int{1, 2, 3, 8, 9} {
		requireSessions(t, all, page(impersonation.Query{}, size))
		requireSessions(t, active, page(impersonation.Query{ActiveAt: now}, size))
		requireSessions(t, inX, page(impersonation.Query{AccountID: x}, size))
	}

	// Cursors between records: before every ID of t2, and after every one.
	lowest, highest := "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"
	var olderThanT2, t2AndOlder []impersonation.Session
	for _, s := range all {
		if s.StartedAt.Before(t2) {
			olderThanT2 = append(olderThanT2, s)
		}
		if !s.StartedAt.After(t2) {
			t2AndOlder = append(t2AndOlder, s)
		}
	}
	requireSessions(t, olderThanT2, e.list(impersonation.Query{After: &impersonation.Cursor{StartedAt: t2, ID: lowest}}))
	requireSessions(t, t2AndOlder, e.list(impersonation.Query{After: &impersonation.Cursor{StartedAt: t2, ID: highest}}))
	require.Empty(t, e.list(impersonation.Query{After: &impersonation.Cursor{StartedAt: t1, ID: lowest}}), "after the oldest")
	requireSessions(t, all, e.list(impersonation.Query{After: &impersonation.Cursor{StartedAt: t3.Add(time.Microsecond), ID: lowest}}))
}
