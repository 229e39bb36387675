package audit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// purgeSpy deletes up to limit of left events per call, recording limits.
type purgeSpy struct {
	Store
	left   int
	limits []int
}

func (s *purgeSpy) PurgeBefore(_ context.Context, _ time.Time, limit int) (int, error) {
	s.limits = append(s.limits, limit)
	n := min(limit, s.left)
	s.left -= n
	return n, nil
}

// TestPurgeAdapts: with PurgeBatch zero, statements double while they are
// quick, shrink to the pace of PurgeStatementTime when slow, and stay
// within their bounds.
func TestPurgeAdapts(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		took  []time.Duration // each statement's time, the last repeated
		left  int
		want  []int
		batch int
	}{
		{"quick statements double", []time.Duration{time.Millisecond}, 4000, []int{500, 1000, 2000, 4000}, 0},
		{"slow statements shrink", []time.Duration{100 * time.Millisecond}, 800, []int{500, 250, 125}, 0},
		{"to the pace of the target", []time.Duration{10 * time.Millisecond, 40 * time.Millisecond}, 2700, []int{500, 1000, 1250}, 0},
		{"never below the floor", []time.Duration{time.Hour}, 550, []int{500, 50, 50}, 0},
		{"a set batch is kept", []time.Duration{time.Hour}, 10, []int{4, 4, 4}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spy := &purgeSpy{left: c.left}
			svc := New(spy, &Config{Now: func() time.Time { return now }, PurgeBatch: c.batch})
			calls := 0
			svc.since = func(time.Time) time.Duration {
				d := c.took[min(calls, len(c.took)-1)]
				calls++
				return d
			}
			res, err := svc.Purge(context.Background())
			require.NoError(t, err)
			require.Equal(t, c.left, res.Deleted)
			require.Equal(t, c.want, spy.limits)
		})
	}
	require.Equal(t, maxPurgeBatch, nextPurgeBatch(maxPurgeBatch, 0, DefaultPurgeStatementTime), "never above the ceiling")
}
