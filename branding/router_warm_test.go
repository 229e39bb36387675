package branding_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// warmRouter is a router holding 1,000 default hosts, all looked up once,
// listening for changes as in production (so that lookups read no clock)
// unless ttlOnly.
func warmRouter(t *testing.T, ttlOnly bool) (*branding.Router, []string) {
	f := newSvcFixture(t, nil)
	router := f.svc.NewRouter(&branding.RouterConfig{TTL: time.Hour})
	ctx := context.Background()
	if !ttlOnly {
		lctx, cancel := context.WithCancel(ctx)
		ready, done := make(chan struct{}), make(chan struct{})
		go func() { defer close(done); _ = router.Listen(lctx, func() { close(ready) }) }()
		<-ready
		t.Cleanup(func() { cancel(); <-done })
	}
	hosts := make([]string, 1_000)
	for i := range hosts {
		pid := fmt.Sprintf("p%05d", i)
		hosts[i] = pid + ".product.example"
		_, err := f.svc.AddDefaultHost(withPlatformPrincipal(pid), pid, hosts[i])
		require.NoError(t, err)
		_, err = router.Lookup(ctx, hosts[i])
		require.NoError(t, err)
	}
	return router, hosts
}

// TestRouterWarmAllocatesNothing pins the warm path: no allocation (bench/
// times it).
func TestRouterWarmAllocatesNothing(t *testing.T) {
	for _, ttlOnly := range []bool{false, true} {
		router, hosts := warmRouter(t, ttlOnly)
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
