package bench

import (
	"flag"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/testdb"
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
// Every other iteration runs the baseline first, so that neither side
// always finds the other's work in the caches. The default ns/op is the
// sum of both. Either function failing stops the benchmark.
func ratio(b *testing.B, tenantry, baseline func() error) {
	b.Helper()
	var tt, bt time.Duration
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			tt += timed(b, "tenantry", tenantry)
			bt += timed(b, "baseline", baseline)
		} else {
			bt += timed(b, "baseline", baseline)
			tt += timed(b, "tenantry", tenantry)
		}
		n++
	}
	reportRatio(b, tt, bt, n)
}

// timed runs fn once and returns how long it took; fn failing stops the
// benchmark.
func timed(b *testing.B, side string, fn func() error) time.Duration {
	start := time.Now()
	if err := fn(); err != nil {
		b.Fatalf("%s: %v", side, err)
	}
	return time.Since(start)
}

// ratioBatch is ratio for operations of a few nanoseconds, where two clock
// reads per operation would weigh as much as the operation: each side runs
// batch operations between two clock reads. The i-th operation of each
// side gets i, so both go through the same inputs. b.N counts operations
// of each side; the metrics are per operation, as ratio's are.
func ratioBatch(b *testing.B, batch int, tenantry, baseline func(i int) error) {
	b.Helper()
	var tt, bt time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		k := min(batch, b.N-done)
		start := time.Now()
		for i := done; i < done+k; i++ {
			if err := tenantry(i); err != nil {
				b.Fatalf("tenantry: %v", err)
			}
		}
		mid := time.Now()
		for i := done; i < done+k; i++ {
			if err := baseline(i); err != nil {
				b.Fatalf("baseline: %v", err)
			}
		}
		tt += mid.Sub(start)
		bt += time.Since(mid)
	}
	reportRatio(b, tt, bt, b.N)
}

// alone times one side by itself, b.N operations, with allocations
// reported: the figure to read for "under 100 ns, 0 allocs".
func alone(b *testing.B, op func(i int) error) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
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

// dialect is a database to run a storage benchmark on.
type dialect struct {
	name string
	open func(testing.TB) *sqlx.DB
}

// dialects are SQLite and PostgreSQL, as the benchmarks' sub-benchmarks
// "sqlite" and "postgres". The PostgreSQL one needs TENANTRY_POSTGRES_DSN
// (see postgresDB).
var dialects = []dialect{{"sqlite", testdb.SQLite}, {"postgres", postgresDB}}

// postgresDB is a fresh PostgreSQL database on the server of
// TENANTRY_POSTGRES_DSN. Without the variable the benchmark skips, saying
// why, rather than start a throw-away server of its own.
func postgresDB(tb testing.TB) *sqlx.DB {
	tb.Helper()
	if os.Getenv("TENANTRY_POSTGRES_DSN") == "" {
		tb.Skip("TENANTRY_POSTGRES_DSN is not set: set it to run the PostgreSQL half")
	}
	return testdb.Postgres(tb)
}
