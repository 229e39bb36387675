package conformance_test

import (
	"context"
	"errors"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/internal/conformance"
)

// fakeT records whether a check failed instead of failing the test.
type fakeT struct {
	testing.TB
	failed bool
}

type failNow struct{}

func (f *fakeT) Helper()               {}
func (f *fakeT) Name() string          { return "fake" }
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) FailNow()              { f.failed = true; panic(failNow{}) }

// fails reports whether check fails the test it is given.
func fails(check func(t testing.TB)) (failed bool) {
	f := &fakeT{}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(failNow); !ok {
				panic(r)
			}
		}
		failed = f.failed
	}()
	check(f)
	return f.failed
}

var errLoss = errors.New("loss")

func TestRace(t *testing.T) {
	var calls atomic.Int64
	errs := conformance.Race(8, func(i int) error {
		calls.Add(1)
		if i%2 == 0 {
			return errLoss
		}
		return nil
	})
	assert.EqualValues(t, 8, calls.Load())
	require.Len(t, errs, 8)
	for i, err := range errs {
		if i%2 == 0 {
			assert.ErrorIs(t, err, errLoss, "call %d", i)
		} else {
			assert.NoError(t, err, "call %d", i)
		}
	}
}

func TestOneWinner(t *testing.T) {
	assert.Equal(t, 1, conformance.OneWinner(t, []error{errLoss, nil, errLoss}, errLoss))
	assert.False(t, fails(func(t testing.TB) { conformance.OneWinner(t, []error{nil, errLoss}, errLoss) }))
	assert.True(t, fails(func(t testing.TB) { conformance.OneWinner(t, []error{nil, nil}, errLoss) }), "two winners")
	assert.True(t, fails(func(t testing.TB) { conformance.OneWinner(t, []error{errLoss}, errLoss) }), "no winner")
	assert.True(t, fails(func(t testing.TB) {
		conformance.OneWinner(t, []error{nil, errors.New("other")}, errLoss)
	}), "a loser failing otherwise")
}

func TestIDs(t *testing.T) {
	id := func(e audit.Event) string { return e.ID }
	assert.Equal(t, []string{"b", "a"}, conformance.IDs([]audit.Event{{ID: "b"}, {ID: "a"}}, id))
	assert.Equal(t, []string{}, conformance.IDs(nil, id), "empty, not nil")
}

func TestRequireUTC(t *testing.T) {
	conformance.RequireUTC(t, "utc", time.Now().UTC(), time.Time{})
	assert.True(t, fails(func(t testing.TB) {
		conformance.RequireUTC(t, "local", time.Now().In(time.FixedZone("x", 3600)))
	}))
}

func TestRunAndOtherPlatforms(t *testing.T) {
	var mu sync.Mutex
	var ran []string
	record := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, s)
	}
	t.Run("suite", func(t *testing.T) {
		tests := conformance.Tests[string]{
			{"A", func(t *testing.T, h string) { record(t.Name() + " " + h) }},
			{"B", func(t *testing.T, h string) { record(t.Name() + " " + h) }},
		}
		conformance.Run(t, "P/", tests, func(t *testing.T) string { return "harness" })
		conformance.OtherPlatforms(t, "p-other", "p-unknown", func(t *testing.T, pid string) {
			record(t.Name() + " " + pid)
		})
	})
	sort.Strings(ran)
	assert.Equal(t, []string{
		"TestRunAndOtherPlatforms/suite/P/A harness",
		"TestRunAndOtherPlatforms/suite/P/B harness",
		"TestRunAndOtherPlatforms/suite/existing_platform p-other",
		"TestRunAndOtherPlatforms/suite/unknown_platform p-unknown",
	}, ran)
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	ev := func(pid, id string) audit.Event {
		return audit.Event{PlatformID: pid, ID: id, At: at, ActorID: "a", Action: "x.do", Changes: []audit.Change{}}
	}
	stored := []audit.Event{ev("p1", "e1"), ev("p2", "e2")}
	for _, e := range stored {
		require.NoError(t, s.Insert(ctx, e))
	}
	missing := ev("p1", "e-missing")
	events := func(t testing.TB) conformance.Events {
		return conformance.Events{T: t, Ctx: ctx, Store: s, Limit: 10}
	}

	assert.Len(t, events(t).On("p1"), 1)
	events(t).Require(stored...) // empty and nil Changes alike
	events(t).RequireNone(missing)
	events(t).RequireNoIDs("p2", "e1")
	events(t).RequireOnly(0, stored[0], missing)

	changed := stored[0]
	changed.Action = "y.do"
	assert.True(t, fails(func(t testing.TB) { events(t).Require(changed) }), "recorded otherwise")
	assert.True(t, fails(func(t testing.TB) { events(t).Require(missing) }), "not recorded")
	assert.True(t, fails(func(t testing.TB) { events(t).RequireNone(stored[1]) }), "recorded")
	assert.True(t, fails(func(t testing.TB) { events(t).RequireNoIDs("p1", "e1") }), "recorded")
	assert.True(t, fails(func(t testing.TB) { events(t).RequireOnly(1, stored[0], missing) }), "loser recorded")
	assert.True(t, fails(func(t testing.TB) {
		conformance.Events{T: t, Ctx: ctx, Store: s, Limit: 1}.On("p1")
	}), "as many events as the limit")
}
