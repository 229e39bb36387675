package licensing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
)

// A plan, a license for an account, and the gate the host asks on every
// message; the clock alone ends the license.
func Example() {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc := licensing.New(memstore.New(nil), &licensing.Config{
		Now:      func() time.Time { return now },
		Features: []licensing.Feature{{Key: "live_chat", Name: "Live chat"}, {Key: "analytics", Name: "Analytics"}},
	})
	ctx := audit.WithPrincipal(context.Background(), audit.System("billing"))
	_, _ = svc.CreatePlan(ctx, licensing.PlanParams{PlatformID: "p1", ID: "starter", Name: "Starter", Features: []string{"live_chat"}})
	_, err := svc.Issue(ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "starter", AccountID: "acme", EndsAt: now.AddDate(0, 1, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	gate := svc.Gate()
	for _, feature := range []string{"live_chat", "analytics"} {
		d, _ := gate.Check(context.Background(), "p1", "acme", feature)
		if d.Allowed {
			fmt.Println(feature, "allowed")
		} else {
			fmt.Println(feature, "refused:", d.Reason)
		}
	}
	now = now.AddDate(0, 1, 0) // the end is reached; no job has run
	d, _ := gate.Check(context.Background(), "p1", "acme", "live_chat")
	fmt.Println("a month later:", d.Allowed, d.Reason)
	// Output:
	// live_chat allowed
	// analytics refused: feature_off
	// a month later: false license_expired
}
