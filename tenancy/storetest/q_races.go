package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qWatchPool reads the pool of resource and the platform's allocations
// over and over until stop is closed, and reports any moment where either
// passes capacity. It returns a function that stops it and waits.
func (e *env) qWatchPool(resource string, capacity int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			ps, err := e.s.Pools(e.ctx, e.pid)
			if !assert.NoError(e.t, err, "pools while racing") {
				return
			}
			for _, p := range ps {
				if p.Resource == resource {
					assert.LessOrEqual(e.t, p.Allocated, capacity, "pool over capacity while racing")
				}
			}
			as, err := e.s.Allocations(e.ctx, e.pid, nil)
			if !assert.NoError(e.t, err, "allocations while racing") {
				return
			}
			var sum int64
			for _, a := range as {
				if a.Resource == resource {
					sum += a.Limit
				}
				assert.LessOrEqual(e.t, a.Used, a.Limit, "allocation over its limit while racing")
			}
			assert.LessOrEqual(e.t, sum, capacity, "allocations over the pool while racing")
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

// testQRaceAdjustAllocation: 64 goroutines, each on its own account, take
// one unit at a time from a pool of 100 until refused. Exactly 100 are
// granted, never more, and every grant's event lands.
func testQRaceAdjustAllocation(t *testing.T, h Harness) {
	qHeavyRace(t)
	e := setup(t, h)
	const capacity = 100
	e.qPool(tenancy.ResourceBotSlots, capacity)
	accounts := make([]tenancy.Account, qBigRacers)
	for i := range accounts {
		accounts[i] = e.qAccount(nil)
	}

	type grant struct {
		limits  []int64
		events  []audit.Event
		refused []audit.Event
	}
	grants := make([]grant, qBigRacers)
	reqs := make([][]tenancy.AdjustAllocation, qBigRacers) // built up front: e.next is shared
	for i := range reqs {
		for range capacity + 1 {
			reqs[i] = append(reqs[i], e.qAdjustReq(accounts[i].ID, tenancy.ResourceBotSlots, 1))
		}
	}
	stop := e.qWatchPool(tenancy.ResourceBotSlots, capacity)
	errs := conformance.Race(qBigRacers, func(i int) error {
		for _, r := range reqs[i] {
			a, err := e.s.AdjustAllocation(e.ctx, r)
			if errors.Is(err, tenancy.ErrQuotaExceeded) {
				grants[i].refused = append(grants[i].refused, r.Event)
				return nil
			}
			if err != nil {
				return err
			}
			grants[i].limits = append(grants[i].limits, a.Limit)
			grants[i].events = append(grants[i].events, r.Event)
		}
		return fmt.Errorf("racer %d was never refused", i)
	})
	stop()
	for i, err := range errs {
		require.NoError(t, err, "racer %d", i)
	}

	total := 0
	var granted, refused []audit.Event
	for i, g := range grants {
		for j, limit := range g.limits {
			require.Equal(t, int64(j+1), limit, "racer %d: each grant adds one to its own allocation", i)
		}
		total += len(g.limits)
		granted = append(granted, g.events...)
		refused = append(refused, g.refused...)
		if len(g.limits) > 0 {
			e.qRequireAlloc(accounts[i].ID, tenancy.ResourceBotSlots, int64(len(g.limits)), 0)
		} else {
			e.qRequireNoAlloc(accounts[i].ID, tenancy.ResourceBotSlots)
		}
	}
	require.Equal(t, capacity, total, "exactly the pool's capacity is granted")
	e.qRequirePool(tenancy.ResourceBotSlots, capacity, capacity)
	e.requireEvent(granted...)
	var ids []string
	for _, ev := range refused {
		ids = append(ids, ev.ID)
	}
	require.Len(t, ids, qBigRacers, "each racer was refused once")
	e.requireNoEvent(ids...)
}

// testQRaceUseQuota: 64 goroutines use one unit at a time of one
// allocation of 100 until refused. Exactly 100 uses succeed, each seeing a
// different Used.
func testQRaceUseQuota(t *testing.T, h Harness) {
	qHeavyRace(t)
	e := setup(t, h)
	const limit = 100
	acc := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceMessages, limit)})
	reqs := make([][]tenancy.UseQuota, qBigRacers)
	for i := range reqs {
		for range limit + 1 {
			reqs[i] = append(reqs[i], e.qUseReq(acc.ID, tenancy.ResourceMessages, 1))
		}
	}
	seen := make([][]int64, qBigRacers)
	errs := conformance.Race(qBigRacers, func(i int) error {
		for _, r := range reqs[i] {
			a, err := e.s.UseQuota(e.ctx, r)
			if errors.Is(err, tenancy.ErrQuotaExceeded) {
				return nil
			}
			if err != nil {
				return err
			}
			if a.Used > a.Limit {
				return fmt.Errorf("racer %d: used %d over limit %d", i, a.Used, a.Limit)
			}
			seen[i] = append(seen[i], a.Used)
		}
		return fmt.Errorf("racer %d was never refused", i)
	})
	for i, err := range errs {
		require.NoError(t, err, "racer %d", i)
	}
	var all []int64
	for _, s := range seen {
		all = append(all, s...)
	}
	require.Len(t, all, limit, "exactly the limit is used")
	slices.Sort(all)
	for i, used := range all {
		require.Equal(t, int64(i+1), used, "every success sees its own Used")
	}
	e.qRequireAlloc(acc.ID, tenancy.ResourceMessages, limit, limit)
}

// testQRaceTeamMembers: an account may have 10 team members; 64 users
// join at once. Exactly 10 get in, the others are refused with
// ErrQuotaExceeded and leave no trace.
func testQRaceTeamMembers(t *testing.T, h Harness) {
	qHeavyRace(t)
	e := setup(t, h)
	acc, owner := e.account()
	e.qAdjust(acc.ID, tenancy.ResourceTeamMembers, tenancy.DefaultTeamMembers)
	reqs := make([]tenancy.NewMember, qBigRacers)
	for i := range reqs {
		u := e.user()
		m := newMember(acc, u, false, tenancy.PermLiveChat)
		m.CreatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		reqs[i] = tenancy.NewMember{
			Member: m, Quota: &tenancy.QuotaUse{Resource: tenancy.ResourceTeamMembers, N: 1},
			Event: e.qMemberEvent("member.add", acc, u.ID),
		}
	}
	errs := conformance.Race(qBigRacers, func(i int) error { return e.s.InsertMember(e.ctx, reqs[i]) })

	var in []tenancy.Member
	for i, err := range errs {
		if err == nil {
			in = append(in, reqs[i].Member)
			e.requireEvent(reqs[i].Event)
			continue
		}
		require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "racer %d", i)
		e.requireNoEvent(reqs[i].Event.ID)
		e.requireNoMemberships(e.pid, reqs[i].Member.UserID)
	}
	require.Len(t, in, tenancy.DefaultTeamMembers, "exactly the allocation's members get in")
	slices.SortFunc(in, func(a, b tenancy.Member) int { return a.CreatedAt.Compare(b.CreatedAt) })
	requireMembers(t, append([]tenancy.Member{newMember(acc, owner, true)}, in...), e.members(acc.ID))
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, tenancy.DefaultTeamMembers, tenancy.DefaultTeamMembers)
}

// testQRaceConvertTestAccounts: 16 test accounts convert at once with one
// bot slot free in the pool. Exactly one converts; the others are refused
// with ErrQuotaExceeded and stay test accounts.
func testQRaceConvertTestAccounts(t *testing.T, h Harness) {
	e := setup(t, h)
	const n = 16
	e.qPool(tenancy.ResourceBotSlots, n+1)
	reqs := make([]tenancy.ConvertTestAccount, n)
	trials := make([]tenancy.Account, n)
	for i := range reqs {
		trials[i] = e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 1)})
		a := trials[i]
		a.TestExpiresAt = time.Time{}
		a.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		a.Version++
		ev := e.event("account.convert")
		ev.AccountID = a.ID
		reqs[i] = tenancy.ConvertTestAccount{Account: a, Resource: tenancy.ResourceBotSlots, Units: 1, Event: ev}
	}
	e.qRequirePool(tenancy.ResourceBotSlots, n+1, n)
	errs := conformance.Race(n, func(i int) error {
		_, err := e.s.ConvertTestAccount(e.ctx, reqs[i])
		return err
	})
	winner := conformance.OneWinner(t, errs, tenancy.ErrQuotaExceeded)

	for i, r := range reqs {
		if i == winner {
			got := e.getAccount(r.Account.ID)
			requireAccount(t, r.Account, got)
			require.False(t, got.IsTest())
			e.qRequireAlloc(r.Account.ID, tenancy.ResourceBotSlots, 2, 0)
			e.requireEvent(r.Event)
			continue
		}
		got := e.getAccount(r.Account.ID)
		requireAccount(t, trials[i], got)
		require.True(t, got.IsTest(), "a refused account stays a test account")
		e.qRequireAlloc(r.Account.ID, tenancy.ResourceBotSlots, 1, 0)
		e.requireNoEvent(r.Event.ID)
	}
	e.qRequirePool(tenancy.ResourceBotSlots, n+1, n+1)
}

// testQRaceConvertSameAccount: one test account converted by 32 calls at
// once, the pool roomy: the version guard lets one through, and the
// allocation grows once.
func testQRaceConvertSameAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 100)
	trial := e.qAccount(nil)
	reqs := make([]tenancy.ConvertTestAccount, racers)
	for i := range reqs {
		a := trial
		a.TestExpiresAt = time.Time{}
		a.Name = fmt.Sprintf("Converted %02d", i)
		a.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		a.Version++
		reqs[i] = tenancy.ConvertTestAccount{Account: a, Resource: tenancy.ResourceBotSlots, Units: 1, Event: e.event("account.convert")}
	}
	errs := conformance.Race(racers, func(i int) error {
		_, err := e.s.ConvertTestAccount(e.ctx, reqs[i])
		return err
	})
	winner := conformance.OneWinner(t, errs, tenancy.ErrStale)
	requireAccount(t, reqs[winner].Account, e.getAccount(trial.ID))
	e.qRequireAlloc(trial.ID, tenancy.ResourceBotSlots, 1, 0)
	e.qRequirePool(tenancy.ResourceBotSlots, 100, 1)
	for i, r := range reqs {
		if i == winner {
			e.requireEvent(r.Event)
		} else {
			e.requireNoEvent(r.Event.ID)
		}
	}
}

// testQRaceQuotaMixed: adjustments up and down, uses, pool resizes,
// accounts created with allocations and deleted, all at once. Afterwards
// the pool's Allocated is exactly its capacity's worth of what succeeded,
// the sum of the allocations, and within the capacity; no Used passes its
// Limit.
func testQRaceQuotaMixed(t *testing.T, h Harness) {
	qHeavyRace(t)
	e := setup(t, h)
	const res = tenancy.ResourceSeats
	e.qPool(res, 40)
	accounts := make([]tenancy.Account, 8)
	for i := range accounts {
		accounts[i] = e.qAccount([]tenancy.QuotaUse{qUse(res, 2)})
	}
	const workers, rounds = racers, 6

	// Each worker's calls are built up front; deltas counts what each
	// successful call adds to the pool's Allocated.
	type call struct {
		kind   string
		adjust tenancy.AdjustAllocation
		use    tenancy.UseQuota
		pool   tenancy.SetPool
		create tenancy.NewAccount
		delta  int64
	}
	plans := make([][]call, workers)
	for w := range workers {
		for r := range rounds {
			acc := accounts[(w+r)%len(accounts)]
			var c call
			switch (w + r) % 6 {
			case 0, 1:
				c = call{kind: "adjust", adjust: e.qAdjustReq(acc.ID, res, 2), delta: 2}
			case 2:
				c = call{kind: "adjust", adjust: e.qAdjustReq(acc.ID, res, -1), delta: -1}
			case 3:
				c = call{kind: "use", use: e.qUseReq(acc.ID, res, int64(1-2*(r%2)))}
			case 4:
				c = call{kind: "pool", pool: e.qSetPoolReq(res, int64(30+10*(w%4)))}
			case 5:
				c = call{kind: "create", create: e.qAccountRequest([]tenancy.QuotaUse{qUse(res, 3)}), delta: 3}
			}
			plans[w] = append(plans[w], c)
		}
	}
	added := make([]int64, workers)
	var mu sync.Mutex
	var created []string
	errs := conformance.Race(workers, func(w int) error {
		for _, c := range plans[w] {
			var err error
			switch c.kind {
			case "adjust":
				_, err = e.s.AdjustAllocation(e.ctx, c.adjust)
			case "use":
				_, err = e.s.UseQuota(e.ctx, c.use)
			case "pool":
				_, err = e.s.SetPool(e.ctx, c.pool)
			case "create":
				err = e.s.CreateAccount(e.ctx, c.create)
				if err == nil {
					added[w] += c.delta
					mu.Lock()
					created = append(created, c.create.Account.ID)
					mu.Unlock()
					// And delete it again at once: its allocation goes back.
					_, err = e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{
						PlatformID: e.pid, AccountID: c.create.Account.ID, Now: at(2 * time.Hour), Event: e.event("account.delete"),
					})
					if err != nil {
						return fmt.Errorf("delete: %w", err)
					}
					added[w] -= c.delta
				}
			}
			switch {
			case err == nil:
				if c.kind == "adjust" {
					added[w] += c.delta
				}
			case errors.Is(err, tenancy.ErrQuotaExceeded), errors.Is(err, tenancy.ErrConflict):
			default:
				return fmt.Errorf("%s: %w", c.kind, err)
			}
		}
		return nil
	})
	for i, err := range errs {
		require.NoError(t, err, "worker %d", i)
	}
	var want int64 = 2 * int64(len(accounts))
	for _, a := range added {
		want += a
	}
	p, ok := e.qPools()[res]
	require.True(t, ok)
	require.Equal(t, want, p.Allocated, "Allocated counts exactly what succeeded")
	require.LessOrEqual(t, p.Allocated, p.Capacity, "never over the pool")
	require.Equal(t, want, e.qAllocatedSum(res), "Allocated is the sum of the allocations")
	for _, id := range created {
		e.requireNoAccount(id)
		require.Empty(t, e.qAllocations(id))
	}
}
