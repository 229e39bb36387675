package memstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/memstore"
)

// Keep a history in memory, for a host's unit tests.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc := audit.New(memstore.New(), &audit.Config{Now: func() time.Time { return at }})
	_, _ = svc.Record(ctx, audit.Event{PlatformID: "p1", ActorID: "u1", Action: "account.lock", AccountID: "a1"})
	page, _ := svc.List(ctx, audit.Query{PlatformID: "p1", AccountID: "a1"})
	fmt.Println(len(page.Events), page.Events[0].Action, page.Events[0].At)
	// Output: 1 account.lock 2026-11-25 09:00:00 +0000 UTC
}
