package audit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/memstore"
)

func Example() {
	// A fixed clock and counted IDs make the output stable; a host leaves
	// both unset (time.Now, UUIDv7) and uses audit/sqlstore.
	now := time.Date(2024, time.March, 1, 9, 30, 0, 0, time.UTC)
	n := 0
	svc := audit.New(memstore.New(), &audit.Config{
		Now:   func() time.Time { return now },
		NewID: func() string { n++; return fmt.Sprintf("evt-%d", n) },
	})

	// The host's login middleware puts the principal in the context: here
	// operator op-bob impersonates customer u-ann.
	ctx := audit.WithPrincipal(context.Background(), audit.Principal{
		PlatformID: "acme", UserID: "u-ann", ActorID: "op-bob",
	})

	e := audit.FromContext(ctx, "acme", "account.rename")
	e.AccountID, e.TargetType, e.TargetID = "acc-42", "account", "acc-42"
	e.Reason = "ticket 1234"
	e.Changes = []audit.Change{{Field: "name", Before: "Acme", After: "Acme Inc."}}
	if _, err := svc.Record(ctx, e); err != nil {
		fmt.Println(err)
		return
	}

	now = now.Add(time.Minute)
	job := audit.WithPrincipal(context.Background(), audit.System("billing"))
	e = audit.FromContext(job, "acme", "account.disable")
	e.AccountID = "acc-42"
	if _, err := svc.Record(job, e); err != nil {
		fmt.Println(err)
		return
	}

	page, err := svc.List(ctx, audit.Query{PlatformID: "acme", AccountID: "acc-42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range page.Events {
		line := fmt.Sprintf("%s %s %s by %s", e.At.Format(time.RFC3339), e.ID, e.Action, e.ActorID)
		if e.OnBehalfOfID != "" {
			line += " on behalf of " + e.OnBehalfOfID
		}
		for _, c := range e.Changes {
			line += fmt.Sprintf(", %s: %q -> %q", c.Field, c.Before, c.After)
		}
		fmt.Println(line)
	}
	fmt.Printf("next page: %q\n", page.Next)
	// Output:
	// 2024-03-01T09:31:00Z evt-2 account.disable by system:billing
	// 2024-03-01T09:30:00Z evt-1 account.rename by op-bob on behalf of u-ann, name: "Acme" -> "Acme Inc."
	// next page: ""
}
