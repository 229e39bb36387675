package branding

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/tenantry/tenantry/internal/testclock"
)

// routeStore answers every host with platform "p" and counts its reads.
type routeStore struct {
	DomainStore
	reads int
}

func (s *routeStore) LookupHost(_ context.Context, host string) (Route, error) {
	s.reads++
	return Route{Domain: Domain{PlatformID: "p", Host: host, Default: true}}, nil
}

// TestRouterExpireAndEverything: the sweeper Listen runs drops routes a
// TTL old (so a lost notification costs at most a TTL), Everything drops
// all of them, and MaxEntries bounds the cache.
func TestRouterExpireAndEverything(t *testing.T) {
	clock := testclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	store := &routeStore{}
	r := &Router{store: store, cfg: RouterConfig{TTL: time.Minute, MaxEntries: 10, Now: clock.Now}, base: clock.Now(), routes: map[string]routeEntry{}}
	r.listening.Store(true) // as while Listen runs: lookups read no clock
	ctx := context.Background()
	lookup := func(h string) {
		t.Helper()
		if _, err := r.Lookup(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	wantReads := func(n int) {
		t.Helper()
		if store.reads != n {
			t.Fatalf("store reads = %d, want %d", store.reads, n)
		}
	}
	lookup("a.example")
	clock.Advance(45 * time.Second)
	lookup("b.example")
	clock.Advance(30 * time.Second)
	lookup("a.example") // past its TTL, but trusted while listening
	wantReads(2)
	r.expire()
	lookup("a.example") // 75 s old: swept, read again
	lookup("b.example") // 30 s old: kept
	wantReads(3)
	r.Invalidate(Everything)
	lookup("b.example")
	wantReads(4)
	for i := range 25 {
		lookup("h" + strconv.Itoa(i) + ".example")
	}
	if n := len(r.routes); n > 10 {
		t.Fatalf("%d routes cached, MaxEntries is 10", n)
	}
	r.listening.Store(false) // not listening: the TTL is checked on lookup
	lookup("h24.example")
	clock.Advance(time.Minute)
	lookup("h24.example")
	wantReads(4 + 25 + 1)
}
