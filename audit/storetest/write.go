package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
)

// testPurgeBefore is the only subtest with events before 2002: PurgeBefore
// spans every platform, so its cutoffs must reach its own events only.
func testPurgeBefore(t *testing.T, s audit.Store) {
	ctx := context.Background()
	p1, p2 := newPlatform(), newPlatform()
	old := time.Date(2001, time.January, 1, 0, 0, 0, 0, time.UTC)
	hour := func(h float64) time.Time { return old.Add(time.Duration(h * float64(time.Hour))) }
	var on1 []audit.Event
	for i := range 8 {
		on1 = append(on1, event(p1, id("e", i), hour(float64(i))))
	}
	recent := event(p1, "recent", base)
	insert(t, s, on1...)
	insert(t, s, recent)
	insert(t, s, event(p2, "f0", hour(0.5)), event(p2, "f1", hour(1.5)))

	// Before 04:00: e000..e003 on p1 and f0, f1 on p2; e004 at 04:00 stays.
	cutoff := hour(4)

	n, err := s.PurgeBefore(ctx, cutoff, 4)
	require.NoError(t, err)
	require.Equal(t, 4, n, "at most limit")
	// Oldest first, across platforms: e000, f0, e001, f1 went.
	require.Equal(t, []string{"recent", "e007", "e006", "e005", "e004", "e003", "e002"},
		ids(all(t, s, audit.StoreQuery{PlatformID: p1})))
	require.Empty(t, all(t, s, audit.StoreQuery{PlatformID: p2}))

	n, err = s.PurgeBefore(ctx, cutoff, 4)
	require.NoError(t, err)
	require.Equal(t, 2, n, "what is left before the cutoff")

	n, err = s.PurgeBefore(ctx, cutoff, 4)
	require.NoError(t, err)
	require.Zero(t, n, "nothing left")

	require.Equal(t, append([]audit.Event{recent}, newestFirst(on1[4:])...),
		all(t, s, audit.StoreQuery{PlatformID: p1}), "strictly before the cutoff")

	n, err = s.PurgeBefore(ctx, hour(6), 1)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, []string{"recent", "e007", "e006", "e005"},
		ids(all(t, s, audit.StoreQuery{PlatformID: p1})))
}

const racers = 32

func testConcurrentInserts(t *testing.T, s audit.Store) {
	p := newPlatform()
	events := make([]audit.Event, racers)
	for i := range events {
		events[i] = event(p, id("e", i), base.Add(time.Duration(i%4)*time.Second))
		events[i].AccountID = "acc-1"
	}
	errs := conformance.Race(racers, func(i int) error { return s.Insert(context.Background(), events[i]) })
	for i, err := range errs {
		require.NoError(t, err, "insert %d", i)
	}
	require.Equal(t, newestFirst(events), all(t, s, audit.StoreQuery{PlatformID: p}))
}

func testConcurrentDuplicates(t *testing.T, s audit.Store) {
	p := newPlatform()
	errs := conformance.Race(racers, func(i int) error {
		e := event(p, "e-same", base)
		e.TargetID = id("t", i)
		return s.Insert(context.Background(), e)
	})
	conformance.OneWinner(t, errs, audit.ErrConflict)
	require.Len(t, all(t, s, audit.StoreQuery{PlatformID: p}), 1)
}
