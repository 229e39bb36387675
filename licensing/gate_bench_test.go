package licensing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenantry/tenantry/licensing"
)

// BenchmarkGateWarm measures the check the host makes on every chatbot
// message, with the account in memory, beside a plain map lookup of the
// same fact. Target: under 100 ns, no allocation, at most 5x the map.
func BenchmarkGateWarm(b *testing.B) {
	f := newFixtureB(b)
	gate := f.svc.Gate()
	ctx := context.Background()
	if d, err := gate.Check(ctx, "p1", "a1", "live_chat"); err != nil || !d.Allowed {
		b.Fatal(d, err)
	}
	b.Run("gate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if d, _ := gate.Check(ctx, "p1", "a1", "live_chat"); !d.Allowed {
				b.Fatal("refused")
			}
		}
	})
	b.Run("map-baseline", func(b *testing.B) {
		type key struct{ platform, account, feature string }
		m := map[key]bool{}
		for i := range 1000 {
			m[key{"p1", fmt.Sprint("a", i), "live_chat"}] = true
		}
		b.ReportAllocs()
		for b.Loop() {
			if !m[key{"p1", "a1", "live_chat"}] {
				b.Fatal("refused")
			}
		}
	})
}

func newFixtureB(b *testing.B) *fixture {
	f := newFixture(b, &licensing.Config{GateTTL: time.Hour})
	if _, err := f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "a1", EndsAt: f.clock.Now().Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	return f
}

// TestGateWarmAllocatesNothing keeps the benchmark's promise as a test.
func TestGateWarmAllocatesNothing(t *testing.T) {
	f := newFixture(t, nil)
	f.issue(t, "a1", 0)
	gate, ctx := f.svc.Gate(), context.Background()
	_, _ = gate.Check(ctx, "p1", "a1", "live_chat")
	if n := testing.AllocsPerRun(1000, func() { _, _ = gate.Check(ctx, "p1", "a1", "live_chat") }); n != 0 {
		t.Fatalf("warm Check allocates %v times", n)
	}
}
