package conformance

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
)

// Events reads back, for a suite's checks, the audit events a store under
// test wrote.
type Events struct {
	// T is the test the checks fail.
	T testing.TB
	// Ctx is the context of the reads.
	Ctx context.Context
	// Store holds the events (the same database or memory as the store
	// under test).
	Store audit.Store
	// Limit bounds the events read of one platform; a platform with as
	// many fails the test, since some would go unseen.
	Limit int
}

// On returns every event recorded on platform pid, by ID.
func (e Events) On(pid string) map[string]audit.Event {
	e.T.Helper()
	evs, err := e.Store.List(e.Ctx, audit.StoreQuery{PlatformID: pid, Limit: e.Limit})
	require.NoError(e.T, err, "list events")
	require.Less(e.T, len(evs), e.Limit, "too many events on one platform")
	out := make(map[string]audit.Event, len(evs))
	for _, ev := range evs {
		out[ev.ID] = ev
	}
	return out
}

// Require checks that each of evs was recorded on its platform as given;
// empty and nil Changes are alike.
func (e Events) Require(evs ...audit.Event) {
	e.T.Helper()
	find := e.finder()
	for _, want := range evs {
		ev, ok := find(want)
		require.True(e.T, ok, "event %s (%s) must be recorded", want.ID, want.Action)
		require.Equal(e.T, normEvent(want), normEvent(ev), "event %s (%s)", want.ID, want.Action)
	}
}

// RequireNone checks that none of evs was recorded on its platform.
func (e Events) RequireNone(evs ...audit.Event) {
	e.T.Helper()
	find := e.finder()
	for _, ev := range evs {
		_, ok := find(ev)
		require.False(e.T, ok, "event %s (%s) must not be recorded", ev.ID, ev.Action)
	}
}

// finder returns a function that looks up the recorded event with the
// platform and ID of its argument, reading each platform once.
func (e Events) finder() func(audit.Event) (audit.Event, bool) {
	byPlatform := map[string]map[string]audit.Event{}
	return func(ev audit.Event) (audit.Event, bool) {
		e.T.Helper()
		got, ok := byPlatform[ev.PlatformID]
		if !ok {
			got = e.On(ev.PlatformID)
			byPlatform[ev.PlatformID] = got
		}
		found, ok := got[ev.ID]
		return found, ok
	}
}

// RequireNoIDs checks that no event with these IDs was recorded on
// platform pid.
func (e Events) RequireNoIDs(pid string, ids ...string) {
	e.T.Helper()
	got := e.On(pid)
	for _, id := range ids {
		ev, ok := got[id]
		require.False(e.T, ok, "event %s (%s) must not be recorded", id, ev.Action)
	}
}

// RequireOnly checks, after a race, that the winner's event evs[winner]
// was recorded as given and no other of evs was.
func (e Events) RequireOnly(winner int, evs ...audit.Event) {
	e.T.Helper()
	for i, ev := range evs {
		if i == winner {
			e.Require(ev)
		} else {
			e.RequireNone(ev)
		}
	}
}

func normEvent(ev audit.Event) audit.Event {
	if len(ev.Changes) == 0 {
		ev.Changes = nil
	}
	return ev
}
