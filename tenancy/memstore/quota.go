package memstore

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// SetPool sets a resource's capacity on the platform, creating the pool
// when missing with Allocated the sum of the resource's allocations, and
// returns it. tenancy.ErrQuotaExceeded when the capacity is below what is
// allocated; tenancy.ErrNotFound when the platform is missing.
func (s *Store) SetPool(ctx context.Context, r tenancy.SetPool) (tenancy.Pool, error) {
	const op = "set pool"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return tenancy.Pool{}, err
	}
	p, ok := pd.pools[r.Resource]
	if !ok {
		p = tenancy.Pool{PlatformID: r.PlatformID, Resource: r.Resource, Allocated: pd.allocated(r.Resource)}
	}
	if r.Capacity < p.Allocated {
		return tenancy.Pool{}, failf(op, tenancy.ErrQuotaExceeded, "pool %q has %d units allocated, more than %d", r.Resource, p.Allocated, r.Capacity)
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return tenancy.Pool{}, err
	}
	p.Capacity, p.UpdatedAt = r.Capacity, micro(r.Now)
	pd.pools[r.Resource] = p
	return p, nil
}

// Pools lists the platform's pools by resource; an unknown platform has
// none (nil, no error).
func (s *Store) Pools(_ context.Context, platformID string) ([]tenancy.Pool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Pool
	for _, p := range pd.pools {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b tenancy.Pool) int { return strings.Compare(a.Resource, b.Resource) })
	return out, nil
}

// AdjustAllocation changes an account's allocation of a resource by
// r.Delta units (creating it at zero when missing), drawn from or given
// back to the resource's pool when there is one, and returns it.
// tenancy.ErrQuotaExceeded when the pool lacks room, tenancy.ErrConflict
// when the limit would fall below what is used (or below zero),
// tenancy.ErrNotFound when the account is missing.
func (s *Store) AdjustAllocation(ctx context.Context, r tenancy.AdjustAllocation) (tenancy.Allocation, error) {
	const op = "adjust allocation"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return tenancy.Allocation{}, err
	}
	if !hasKey(pd.accounts, r.AccountID) {
		return tenancy.Allocation{}, failf(op, tenancy.ErrNotFound, "account %q", r.AccountID)
	}
	cur, _ := pd.allocation(r.AccountID, r.Resource)
	if err := pd.checkAdjust(op, cur, r.Delta, 0); err != nil {
		return tenancy.Allocation{}, err
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return tenancy.Allocation{}, err
	}
	return pd.adjust(cur, r.Delta, r.Now), nil
}

// UseQuota uses r.N units of an account's allocation (negative N gives
// units back) and returns it. tenancy.ErrQuotaExceeded when the allocation
// is missing or Used would pass Limit, tenancy.ErrConflict when Used would
// fall below zero, tenancy.ErrNotFound when the account is missing. It
// writes no event.
func (s *Store) UseQuota(_ context.Context, r tenancy.UseQuota) (tenancy.Allocation, error) {
	const op = "use quota"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return tenancy.Allocation{}, err
	}
	if !hasKey(pd.accounts, r.AccountID) {
		return tenancy.Allocation{}, failf(op, tenancy.ErrNotFound, "account %q", r.AccountID)
	}
	a, ok := pd.allocation(r.AccountID, r.Resource)
	if err := checkUse(op, a, ok, r.N); err != nil {
		return tenancy.Allocation{}, err
	}
	return pd.use(a, r.N, r.Now), nil
}

// Allocations lists the allocations of the given accounts (all of the
// platform's when accountIDs is empty), by account then resource. Unknown
// accounts have none.
func (s *Store) Allocations(_ context.Context, platformID string, accountIDs []string) ([]tenancy.Allocation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var want map[string]bool
	if len(accountIDs) > 0 {
		want = make(map[string]bool, len(accountIDs))
		for _, id := range accountIDs {
			want[id] = true
		}
	}
	var out []tenancy.Allocation
	for accountID, byRes := range pd.allocs {
		if want != nil && !want[accountID] {
			continue
		}
		for _, a := range byRes {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b tenancy.Allocation) int {
		return cmp.Or(strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.Resource, b.Resource))
	})
	return out, nil
}

// ConvertTestAccount writes r.Account as UpdateAccount does (under its
// version guard) and, atomically, adds r.Units to its allocation of
// r.Resource from the pool, stamped with the account's UpdatedAt; it
// returns the stored account. tenancy.ErrNotFound when the account is
// missing, tenancy.ErrStale when its version moved, tenancy.ErrConflict
// when the nickname is taken, tenancy.ErrQuotaExceeded when the pool lacks
// room. Nothing is written then. Zero Units leaves the allocations alone.
func (s *Store) ConvertTestAccount(ctx context.Context, r tenancy.ConvertTestAccount) (tenancy.Account, error) {
	const op = "convert test account"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.Account.PlatformID)
	if err != nil {
		return tenancy.Account{}, err
	}
	a, err := pd.checkAccountUpdate(op, r.Account)
	if err != nil {
		return tenancy.Account{}, err
	}
	cur, _ := pd.allocation(a.ID, r.Resource)
	if r.Units != 0 {
		if err := pd.checkAdjust(op, cur, r.Units, 0); err != nil {
			return tenancy.Account{}, err
		}
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return tenancy.Account{}, err
	}
	pd.putAccount(a)
	if r.Units != 0 {
		pd.adjust(cur, r.Units, a.UpdatedAt)
	}
	return cloneAccount(a), nil
}

// allocation returns the account's allocation of resource, or a zero one
// with its keys set and false when there is none.
func (pd *platformData) allocation(accountID, resource string) (tenancy.Allocation, bool) {
	a, ok := pd.allocs[accountID][resource]
	if !ok {
		a = tenancy.Allocation{PlatformID: pd.platform.ID, AccountID: accountID, Resource: resource}
	}
	return a, ok
}

// allocated sums the allocations of resource.
func (pd *platformData) allocated(resource string) int64 {
	var sum int64
	for _, byRes := range pd.allocs {
		sum += byRes[resource].Limit
	}
	return sum
}

// checkAdjust refuses changing the allocation cur by delta units when its
// limit would fall below what is used or below zero (tenancy.ErrConflict),
// or when the pool of its resource, of which drawn units are already
// promised, lacks room (tenancy.ErrQuotaExceeded).
func (pd *platformData) checkAdjust(op string, cur tenancy.Allocation, delta, drawn int64) error {
	switch {
	case delta < cur.Used-cur.Limit || delta < -cur.Limit:
		return failf(op, tenancy.ErrConflict, "allocation of %q would fall to %d with %d used", cur.Resource, cur.Limit+delta, cur.Used)
	case delta > math.MaxInt64-cur.Limit:
		return failf(op, tenancy.ErrQuotaExceeded, "allocation of %q would overflow", cur.Resource)
	}
	if p, ok := pd.pools[cur.Resource]; ok && delta > 0 && delta > p.Free()-drawn {
		return failf(op, tenancy.ErrQuotaExceeded, "pool %q has %d units free, %d asked", cur.Resource, p.Free()-drawn, delta)
	}
	return nil
}

// adjust changes the allocation cur by delta units, stamped now, keeps its
// pool's Allocated in step, and returns the new allocation. The caller has
// run checkAdjust.
func (pd *platformData) adjust(cur tenancy.Allocation, delta int64, now time.Time) tenancy.Allocation {
	cur.Limit += delta
	cur.UpdatedAt = micro(now)
	pd.putAllocation(cur)
	if p, ok := pd.pools[cur.Resource]; ok && delta != 0 {
		p.Allocated += delta
		p.UpdatedAt = cur.UpdatedAt
		pd.pools[cur.Resource] = p
	}
	return cur
}

// checkUse refuses using n units of the allocation a (ok false when it is
// missing).
func checkUse(op string, a tenancy.Allocation, ok bool, n int64) error {
	switch {
	case !ok:
		return failf(op, tenancy.ErrQuotaExceeded, "account %q has no allocation of %q", a.AccountID, a.Resource)
	case n > a.Limit-a.Used:
		return failf(op, tenancy.ErrQuotaExceeded, "%q: %d of %d used, %d more asked", a.Resource, a.Used, a.Limit, n)
	case n < -a.Used:
		return failf(op, tenancy.ErrConflict, "%q: %d used, %d given back", a.Resource, a.Used, -n)
	}
	return nil
}

// use counts n more units of a as used, stamped now, and returns the new
// allocation. The caller has run checkUse.
func (pd *platformData) use(a tenancy.Allocation, n int64, now time.Time) tenancy.Allocation {
	a.Used += n
	if !now.IsZero() {
		a.UpdatedAt = micro(now)
	}
	pd.putAllocation(a)
	return a
}

// putAllocation stores a. It leaves the pools alone.
func (pd *platformData) putAllocation(a tenancy.Allocation) {
	if pd.allocs[a.AccountID] == nil {
		pd.allocs[a.AccountID] = map[string]tenancy.Allocation{}
	}
	pd.allocs[a.AccountID][a.Resource] = a
}

// dropAllocations removes the account's allocations and gives them back to
// their pools, stamped now.
func (pd *platformData) dropAllocations(accountID string, now time.Time) {
	for res, a := range pd.allocs[accountID] {
		if p, ok := pd.pools[res]; ok && a.Limit != 0 {
			p.Allocated -= a.Limit
			p.UpdatedAt = micro(now)
			pd.pools[res] = p
		}
	}
	delete(pd.allocs, accountID)
}
