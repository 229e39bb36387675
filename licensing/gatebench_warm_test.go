package licensing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
)

// BenchmarkGateWarmClock is BenchmarkGateWarm as production runs it: the
// Service's default clock (Config.Now nil, so time.Now) instead of the
// tests' mutex-guarded fake. Beside it, in the same run: time.Now alone
// (the clock read every check makes, whose cost depends on the machine's
// clock source), time.Since alone (a monotonic read only), and the same
// map lookup as BenchmarkGateWarm's baseline.
// Target: under 100 ns, no allocation.
//
//	go test -run '^$' -bench 'BenchmarkGateWarm' -benchtime 3000000x ./licensing/
func BenchmarkGateWarmClock(b *testing.B) {
	ctx := context.Background()
	svc := licensing.New(memstore.New(nil), &licensing.Config{GateTTL: time.Hour,
		Features: []licensing.Feature{{Key: "live_chat", Name: "Live chat"}, {Key: "analytics", Name: "Analytics"}}})
	host := audit.WithPrincipal(ctx, audit.System("bench"))
	if _, err := svc.CreatePlan(host, licensing.PlanParams{PlatformID: "p1", ID: "basic", Name: "Basic",
		Features: []string{"live_chat"}, Limits: map[string]int64{licensing.LimitBots: 2}}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Issue(host, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "a1",
		EndsAt: time.Now().Add(24 * time.Hour)}); err != nil {
		b.Fatal(err)
	}
	gate := svc.Gate()
	if d, err := gate.Check(ctx, "p1", "a1", "live_chat"); err != nil || !d.Allowed {
		b.Fatal(d, err)
	}
	b.Run("gate-time.Now", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if d, _ := gate.Check(ctx, "p1", "a1", "live_chat"); !d.Allowed {
				b.Fatal("refused")
			}
		}
	})
	b.Run("time.Now-alone", func(b *testing.B) {
		b.ReportAllocs()
		var last time.Time
		for b.Loop() {
			last = time.Now()
		}
		if last.IsZero() {
			b.Fatal("no time")
		}
	})
	// time.Since reads only the monotonic clock (time.Now reads the wall
	// clock and the monotonic clock): what a gate would pay that kept its
	// own monotonic base.
	b.Run("time.Since-alone", func(b *testing.B) {
		b.ReportAllocs()
		base := time.Now()
		var last time.Duration
		for b.Loop() {
			last = time.Since(base)
		}
		if last <= 0 {
			b.Fatal("no time")
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
