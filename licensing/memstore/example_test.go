package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
)

// A retried debit with the same idempotency key applies once, and a debit
// larger than the balance applies not at all.
func Example() {
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	store := memstore.New(nil)
	apply := func(id string, delta int64, key string) {
		ev := audit.Event{PlatformID: "p1", ID: "ev-" + id, At: at, AccountID: "a1", ActorID: "system:example", Action: "credits.apply"}
		e, applied, err := store.ApplyCredit(ctx, licensing.CreditEntry{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS,
			ID: id, Delta: delta, IdempotencyKey: key, At: at}, ev)
		fmt.Printf("id=%q balance=%d applied=%v insufficient=%v\n", e.ID, e.Balance, applied, errors.Is(err, licensing.ErrInsufficientCredits))
	}
	apply("c1", 10, "")
	apply("c2", -3, "send-42")
	apply("c3", -3, "send-42") // retried: c2 again
	apply("c4", -8, "")        // too much: refused
	balances, _ := store.Balances(ctx, "p1", "a1")
	fmt.Println(balances)
	// Output:
	// id="c1" balance=10 applied=true insufficient=false
	// id="c2" balance=7 applied=true insufficient=false
	// id="c2" balance=7 applied=false insufficient=false
	// id="" balance=0 applied=false insufficient=true
	// map[sms:7]
}
