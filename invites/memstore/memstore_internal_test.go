package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 6789, time.FixedZone("x", 3600))

func inv(id, token string) invites.Invitation {
	return invites.Invitation{PlatformID: "p", ID: id, Kind: invites.KindTeamMember, Email: "a@b.c",
		AccountID: "acc", Permissions: []string{"x"}, Status: invites.Pending, TokenHash: token,
		ExpiresAt: t0.Add(time.Hour), SentAt: t0, CreatedAt: t0, Version: 1}
}

func ev(id string) audit.Event {
	return audit.Event{PlatformID: "p", ID: id, At: t0, Action: "invite.test"}
}

func TestInsertRules(t *testing.T) {
	ctx := context.Background()
	s := New(nil)
	if err := s.Insert(ctx, inv("1", "h1"), ev("e1")); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, inv("2", "h2"), ev("e2")); !errors.Is(err, invites.ErrConflict) {
		t.Fatalf("pending duplicate: %v", err)
	}
	i3 := inv("3", "h1")
	i3.Email = "d@b.c"
	if err := s.Insert(ctx, i3, ev("e3")); !errors.Is(err, invites.ErrConflict) {
		t.Fatalf("token reuse: %v", err)
	}
	expired := inv("1", "h1")
	expired.Status, expired.Version = invites.Expired, 2
	if err := s.Update(ctx, expired, ev("e1x")); err != nil {
		t.Fatal(err)
	}
	if err := s.Insert(ctx, inv("2", "h2"), ev("e2")); err != nil {
		t.Fatalf("after it was recorded expired: %v", err)
	}
	if err := s.Insert(ctx, inv("4", "h4"), ev("e2")); !errors.Is(err, invites.ErrConflict) {
		t.Fatalf("event reuse: %v", err)
	}
	got, err := s.Get(ctx, "p", "1")
	if err != nil || got.CreatedAt.Location() != time.UTC || got.CreatedAt.Nanosecond()%1000 != 0 {
		t.Fatalf("get: %v %v", got, err)
	}
	got.Permissions[0] = "changed"
	if again, _ := s.Get(ctx, "p", "1"); again.Permissions[0] != "x" {
		t.Fatal("shared slice")
	}
	if _, err := s.Get(ctx, "q", "1"); !errors.Is(err, invites.ErrNotFound) {
		t.Fatalf("other platform: %v", err)
	}
	// Resend: the old token is replaced.
	got.Permissions[0] = "x"
	got.TokenHash, got.Version = "h1b", 3
	if err := s.Update(ctx, got, ev("e5")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetByToken(ctx, "p", "h1"); !errors.Is(err, invites.ErrNotFound) {
		t.Fatalf("old token: %v", err)
	}
	if err := s.Update(ctx, got, ev("e6")); !errors.Is(err, invites.ErrStale) {
		t.Fatalf("stale: %v", err)
	}
	n, _ := s.CountSince(ctx, "p", "", t0)
	l, _ := s.List(ctx, invites.Query{PlatformID: "p", PendingAt: t0})
	if n != 2 || len(l) != 1 || l[0].ID != "2" { // "1" is stored expired
		t.Fatalf("count %d list %v", n, l)
	}
}

func TestClaimRace(t *testing.T) {
	ctx := context.Background()
	s := New(nil)
	if err := s.Insert(ctx, inv("1", "h1"), ev("e1")); err != nil {
		t.Fatal(err)
	}
	var wins, used atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			got, err := s.Claim(ctx, invites.Claim{PlatformID: "p", TokenHash: "h1", UserID: "u", Now: t0, Event: ev(fmt.Sprint("c", i))})
			switch {
			case err == nil && got.Status == invites.Accepted && got.Version == 2:
				wins.Add(1)
			case errors.Is(err, invites.ErrUsed):
				used.Add(1)
			default:
				t.Errorf("claim: %v %v", got, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || used.Load() != 19 {
		t.Fatalf("wins %d used %d", wins.Load(), used.Load())
	}
	evs, _ := s.Audit().List(ctx, audit.StoreQuery{PlatformID: "p", Limit: 100})
	if len(evs) != 2 {
		t.Fatalf("events %d", len(evs))
	}
	if err := s.Insert(ctx, inv("2", "h2"), ev("e2")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, invites.Claim{PlatformID: "p", TokenHash: "h2", Now: t0.Add(time.Hour), Event: ev("x")}); !errors.Is(err, invites.ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := s.Claim(ctx, invites.Claim{PlatformID: "q", TokenHash: "h2", Now: t0, Event: ev("y")}); !errors.Is(err, invites.ErrNotFound) {
		t.Fatalf("other platform: %v", err)
	}
}
