package bench

import (
	"testing"
	"time"
)

// TestReportRatio: the two sides' times per operation and their quotient.
func TestReportRatio(t *testing.T) {
	res := testing.Benchmark(func(b *testing.B) { reportRatio(b, 2*time.Second, time.Second, 1000) })
	if got := res.Extra["tenantry-ns/op"]; got != 2e6 {
		t.Errorf("tenantry-ns/op = %v, want 2e6", got)
	}
	if got := res.Extra["baseline-ns/op"]; got != 1e6 {
		t.Errorf("baseline-ns/op = %v, want 1e6", got)
	}
	if got := res.Extra["x-baseline"]; got != 2 {
		t.Errorf("x-baseline = %v, want 2", got)
	}
}

// TestRatioRunsBothSides: ratio and ratioBatch run each side once per
// operation, every index once, and report the three figures.
func TestRatioRunsBothSides(t *testing.T) {
	var tn, bn, n int
	res := testing.Benchmark(func(b *testing.B) {
		tn, bn = 0, 0
		ratio(b, func() error { tn++; return nil }, func() error { bn++; return nil })
		n = b.N
	})
	if tn != n || bn != n {
		t.Errorf("ratio ran tenantry %d and baseline %d times in %d operations", tn, bn, n)
	}
	for _, k := range []string{"tenantry-ns/op", "baseline-ns/op", "x-baseline"} {
		if _, ok := res.Extra[k]; !ok {
			t.Errorf("ratio reported no %s: %v", k, res.Extra)
		}
	}

	var seenT, seenB map[int]int
	testing.Benchmark(func(b *testing.B) {
		seenT, seenB = map[int]int{}, map[int]int{}
		ratioBatch(b, 7, func(i int) error { seenT[i]++; return nil }, func(i int) error { seenB[i]++; return nil })
		n = b.N
	})
	for i := range n {
		if seenT[i] != 1 || seenB[i] != 1 {
			t.Fatalf("ratioBatch: operation %d ran %d (tenantry) and %d (baseline) times", i, seenT[i], seenB[i])
		}
	}
	if len(seenT) != n || len(seenB) != n {
		t.Errorf("ratioBatch ran %d and %d operations, want %d", len(seenT), len(seenB), n)
	}
}
