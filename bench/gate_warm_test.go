package bench

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
)

// BenchmarkGateWarm measures the check the host makes on every chatbot
// message ("may account A use feature F now"), with every account of the
// licensing data set (gateAccounts, see coldFill) already in the gate,
// beside a plain Go map holding the same decisions for every account and
// feature. The gate is loaded from the real SQLite store; the warm check
// does not touch storage, so there is no PostgreSQL half. The Service
// reads the real clock (Config.Now nil), as in production; GateTTL is an
// hour so that no entry expires during the run.
//
//   - memory: the heap the gate holds once every account is in it (row
//     "memory of the warm gate for 100k accounts"; target under 50 MB),
//     measured with runtime.MemStats (after a GC) before and after warming
//     a fresh gate; reported as bytes and bytes/account.
//   - tenantry: the warm check alone, with allocations (target under
//     100 ns, 0 allocs).
//   - map: the map lookup alone.
//   - ratio: both in one loop, batches of 1,000 (see ratioBatch); target
//     x-baseline at most 5.
//
// Before timing, every (account, feature) pair is checked through the
// gate and must give the map's answer.
func BenchmarkGateWarm(b *testing.B) {
	w := newColdWorld(b, testdb.SQLite(b), gateAccounts())
	ctx := context.Background()
	cfg := &licensing.Config{Features: coldCatalog, GateTTL: time.Hour}
	accounts := gateAccounts()

	b.Run("memory", func(b *testing.B) {
		for b.Loop() {
			bytes := warmGateBytes(b, licensing.New(w.store, cfg), accounts)
			b.ReportMetric(float64(bytes), "bytes")
			b.ReportMetric(float64(bytes)/float64(accounts), "bytes/account")
		}
	})

	gate := licensing.New(w.store, cfg).Gate()
	type key struct{ platform, account, feature string }
	plain := make(map[key]bool, accounts*(len(coldCatalog)+1))
	features := []string{""}
	for _, f := range coldCatalog {
		features = append(features, f.Key)
	}
	for i := range accounts {
		for _, f := range features {
			d, err := gate.Check(ctx, coldPlatform, coldAccount(i), f)
			require.NoError(b, err)
			plain[key{coldPlatform, coldAccount(i), f}] = d.Allowed
		}
	}
	// The map holds the gate's answers; check them against the baseline
	// query, so that neither side answers from a broken world.
	for i := range min(accounts, 200) {
		for _, f := range features {
			want, err := w.handCheck(ctx, coldAsk{coldAccount(i), f})
			require.NoError(b, err)
			require.Equal(b, want.Allowed, plain[key{coldPlatform, coldAccount(i), f}], "account %d, feature %q", i, f)
		}
	}
	asks := w.asks
	for _, a := range asks {
		d, err := gate.Check(ctx, coldPlatform, a.account, a.feature)
		require.NoError(b, err)
		require.Equal(b, plain[key{coldPlatform, a.account, a.feature}], d.Allowed, "account %s, feature %q", a.account, a.feature)
	}
	// The timed functions only look up; sink keeps the answers used.
	var sink int
	check := func(i int) error {
		a := asks[i%len(asks)]
		d, err := gate.Check(ctx, coldPlatform, a.account, a.feature)
		if d.Allowed {
			sink++
		}
		return err
	}
	lookup := func(i int) error {
		a := asks[i%len(asks)]
		if plain[key{coldPlatform, a.account, a.feature}] {
			sink++
		}
		return nil
	}
	b.Run("tenantry", func(b *testing.B) { alone(b, check) })
	b.Run("map", func(b *testing.B) { alone(b, lookup) })
	b.Run("ratio", func(b *testing.B) { b.ReportAllocs(); ratioBatch(b, 1000, check, lookup) })
	runtime.KeepAlive(sink)
}

// warmGateBytes returns the heap that svc's gate holds once it has checked
// every one of n accounts: the live heap after a GC, before and after.
func warmGateBytes(tb testing.TB, svc *licensing.Service, n int) int64 {
	tb.Helper()
	ctx := context.Background()
	gate := svc.Gate()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		if _, err := gate.Check(ctx, coldPlatform, coldAccount(i), ""); err != nil {
			tb.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(gate)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}
