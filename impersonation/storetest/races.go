package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/conformance"
)

// rounds is how many times each race is run, each on new sessions.
const rounds = 3

// enders is how many calls race to end one session.
const enders = 50

// testRaceEnd50 races 50 Ends of one session, each at its own instant:
// exactly one wins and gets the ended session, the others are ErrEnded,
// and only the winner's event lands.
func testRaceEnd50(t *testing.T, h Harness) {
	e := setup(t, h)
	for range rounds {
		s := e.session()
		ends := make([]impersonation.End, enders)
		events := make([]audit.Event, enders)
		for i := range ends {
			ends[i] = e.endOf(s, s.StartedAt.Add(time.Minute+time.Duration(i)*time.Microsecond), allReasons[i%len(allReasons)])
			events[i] = ends[i].Event
		}
		got := make([]impersonation.Session, enders)
		errs := conformance.Race(enders, func(i int) error {
			var err error
			got[i], err = e.s.End(e.ctx, ends[i])
			return err
		})
		winner := conformance.OneWinner(t, errs, impersonation.ErrEnded)
		want := endedAs(s, ends[winner].At, ends[winner].Reason)
		requireSession(t, want, got[winner])
		e.requireStored(want)
		e.events().RequireOnly(winner, events...)
		e.requireOneEndEvent(s.ID, events[winner])
	}
}

// testRaceEndAllEnd races EndAll calls (by account, by user, a sweep, a
// limited batch) with two Ends of every session, over overlapping
// sessions: every session ends exactly once, as its one winning call
// says, with exactly one end event, that call's.
func testRaceEndAllEnd(t *testing.T, h Harness) {
	e := setup(t, h)
	const sessions = 12
	for range rounds {
		x, u := "acct-"+newID(), "user-"+newID()
		var ss []impersonation.Session
		for i := range sessions {
			ss = append(ss, e.session(inAccount(x), func(s *impersonation.Session) {
				switch i % 3 {
				case 0:
					s.ActorID = u
				case 1:
					s.SubjectID = u
				}
			}))
		}
		sweepAt := ss[len(ss)-1].ExpiresAt

		// One call per slot: an EndAll with its builder, or an End.
		type call struct {
			all *impersonation.EndAll
			bld *builder
			end *impersonation.End
		}
		var calls []call
		for i, r := range []impersonation.EndAll{
			{AccountID: x, Reason: impersonation.EndAccountClosed},
			{UserID: u, Reason: impersonation.EndUserClosed},
			{AccountID: x, UserID: u, Reason: impersonation.EndUserClosed},
			{ExpiredOnly: true, At: sweepAt, Reason: impersonation.EndExpired},
			{AccountID: x, Limit: 3, Reason: impersonation.EndRefused},
		} {
			if r.At.IsZero() {
				r.At = at(2*time.Hour + time.Duration(i)*time.Microsecond)
			}
			r, bld := e.endAll(r)
			calls = append(calls, call{all: &r, bld: bld})
		}
		for i, s := range slices.Concat(ss, ss) {
			r := e.endOf(s, at(3*time.Hour+time.Duration(i)*time.Microsecond), impersonation.EndExit)
			calls = append(calls, call{end: &r})
		}

		results := make([][]impersonation.Session, len(calls))
		errs := conformance.Race(len(calls), func(i int) error {
			c := calls[i]
			if c.all != nil {
				got, err := e.s.EndAll(e.ctx, *c.all)
				results[i] = got
				return err
			}
			got, err := e.s.End(e.ctx, *c.end)
			if err == nil {
				results[i] = []impersonation.Session{got}
			}
			return err
		})

		byID := map[string]impersonation.Session{}
		for _, s := range ss {
			byID[s.ID] = s
		}
		winner := map[string]int{}
		for i, c := range calls {
			if c.end != nil && errors.Is(errs[i], impersonation.ErrEnded) {
				e.requireNoEvent(c.end.Event)
				continue
			}
			require.NoError(t, errs[i], "call %d", i)
			when, reason := func() (time.Time, impersonation.EndReason) {
				if c.all != nil {
					return c.all.At, c.all.Reason
				}
				return c.end.At, c.end.Reason
			}()
			require.True(t, slices.IsSortedFunc(results[i], oldest), "call %d returns sessions in StartedAt then ID order", i)
			if c.all != nil && c.all.Limit > 0 {
				require.LessOrEqual(t, len(results[i]), c.all.Limit, "call %d", i)
			}
			for _, got := range results[i] {
				s, ok := byID[got.ID]
				require.True(t, ok, "call %d ended session %s, not one of the race's", i, got.ID)
				prev, dup := winner[got.ID]
				require.False(t, dup, "session %s ended by calls %d and %d", got.ID, prev, i)
				winner[got.ID] = i
				requireSession(t, endedAs(s, when, reason), got)
			}
		}
		require.Len(t, winner, sessions, "every session ends")

		for i, c := range calls {
			if c.all == nil {
				if errs[i] == nil {
					e.requireStored(results[i]...)
					e.requireOneEndEvent(c.end.ID, c.end.Event)
				}
				continue
			}
			e.requireStored(results[i]...)
			e.requireBuilt(c.bld, results[i])
			won := map[string]bool{}
			for _, s := range results[i] {
				won[s.ID] = true
			}
			for id, ev := range c.bld.built {
				if !won[id] {
					e.requireNoEvent(ev)
				}
			}
		}
	}
}

// testRaceInsertToken races inserts of sessions with the same token hash:
// one wins, the others are ErrConflict and wrote nothing.
func testRaceInsertToken(t *testing.T, h Harness) {
	e := setup(t, h)
	const n = 16
	for range rounds {
		hash := newTokenHash()
		ss := make([]impersonation.Session, n)
		events := make([]audit.Event, n)
		for i := range ss {
			ss[i] = e.newSession(func(s *impersonation.Session) { s.TokenHash = hash })
			events[i] = e.event(actionStart, ss[i])
		}
		errs := conformance.Race(n, func(i int) error { return e.s.Insert(e.ctx, ss[i], events[i]) })
		winner := conformance.OneWinner(t, errs, impersonation.ErrConflict)
		e.requireStored(ss[winner])
		for i, s := range ss {
			if i != winner {
				e.requireNoSession(s.ID)
			}
		}
		e.events().RequireOnly(winner, events...)
	}
}

// testRaceInsertID races inserts of sessions with the same ID and their
// own token hashes: one wins, the others are ErrConflict and wrote
// nothing, their hashes finding nothing.
func testRaceInsertID(t *testing.T, h Harness) {
	e := setup(t, h)
	const n = 16
	for range rounds {
		id := newID()
		ss := make([]impersonation.Session, n)
		events := make([]audit.Event, n)
		for i := range ss {
			ss[i] = e.newSession(func(s *impersonation.Session) { s.ID = id })
			events[i] = e.event(actionStart, ss[i])
		}
		errs := conformance.Race(n, func(i int) error { return e.s.Insert(e.ctx, ss[i], events[i]) })
		winner := conformance.OneWinner(t, errs, impersonation.ErrConflict)
		e.requireStored(ss[winner])
		for i, s := range ss {
			if i != winner {
				e.requireNoToken(s.TokenHash)
			}
		}
		e.events().RequireOnly(winner, events...)
	}
}
