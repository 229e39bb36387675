package conformance

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Tests is a suite's table of subtests: each one's name and its body over
// a harness H, what the store under test gives the suite. It stands for an
// unnamed type so that suites list their rows unkeyed.
type Tests[H any] = []struct {
	Name string
	Fn   func(t *testing.T, h H)
}

// Run runs each of tests as a parallel subtest named prefix plus its
// Name, with a harness newHarness makes for it after t.Parallel.
func Run[H any](t *testing.T, prefix string, tests Tests[H], newHarness func(t *testing.T) H) {
	t.Helper()
	for _, tc := range tests {
		t.Run(prefix+tc.Name, func(t *testing.T) {
			t.Parallel()
			tc.Fn(t, newHarness(t))
		})
	}
}

// Race runs fn(i) for i in [0, n) in n goroutines released together, and
// returns each call's error.
func Race(n int, fn func(i int) error) []error {
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// OneWinner checks that exactly one of errs is nil and every other
// matches loss, and returns the winner's index.
func OneWinner(t testing.TB, errs []error, loss error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		if err == nil {
			require.Equal(t, -1, winner, "more than one call succeeded (%d and %d)", winner, i)
			winner = i
			continue
		}
		require.ErrorIs(t, err, loss, "call %d", i)
	}
	require.NotEqual(t, -1, winner, "no call succeeded")
	return winner
}

// RequireUTC checks that each non-zero time is in UTC; what names the
// record they come from.
func RequireUTC(t testing.TB, what string, times ...time.Time) {
	t.Helper()
	for _, tm := range times {
		if !tm.IsZero() {
			require.Same(t, time.UTC, tm.Location(), "%s: times come back in UTC, got %v", what, tm)
		}
	}
}

// OtherPlatforms runs fn as subtest "existing platform" with pid other, a
// platform that holds records of its own, then as subtest "unknown
// platform" with pid unknown: what one platform holds must stay out of
// reach from both.
func OtherPlatforms(t *testing.T, other, unknown string, fn func(t *testing.T, pid string)) {
	t.Helper()
	t.Run("existing platform", func(t *testing.T) { fn(t, other) })
	t.Run("unknown platform", func(t *testing.T) { fn(t, unknown) })
}

// IDs returns the ID of each of xs, in order, as id reads it: what a
// suite compares when the order of records matters.
func IDs[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}
