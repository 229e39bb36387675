package branding_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// warmRouter is a router holding 10,000 default hosts, all looked up once,
// listening for changes as in production (so that lookups read no clock)
// unless ttlOnly.
func warmRouter(tb testing.TB, ttlOnly bool) (*branding.Router, []string, map[string]string) {
	f := newSvcFixture(&testing.T{}, nil)
	router := f.svc.NewRouter(&branding.RouterConfig{TTL: time.Hour})
	ctx := context.Background()
	if !ttlOnly {
		lctx, cancel := context.WithCancel(ctx)
		ready, done := make(chan struct{}), make(chan struct{})
		go func() { defer close(done); _ = router.Listen(lctx, func() { close(ready) }) }()
		<-ready
		tb.Cleanup(func() { cancel(); <-done })
	}
	hosts := make([]string, 10_000)
	plain := make(map[string]string, len(hosts))
	for i := range hosts {
		pid := fmt.Sprintf("p%05d", i)
		hosts[i] = pid + ".product.example"
		_, err := f.svc.AddDefaultHost(withPlatformPrincipal(pid), pid, hosts[i])
		require.NoError(tb, err)
		_, err = router.Lookup(ctx, hosts[i])
		require.NoError(tb, err)
		plain[hosts[i]] = pid
	}
	return router, hosts, plain
}

// TestRouterWarmAllocatesNothing pins the warm path: no allocation.
func TestRouterWarmAllocatesNothing(t *testing.T) {
	for _, ttlOnly := range []bool{false, true} {
		router, hosts, _ := warmRouter(t, ttlOnly)
		ctx := context.Background()
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			if _, err := router.Lookup(ctx, hosts[i%len(hosts)]); err != nil {
				t.Fatal(err)
			}
			i++
		})
		require.Zero(t, allocs)
	}
}

// BenchmarkRouterWarm compares a warm host-to-platform lookup with a plain
// Go map lookup of the same hosts ("x" is the ratio, from one loop
// alternating both), while the router listens for changes (production) and
// with the TTL checked on every lookup. Target: under 100 ns and 0 allocs.
func BenchmarkRouterWarm(b *testing.B) {
	b.Run("listening", func(b *testing.B) { benchRouterWarm(b, false) })
	b.Run("ttl-only", func(b *testing.B) { benchRouterWarm(b, true) })
}

func benchRouterWarm(b *testing.B, ttlOnly bool) {
	router, hosts, plain := warmRouter(b, ttlOnly)
	ctx := context.Background()
	b.Run("router", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := router.Lookup(ctx, hosts[i%len(hosts)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if plain[hosts[i%len(hosts)]] == "" {
				b.Fatal("missing")
			}
		}
	})
	b.Run("ratio", func(b *testing.B) {
		const batch = 1000
		var ours, theirs time.Duration
		n := 0
		for b.Loop() {
			start := time.Now()
			for j := range batch {
				if _, err := router.Lookup(ctx, hosts[(n+j)%len(hosts)]); err != nil {
					b.Fatal(err)
				}
			}
			ours += time.Since(start)
			start = time.Now()
			for j := range batch {
				if plain[hosts[(n+j)%len(hosts)]] == "" {
					b.Fatal("missing")
				}
			}
			theirs += time.Since(start)
			n += batch
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x")
		b.ReportMetric(float64(ours.Nanoseconds())/float64(n), "router-ns/op")
		b.ReportMetric(float64(theirs.Nanoseconds())/float64(n), "map-ns/op")
	})
}
