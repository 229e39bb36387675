package tenantry_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// soakFor is how long TestSoak runs: -soak, or TENANTRY_SOAK; without
// either, a one-second smoke run. Only this package defines -soak, so
// pass it to this package alone: go test -run Soak . -soak 5m
var soakFor = flag.Duration("soak", 0, "run TestSoak for this long (default: TENANTRY_SOAK, else a 1s smoke run)")

const (
	soakWorkers  = 32
	soakAccounts = 8
	soakPool     = 200 // bot slots in the platform's pool
)

func soakDuration(t *testing.T) time.Duration {
	if *soakFor > 0 {
		return *soakFor
	}
	if s := os.Getenv("TENANTRY_SOAK"); s != "" {
		d, err := time.ParseDuration(s)
		require.NoError(t, err, "TENANTRY_SOAK")
		return d
	}
	return time.Second
}

// soakStats counts each kind of operation: done, refused by a rule
// (expected under contention), failed (unexpected).
type soakStats struct {
	mu     sync.Mutex
	done   map[string]int
	refuse map[string]int
	failed []string
}

func (s *soakStats) record(kind string, err error, expected ...error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		s.done[kind]++
	case slices.ContainsFunc(expected, func(e error) bool { return errors.Is(err, e) }):
		s.refuse[kind]++
	default:
		if len(s.failed) < 50 {
			s.failed = append(s.failed, kind+": "+err.Error())
		}
		s.refuse[kind+" (error)"]++
	}
}

// TestSoak runs mixed operations from 32 goroutines on PostgreSQL through
// the façade, then checks the invariants: no pool or allocation oversold,
// credits never negative and equal to their ledger, one active license per
// account, each invitation accepted at most once, no unexpected error.
func TestSoak(t *testing.T) {
	dur := soakDuration(t)
	db := testdb.Postgres(t)
	db.SetMaxOpenConns(testdb.MaxOpenConns)
	p, err := tenantry.Open(t.Context(), db, &tenantry.Config{
		SecretKey: []byte("0123456789abcdef0123456789abcdef"),
		Features:  []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
		Tenancy:   &tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}},
		Invites:   &invites.Config{PerInviter: 1 << 30, PerPlatform: 1 << 30},
	})
	require.NoError(t, err)
	ctx := context.Background()
	sys := audit.WithPrincipal(ctx, audit.System("soak"))
	plat, err := p.Tenancy.CreatePlatform(sys, tenancy.CreatePlatformParams{Name: "Soak"})
	require.NoError(t, err)
	pid := plat.ID
	as := func(userID string) context.Context {
		return audit.WithPrincipal(ctx, audit.Principal{PlatformID: pid, UserID: userID})
	}
	owner, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: "owner@soak.example", Name: "Owner", Role: tenancy.RoleOwner})
	require.NoError(t, err)
	op, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: "op@soak.example", Name: "Op", Role: tenancy.RoleOperator})
	require.NoError(t, err)
	own, opCtx := as(owner.User.ID), as(op.User.ID)
	_, err = p.Licensing.CreatePlan(own, licensing.PlanParams{PlatformID: pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
	require.NoError(t, err)
	_, err = p.Tenancy.SetPool(own, pid, tenancy.ResourceBotSlots, soakPool)
	require.NoError(t, err)

	var accMu sync.Mutex
	var accounts []string
	for i := range soakAccounts {
		c, err := p.Tenancy.CreateAccount(own, tenancy.CreateAccountParams{PlatformID: pid, Name: fmt.Sprintf("Seed %d", i), Email: fmt.Sprintf("seed%d@soak.example", i)})
		require.NoError(t, err)
		accounts = append(accounts, c.Account.ID)
	}
	pick := func(r *rand.Rand) string {
		accMu.Lock()
		defer accMu.Unlock()
		// Most operations go to the seed accounts, to contend.
		if r.IntN(4) > 0 {
			return accounts[r.IntN(soakAccounts)]
		}
		return accounts[r.IntN(len(accounts))]
	}

	stats := &soakStats{done: map[string]int{}, refuse: map[string]int{}}
	var accepted sync.Map // invitation ID -> *atomic.Int32 successful accepts
	var seq atomic.Int64
	ops := []struct {
		kind string
		run  func(r *rand.Rand)
	}{
		{"create account", func(*rand.Rand) {
			n := seq.Add(1)
			c, err := p.Tenancy.CreateAccount(own, tenancy.CreateAccountParams{PlatformID: pid, Name: fmt.Sprintf("Acct %d", n), Email: fmt.Sprintf("a%d@soak.example", n)})
			stats.record("create account", err)
			if err == nil {
				accMu.Lock()
				accounts = append(accounts, c.Account.ID)
				accMu.Unlock()
			}
		}},
		{"add member", func(r *rand.Rand) {
			n := seq.Add(1)
			u, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: fmt.Sprintf("m%d@soak.example", n), Name: "M"})
			if err != nil {
				stats.record("add member", err)
				return
			}
			_, err = p.Tenancy.AddMember(own, tenancy.AddMemberParams{PlatformID: pid, AccountID: pick(r), UserID: u.User.ID, Permissions: []string{tenancy.PermLiveChat}})
			stats.record("add member", err, tenancy.ErrQuotaExceeded)
		}},
		{"allocate", func(r *rand.Rand) {
			_, err := p.Tenancy.Allocate(own, pid, pick(r), tenancy.ResourceBotSlots, int64(1+r.IntN(3)))
			stats.record("allocate", err, tenancy.ErrQuotaExceeded)
		}},
		{"use quota", func(r *rand.Rand) {
			n := int64(1)
			if r.IntN(4) == 0 {
				n = -1
			}
			_, err := p.Tenancy.UseQuota(sys, pid, pick(r), tenancy.ResourceBotSlots, n)
			stats.record("use quota", err, tenancy.ErrQuotaExceeded, tenancy.ErrConflict)
		}},
		{"grant credits", func(r *rand.Rand) {
			_, err := p.Licensing.GrantCredits(own, licensing.CreditParams{PlatformID: pid, AccountID: pick(r), Kind: "sms", Amount: int64(1 + r.IntN(5)), IdempotencyKey: fmt.Sprintf("g%d", r.IntN(5000))})
			stats.record("grant credits", err, licensing.ErrConflict)
		}},
		{"debit credits", func(r *rand.Rand) {
			_, err := p.Licensing.DebitCredits(own, licensing.CreditParams{PlatformID: pid, AccountID: pick(r), Kind: "sms", Amount: int64(1 + r.IntN(3)), IdempotencyKey: fmt.Sprintf("d%d", r.IntN(5000))})
			stats.record("debit credits", err, licensing.ErrInsufficientCredits, licensing.ErrConflict)
		}},
		{"issue license", func(r *rand.Rand) {
			_, err := p.Licensing.Issue(own, licensing.IssueParams{PlatformID: pid, PlanID: "pro", AccountID: pick(r), EndsAt: time.Now().Add(24 * time.Hour)})
			stats.record("issue license", err, licensing.ErrConflict)
		}},
		{"revoke license", func(r *rand.Rand) {
			l, err := p.Licensing.AccountLicense(own, pid, pick(r))
			if errors.Is(err, licensing.ErrNotFound) {
				stats.record("revoke license", err, licensing.ErrNotFound)
				return
			}
			if err == nil {
				_, err = p.Licensing.Revoke(own, pid, l.ID)
			}
			stats.record("revoke license", err, licensing.ErrTransition, licensing.ErrStale, licensing.ErrConflict)
		}},
		{"invite and race to accept", func(r *rand.Rand) {
			n := seq.Add(1)
			email := fmt.Sprintf("inv%d@soak.example", n)
			u, err := p.Tenancy.CreateUser(sys, tenancy.CreateUserParams{PlatformID: pid, Email: email, Name: "I"})
			if err != nil {
				stats.record("invite and race to accept", err)
				return
			}
			c, err := p.Invites.Create(own, invites.CreateParams{PlatformID: pid, Kind: invites.KindManager, Email: email, AccountID: pick(r), ResourceID: fmt.Sprintf("bot-%d", r.IntN(4))})
			if err != nil {
				stats.record("invite and race to accept", err)
				return
			}
			wins := new(atomic.Int32)
			accepted.Store(c.Invitation.ID, wins)
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					_, err := p.Invites.Accept(as(u.User.ID), invites.AcceptParams{PlatformID: pid, Token: c.Token, UserID: u.User.ID, UserEmail: email})
					if err == nil {
						wins.Add(1)
					}
					stats.record("invite and race to accept", err, invites.ErrUsed, invites.ErrStale, invites.ErrConflict)
				})
			}
			wg.Wait()
		}},
		{"impersonate", func(r *rand.Rand) {
			st, err := p.Impersonation.Start(opCtx, impersonation.StartParams{PlatformID: pid, AccountID: pick(r), Mode: impersonation.AsClient})
			if err == nil {
				_, err = p.Impersonation.Resolve(ctx, pid, st.Token)
			}
			if err == nil {
				_, err = p.Impersonation.Exit(ctx, pid, st.Token)
			}
			stats.record("impersonate", err)
		}},
		{"gate check", func(r *rand.Rand) {
			_, err := p.Licensing.Gate().Check(ctx, pid, pick(r), "live_chat")
			stats.record("gate check", err)
		}},
	}

	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for w := range soakWorkers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for time.Now().Before(deadline) {
				o := ops[r.IntN(len(ops))]
				o.run(r)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	// Throughput.
	kinds := slices.Sorted(func(yield func(string) bool) {
		for _, o := range ops {
			if !yield(o.kind) {
				return
			}
		}
	})
	var report strings.Builder
	total := 0
	for _, k := range kinds {
		n, ref := stats.done[k], stats.refuse[k]
		total += n + ref
		fmt.Fprintf(&report, "\n  %-26s %7.1f ops/s done, %7.1f ops/s refused by a rule", k, float64(n)/elapsed.Seconds(), float64(ref)/elapsed.Seconds())
	}
	t.Logf("soak: %d workers for %v on PostgreSQL, %d operations (%.0f ops/s):%s", soakWorkers, elapsed.Round(time.Millisecond), total, float64(total)/elapsed.Seconds(), report.String())
	require.Empty(t, stats.failed, "unexpected errors")

	// Invariants.
	accMu.Lock()
	all := slices.Clone(accounts)
	accMu.Unlock()
	pools, err := p.Tenancy.Pools(own, pid)
	require.NoError(t, err)
	allocs, err := p.Tenancy.Allocations(own, pid, all...)
	require.NoError(t, err)
	var allocated int64
	for _, a := range allocs {
		require.LessOrEqual(t, a.Used, a.Limit, "allocation %s/%s oversold", a.AccountID, a.Resource)
		require.GreaterOrEqual(t, a.Used, int64(0))
		if a.Resource == tenancy.ResourceBotSlots {
			allocated += a.Limit
		}
	}
	for _, pl := range pools {
		require.LessOrEqual(t, pl.Allocated, pl.Capacity, "pool %s oversold", pl.Resource)
		if pl.Resource == tenancy.ResourceBotSlots {
			require.Equal(t, pl.Allocated, allocated, "the pool's count equals its allocations")
		}
	}
	for _, acc := range all {
		bal, err := p.Licensing.Balances(own, pid, acc)
		require.NoError(t, err)
		var sum int64
		keys := map[string]bool{}
		for after := ""; ; {
			page, err := p.Licensing.CreditHistory(own, pid, acc, "sms", after, 500)
			require.NoError(t, err)
			for _, e := range page.Entries {
				sum += e.Delta
				require.GreaterOrEqual(t, e.Balance, int64(0), "balance after entry %s", e.ID)
				if e.IdempotencyKey != "" {
					require.False(t, keys[e.IdempotencyKey], "idempotency key %s applied twice", e.IdempotencyKey)
					keys[e.IdempotencyKey] = true
				}
			}
			if after = page.Next; after == "" {
				break
			}
		}
		require.GreaterOrEqual(t, bal["sms"], int64(0), "account %s balance", acc)
		require.Equal(t, sum, bal["sms"], "account %s balance equals its ledger", acc)
	}
	active := map[string]int{}
	for after := ""; ; {
		page, err := p.Licensing.ListLicenses(own, licensing.ListLicensesParams{PlatformID: pid, Status: licensing.Active, After: after, Limit: 500})
		require.NoError(t, err)
		for _, l := range page.Licenses {
			if l.AccountID != "" {
				active[l.AccountID]++
			}
		}
		if after = page.Next; after == "" {
			break
		}
	}
	for acc, n := range active {
		require.Equal(t, 1, n, "account %s has %d active licenses", acc, n)
	}
	invs := 0
	accepted.Range(func(k, v any) bool {
		invs++
		require.LessOrEqual(t, v.(*atomic.Int32).Load(), int32(1), "invitation %s accepted twice", k)
		return true
	})
	sort.Strings(all)
	t.Logf("invariants hold over %d accounts, %d invitations raced, %d accounts licensed", len(all), invs, len(active))
}
