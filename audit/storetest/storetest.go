package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
)

// Run runs every conformance subtest, in parallel, each against a store
// returned by newStore. newStore may return the same store, or stores over
// one database, to several subtests.
func Run(t *testing.T, newStore func(t *testing.T) audit.Store) {
	t.Helper()
	tests := conformance.Tests[audit.Store]{
		{"RoundTrip", testRoundTrip},
		{"StoresCopies", testStoresCopies},
		{"NewestFirst", testNewestFirst},
		{"Filters", testFilters},
		{"Pagination", testPagination},
		{"CursorBetweenEvents", testCursorBetweenEvents},
		{"PlatformIsolation", testPlatformIsolation},
		{"DuplicateIsConflict", testDuplicateIsConflict},
		{"PurgeBefore", testPurgeBefore},
		{"ConcurrentInserts", testConcurrentInserts},
		{"ConcurrentDuplicates", testConcurrentDuplicates},
	}
	conformance.Run(t, "", tests, newStore)
}

// base is the suite's fixed clock: every event time but the purge
// subtest's is base or later. It carries microseconds on purpose.
var base = time.Date(2024, time.March, 1, 12, 30, 45, 123456000, time.UTC)

// newPlatform returns a platform ID no other subtest uses.
func newPlatform() string { return "p-" + uuid.NewString() }

// event returns a minimal valid event.
func event(platform, id string, at time.Time) audit.Event {
	return audit.Event{PlatformID: platform, ID: id, At: at, ActorID: "u-actor", Action: "thing.do"}
}

func insert(t *testing.T, s audit.Store, events ...audit.Event) {
	t.Helper()
	for _, e := range events {
		require.NoError(t, s.Insert(context.Background(), e), "insert %s", e.ID)
	}
}

// all lists every event of q (up to 1000).
func all(t *testing.T, s audit.Store, q audit.StoreQuery) []audit.Event {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 1000
	}
	got, err := s.List(context.Background(), q)
	require.NoError(t, err)
	require.LessOrEqual(t, len(got), q.Limit)
	return got
}

// newestFirst returns events sorted as List must return them.
func newestFirst(events []audit.Event) []audit.Event {
	out := slices.Clone(events)
	slices.SortFunc(out, func(a, b audit.Event) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

func ids(events []audit.Event) []string {
	return conformance.IDs(events, func(e audit.Event) string { return e.ID })
}

// id returns a fixed-width ID that sorts the same bytewise and under any
// collation.
func id(prefix string, i int) string { return fmt.Sprintf("%s%03d", prefix, i) }
