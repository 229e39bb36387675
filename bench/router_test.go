package bench

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/internal/testdb"
)

// routerHosts is the number of platforms, each with its default host:
// 10,000 with -full, 1,000 otherwise.
func routerHosts() int { return size(1_000, 10_000) }

// warmRouter is a router over the real branding store on db, holding
// routerHosts() default hosts, all looked up once, listening for changes
// as in production (so that lookups read no clock) unless ttlOnly. It also
// returns the hosts and a plain map of the same routes.
func warmRouter(b *testing.B, db *sqlx.DB, ttlOnly bool) (*branding.Router, []string, map[string]string) {
	b.Helper()
	store := testdb.Store(b, db, sqlstore.Migrate, sqlstore.New)
	svc := branding.New(store, &branding.Config{SecretKey: []byte("0123456789abcdef0123456789abcdef")})
	router := svc.NewRouter(&branding.RouterConfig{TTL: time.Hour})
	ctx := context.Background()
	if !ttlOnly {
		lctx, cancel := context.WithCancel(ctx)
		ready, done := make(chan struct{}), make(chan struct{})
		errs := make(chan error, 1)
		go func() { defer close(done); errs <- router.Listen(lctx, func() { close(ready) }) }()
		select {
		case <-ready:
		case err := <-errs:
			b.Fatalf("router listen: %v", err)
		}
		b.Cleanup(func() { cancel(); <-done })
	}
	hosts := make([]string, routerHosts())
	plain := make(map[string]string, len(hosts))
	for i := range hosts {
		pid := fmt.Sprintf("p%05d", i)
		hosts[i] = pid + ".product.example"
		admin := audit.WithPrincipal(ctx, audit.Principal{PlatformID: pid, UserID: "admin"})
		_, err := svc.AddDefaultHost(admin, pid, hosts[i])
		require.NoError(b, err)
		plain[hosts[i]] = pid
	}
	for _, h := range hosts {
		route, err := router.Lookup(ctx, h)
		require.NoError(b, err)
		require.Equal(b, plain[h], route.PlatformID, "the router and the map route %s alike", h)
	}
	return router, hosts, plain
}

// BenchmarkRouterWarm compares a warm host-to-platform lookup
// (Router.Lookup, every host already in the router) with a plain Go map
// lookup of the same hosts, on SQLite and on PostgreSQL stores (a warm
// lookup touches no storage; the store decides how changes are listened
// for), while the router listens for changes (production) and with the
// TTL checked on every lookup (no listener). Sub-benchmarks: tenantry and
// map alone (with allocations), and ratio (both in one loop, batches of
// 1,000; see ratioBatch). Target: tenantry under 100 ns and 0 allocs.
func BenchmarkRouterWarm(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			for _, mode := range []struct {
				name    string
				ttlOnly bool
			}{{"listening", false}, {"ttl-only", true}} {
				b.Run(mode.name, func(b *testing.B) {
					router, hosts, plain := warmRouter(b, d.open(b), mode.ttlOnly)
					benchRouterWarm(b, router, hosts, plain)
				})
			}
		})
	}
}

func benchRouterWarm(b *testing.B, router *branding.Router, hosts []string, plain map[string]string) {
	ctx := context.Background()
	// Both sides were compared host by host in warmRouter; the timed
	// functions only look up.
	var routed int
	lookup := func(i int) error {
		route, err := router.Lookup(ctx, hosts[i%len(hosts)])
		routed += len(route.PlatformID)
		return err
	}
	var sink int
	mapped := func(i int) error {
		if plain[hosts[i%len(hosts)]] == "" {
			return fmt.Errorf("%s missing", hosts[i%len(hosts)])
		}
		sink++
		return nil
	}
	b.Run("tenantry", func(b *testing.B) { alone(b, lookup) })
	b.Run("map", func(b *testing.B) { alone(b, mapped) })
	b.Run("ratio", func(b *testing.B) { b.ReportAllocs(); ratioBatch(b, 1000, lookup, mapped) })
	runtime.KeepAlive(sink)
	runtime.KeepAlive(routed)
}
