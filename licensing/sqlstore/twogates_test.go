package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// TestTwoGatesOnePostgres: two processes (two connection pools on one
// database) each with its gate. A license revoked through one is refused
// by the other within a second, because the other hears of it — the test
// waits on that notification, never on a sleep, and the TTL (an hour) is
// no help.
func TestTwoGatesOnePostgres(t *testing.T) {
	ctx := context.Background()
	a := testdb.Postgres(t)
	require.NoError(t, sqlstore.Migrate(ctx, a))
	b := testdb.Reopen(t, a)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	notified := make(chan string, 16)
	newService := func(db *sqlx.DB, onNotified func(p, a string)) *licensing.Service {
		s, err := sqlstore.New(db)
		require.NoError(t, err)
		return licensing.New(s, &licensing.Config{Now: func() time.Time { return now }, GateTTL: time.Hour,
			Features: []licensing.Feature{{Key: "chat", Name: "Chat"}}, OnGateNotified: onNotified})
	}
	procA := newService(a, nil)
	procB := newService(b, func(_, account string) { notified <- account })

	listenCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	ready := make(chan struct{})
	wg.Go(func() { _ = procB.Gate().Listen(listenCtx, func() { close(ready) }) })
	t.Cleanup(func() { stop(); wg.Wait() })
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("process B's gate did not start listening")
	}

	host := audit.WithPrincipal(ctx, audit.System("billing"))
	_, err := procA.CreatePlan(host, licensing.PlanParams{PlatformID: "p1", ID: "basic", Name: "Basic", Features: []string{"chat"}})
	require.NoError(t, err)
	l, err := procA.Issue(host, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "acme", EndsAt: now.Add(time.Hour)})
	require.NoError(t, err)
	d, err := procB.Gate().Check(ctx, "p1", "acme", "chat")
	require.NoError(t, err)
	require.True(t, d.Allowed, "B reads and caches the license")
	drain(notified)

	_, err = procA.Revoke(host, "p1", l.ID)
	require.NoError(t, err)
	deadline := time.After(time.Second)
	for heard := false; !heard; {
		select {
		case account := <-notified:
			heard = account == "acme"
		case <-deadline:
			t.Fatal("process B did not hear of the revocation within one second")
		}
	}
	d, err = procB.Gate().Check(ctx, "p1", "acme", "chat")
	require.NoError(t, err)
	require.Equal(t, licensing.ReasonLicenseRevoked, d.Reason)

	// A change made outside licensing (the account locked in tenancy) is
	// told to the other process through Invalidate.
	require.NoError(t, procA.Gate().Invalidate(ctx, "p1", "other-account"))
	select {
	case account := <-notified:
		require.Equal(t, "other-account", account)
	case <-time.After(time.Second):
		t.Fatal("process B did not hear of the invalidation within one second")
	}
}

func drain(c chan string) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
