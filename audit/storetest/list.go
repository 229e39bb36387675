package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
)

func testRoundTrip(t *testing.T, s audit.Store) {
	p := newPlatform()
	full := audit.Event{
		PlatformID: p, ID: "e-full", At: base.Add(1500 * time.Microsecond),
		AccountID: "acc-1", ActorID: "op-1", OnBehalfOfID: "u-1",
		Action: "user.update", TargetType: "user", TargetID: "u-1",
		Reason: "ticket #42: ünïcode, 'quotes' and \"double\"",
		Changes: []audit.Change{
			{Field: "name", Before: "Ann", After: "Anne"},
			{Field: "password", After: "(changed)"},
			{Field: "nickname", Before: "annie"},
		},
	}
	bare := event(p, "e-bare", base) // every optional field empty
	insert(t, s, bare, full)

	got := all(t, s, audit.StoreQuery{PlatformID: p})
	// Equal also tells nil Changes from an empty slice, and UTC from another
	// location of the same instant.
	require.Equal(t, []audit.Event{full, bare}, got)
	for _, e := range got {
		require.Equal(t, time.UTC, e.At.Location(), "times come back in UTC")
	}
}

func testStoresCopies(t *testing.T, s audit.Store) {
	p := newPlatform()
	e := event(p, "e-1", base)
	e.Changes = []audit.Change{{Field: "name", Before: "a", After: "b"}}
	insert(t, s, e)
	e.Changes[0].After = "changed by the caller after Insert"

	got := all(t, s, audit.StoreQuery{PlatformID: p})
	require.Len(t, got, 1)
	require.Equal(t, "b", got[0].Changes[0].After)
	got[0].Changes[0].After = "changed by the caller after List"

	got = all(t, s, audit.StoreQuery{PlatformID: p})
	require.Equal(t, "b", got[0].Changes[0].After)
}

func testNewestFirst(t *testing.T, s audit.Store) {
	p := newPlatform()
	sec := func(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }
	insert(t, s,
		event(p, "e05", sec(2)),
		event(p, "e01", sec(1)),
		event(p, "e09", sec(1)),
		event(p, "e03", sec(1)),
		event(p, "e07", sec(0)),
		event(p, "e02", sec(3)),
	)
	want := []string{"e02", "e05", "e09", "e03", "e01", "e07"}
	require.Equal(t, want, ids(all(t, s, audit.StoreQuery{PlatformID: p})))
	require.Equal(t, want[:2], ids(all(t, s, audit.StoreQuery{PlatformID: p, Limit: 2})))
}

// filterFixture records 24 events on a new platform, two per minute, over
// two accounts and none, three actors (one impersonating two users) and
// two actions.
func filterFixture(t *testing.T, s audit.Store) (string, []audit.Event) {
	p := newPlatform()
	accounts := []string{"acc-a", "acc-b", ""}
	who := [][2]string{{"u-1", ""}, {"u-2", ""}, {"op-9", "u-1"}, {"op-9", "u-2"}}
	actions := []string{"account.update", "user.invite"}
	var events []audit.Event
	for i := range 24 {
		e := event(p, id("e", i), base.Add(time.Duration(i/2)*time.Minute))
		e.AccountID = accounts[i%3]
		e.ActorID, e.OnBehalfOfID = who[i%4][0], who[i%4][1]
		e.Action = actions[(i/5)%2]
		events = append(events, e)
	}
	insert(t, s, events...)
	return p, events
}

// matches is the reference semantics of a StoreQuery filter.
func matches(q audit.StoreQuery, e audit.Event) bool {
	switch {
	case e.PlatformID != q.PlatformID,
		q.AccountID != "" && e.AccountID != q.AccountID,
		q.ActorID != "" && e.ActorID != q.ActorID && e.OnBehalfOfID != q.ActorID,
		q.Action != "" && e.Action != q.Action,
		!q.Since.IsZero() && e.At.Before(q.Since),
		!q.Until.IsZero() && !e.At.Before(q.Until):
		return false
	}
	return true
}

func testFilters(t *testing.T, s audit.Store) {
	p, events := filterFixture(t, s)
	minute := func(n int) time.Time { return base.Add(time.Duration(n) * time.Minute) }
	cases := []struct {
		name  string
		q     audit.StoreQuery
		empty bool
	}{
		{name: "none", q: audit.StoreQuery{}},
		{name: "account", q: audit.StoreQuery{AccountID: "acc-a"}},
		{name: "unknown account", q: audit.StoreQuery{AccountID: "acc-zzz"}, empty: true},
		{name: "actor matches on behalf of", q: audit.StoreQuery{ActorID: "u-1"}},
		{name: "impersonator", q: audit.StoreQuery{ActorID: "op-9"}},
		{name: "action", q: audit.StoreQuery{Action: "user.invite"}},
		{name: "since inclusive", q: audit.StoreQuery{Since: minute(3)}},
		{name: "until exclusive", q: audit.StoreQuery{Until: minute(3)}},
		{name: "since and until", q: audit.StoreQuery{Since: minute(2), Until: minute(9)}},
		{name: "empty window", q: audit.StoreQuery{Since: minute(3), Until: minute(3).Add(time.Microsecond)}},
		{name: "account and actor", q: audit.StoreQuery{AccountID: "acc-b", ActorID: "u-2"}},
		{name: "account and action", q: audit.StoreQuery{AccountID: "acc-b", Action: "account.update"}},
		{name: "actor and action", q: audit.StoreQuery{ActorID: "u-1", Action: "user.invite"}},
		{name: "everything", q: audit.StoreQuery{AccountID: "acc-a", ActorID: "u-2", Action: "account.update", Since: minute(1), Until: minute(11)}},
		{name: "nothing matches all", q: audit.StoreQuery{AccountID: "acc-a", ActorID: "u-1", Action: "user.invite", Until: minute(2)}, empty: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.PlatformID = p
			var want []audit.Event
			for _, e := range events {
				if matches(q, e) {
					want = append(want, e)
				}
			}
			if tc.empty {
				require.Empty(t, want, "fixture")
			} else {
				require.NotEmpty(t, want, "fixture")
			}
			require.Equal(t, ids(newestFirst(want)), ids(all(t, s, q)))
		})
	}
}

// walk lists every page of q with page size n, following cursors.
func walk(t *testing.T, s audit.Store, q audit.StoreQuery, n int) []audit.Event {
	t.Helper()
	q.Limit = n
	var got []audit.Event
	for pages := 0; ; pages++ {
		require.Less(t, pages, 100, "too many pages")
		page, err := s.List(context.Background(), q)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), n)
		got = append(got, page...)
		if len(page) < n {
			return got
		}
		last := page[len(page)-1]
		q.After = &audit.Cursor{At: last.At, ID: last.ID}
	}
}

func testPagination(t *testing.T, s audit.Store) {
	p := newPlatform()
	var events []audit.Event
	for i := range 23 {
		// Four events per second, their IDs out of insertion order.
		e := event(p, id("e", (i*7)%23), base.Add(time.Duration(i/4)*time.Second))
		e.AccountID = []string{"acc-a", "acc-b"}[i%2]
		events = append(events, e)
	}
	insert(t, s, events...)
	want := newestFirst(events)
	for _, n := range []int{1, 2, 3, 4, 5, 22, 23, 24} {
		got := walk(t, s, audit.StoreQuery{PlatformID: p}, n)
		require.Equal(t, ids(want), ids(got), "page size %d", n)
	}
	q := audit.StoreQuery{PlatformID: p, AccountID: "acc-b"}
	var wantB []audit.Event
	for _, e := range want {
		if matches(q, e) {
			wantB = append(wantB, e)
		}
	}
	require.Equal(t, ids(wantB), ids(walk(t, s, q, 3)), "filtered")
}

func testCursorBetweenEvents(t *testing.T, s audit.Store) {
	p := newPlatform()
	sec := func(n int) time.Time { return base.Add(time.Duration(n) * time.Second) }
	insert(t, s, event(p, "e1", sec(1)), event(p, "e2", sec(2)), event(p, "e3", sec(2)), event(p, "e4", sec(3)))
	cases := []struct {
		after audit.Cursor
		want  []string
	}{
		{audit.Cursor{At: sec(4), ID: "e0"}, []string{"e4", "e3", "e2", "e1"}},
		{audit.Cursor{At: sec(3), ID: "e4"}, []string{"e3", "e2", "e1"}},
		{audit.Cursor{At: sec(2), ID: "e25"}, []string{"e2", "e1"}}, // a removed event's cursor
		{audit.Cursor{At: sec(2).Add(time.Microsecond), ID: "a"}, []string{"e3", "e2", "e1"}},
		{audit.Cursor{At: sec(1), ID: "e1"}, []string{}},
	}
	for _, tc := range cases {
		got := all(t, s, audit.StoreQuery{PlatformID: p, After: &tc.after})
		require.Equal(t, tc.want, ids(got), "after %v %s", tc.after.At, tc.after.ID)
	}
}

func testPlatformIsolation(t *testing.T, s audit.Store) {
	a, b := newPlatform(), newPlatform()
	var inA, inB []audit.Event
	for i := range 3 {
		ea := event(a, id("e", i), base.Add(time.Duration(i)*time.Second))
		ea.AccountID, ea.ActorID, ea.Action = "acc-shared", "u-shared", "shared.act"
		eb := ea // the same ID on the other platform is a different event
		eb.PlatformID, eb.Reason = b, "platform b"
		inA, inB = append(inA, ea), append(inB, eb)
	}
	inB = append(inB, event(b, "only-b", base.Add(time.Hour)))
	insert(t, s, inA...)
	insert(t, s, inB...)

	for _, q := range []audit.StoreQuery{
		{},
		{AccountID: "acc-shared"},
		{ActorID: "u-shared"},
		{Action: "shared.act"},
		{Since: base, Until: base.Add(2 * time.Hour)},
		{After: &audit.Cursor{At: base.Add(2 * time.Hour), ID: "z"}},
	} {
		q.PlatformID = a
		require.Equal(t, newestFirst(inA), all(t, s, q), "%+v", q)
	}
	require.Equal(t, newestFirst(inB), all(t, s, audit.StoreQuery{PlatformID: b}))
	require.Empty(t, all(t, s, audit.StoreQuery{PlatformID: newPlatform()}))
}

func testDuplicateIsConflict(t *testing.T, s audit.Store) {
	p := newPlatform()
	first := event(p, "e-dup", base)
	insert(t, s, first)
	again := event(p, "e-dup", base.Add(time.Hour))
	again.Reason = "second attempt"
	err := s.Insert(context.Background(), again)
	require.ErrorIs(t, err, audit.ErrConflict)
	require.Equal(t, []audit.Event{first}, all(t, s, audit.StoreQuery{PlatformID: p}))
}
