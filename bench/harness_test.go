package bench

import (
	"flag"
	"testing"
	"time"
)

// full selects the datasets of the table (100k accounts, 1M users,
// 1M audit events, ...). Without it every benchmark runs on a small
// dataset, so `go test -bench . -benchtime=1x` is a quick smoke test of the
// whole module.
var full = flag.Bool("full", false, "run on the full-size datasets (see README.md)")

// size returns n when -full is set and small otherwise.
func size(small, n int) int {
	if *full {
		return n
	}
	return small
}

// ratio runs the tenantry operation and its baseline in turn, b.N times
// each, in one loop (so both see the same machine, caches and database
// state), and reports each side's time per operation and their ratio:
//
//	tenantry-ns/op   time of one tenantry operation
//	baseline-ns/op   time of one baseline operation
//	x-baseline       tenantry-ns/op divided by baseline-ns/op
//
// The default ns/op is the sum of both. Either function failing stops
// the benchmark.
func ratio(b *testing.B, tenantry, baseline func() error) {
	b.Helper()
	var tt, bt time.Duration
	for b.Loop() {
		start := time.Now()
		if err := tenantry(); err != nil {
			b.Fatalf("tenantry: %v", err)
		}
		mid := time.Now()
		if err := baseline(); err != nil {
			b.Fatalf("baseline: %v", err)
		}
		tt += mid.Sub(start)
		bt += time.Since(mid)
	}
	reportRatio(b, tt, bt, b.N)
}

// reportRatio reports the two sides' times over n operations each and
// their ratio, as ratio does.
func reportRatio(b *testing.B, tenantry, baseline time.Duration, n int) {
	b.Helper()
	if n == 0 {
		return
	}
	b.ReportMetric(float64(tenantry.Nanoseconds())/float64(n), "tenantry-ns/op")
	b.ReportMetric(float64(baseline.Nanoseconds())/float64(n), "baseline-ns/op")
	if baseline > 0 {
		b.ReportMetric(float64(tenantry)/float64(baseline), "x-baseline")
	}
}
