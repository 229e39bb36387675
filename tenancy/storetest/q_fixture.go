package storetest

// Builders and checks shared by the q_*.go subtests: quotas, operators,
// grants, activity, SSO and bulk creation.
//
// Where store.go and store_more.go leave a detail open, these subtests take
// the reading below and check nothing stricter:
//
//   - AdjustAllocation and UseQuota set the allocation's UpdatedAt to r.Now;
//     SetPool sets the pool's UpdatedAt to r.Now. A pool's UpdatedAt is not
//     checked after other calls change its Allocated.
//   - ConvertTestAccount creates the allocation when the account has none
//     (as AdjustAllocation does), and a converted account is stored exactly
//     as r.Account (every field, as UpdateAccount would).
//   - UseQuota on an account that does not exist (or lives on another
//     platform) may be ErrQuotaExceeded (its allocation is missing) or
//     ErrNotFound; either way nothing changes.
//   - Figures returns one entry per given account that exists, Users
//     counting its primary admin; an unknown account may be left out or come
//     back with zero figures. Totals of an account with no activity are
//     empty (nil or an empty map). Figures are matched by AccountID, in any
//     order.
//   - Activity of an unknown account, and AddActivity on an account of
//     another platform, may be ErrNotFound or do nothing; either way no
//     count of the real account moves.
//   - Unassign of accounts of another platform may be ErrNotFound or do
//     nothing.
//   - PurgeSSONonces is global (nonces of every platform): the subtest uses
//     expiries decades before the suite's base time, that no other subtest
//     uses, so that its counts hold over a shared database.

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qBigRacers is how many goroutines the quota races start together.
const qBigRacers = 64

// qHeavy serialises the suite's 64-goroutine races, so that the subtests
// running in parallel over one PostgreSQL server stay under its connection
// limit (each racer may hold a connection).
var qHeavy sync.Mutex

// qHeavyRace holds qHeavy for the rest of the subtest.
func qHeavyRace(t *testing.T) {
	qHeavy.Lock()
	t.Cleanup(qHeavy.Unlock)
}

// qAlloc returns a's first allocation of resource (Used zero, UpdatedAt
// a.CreatedAt), as NewAccount.Allocations carries it.
func qAlloc(a tenancy.Account, resource string, limit int64) tenancy.Allocation {
	return tenancy.Allocation{
		PlatformID: a.PlatformID, AccountID: a.ID, Resource: resource,
		Limit: limit, UpdatedAt: a.CreatedAt,
	}
}

// qAccountRequest builds (without storing) an account with a new primary
// user, its primary member, the given allocations and two events; mods
// change the account before the request is built.
func (e *env) qAccountRequest(allocs []tenancy.QuotaUse, mods ...func(*tenancy.Account)) tenancy.NewAccount {
	u := e.newUser()
	a := e.newAccount(u)
	for _, m := range mods {
		m(&a)
	}
	req := e.newAccountRequest(a, u)
	for _, q := range allocs {
		req.Allocations = append(req.Allocations, qAlloc(a, q.Resource, q.N))
	}
	return req
}

// qAccount creates an account with a new primary user and the given
// allocations, and returns the stored account.
func (e *env) qAccount(allocs []tenancy.QuotaUse, mods ...func(*tenancy.Account)) tenancy.Account {
	e.t.Helper()
	req := e.qAccountRequest(allocs, mods...)
	require.NoError(e.t, e.s.CreateAccount(e.ctx, req), "create account %s", req.Account.Name)
	return req.Account
}

// qUse is shorthand for a QuotaUse.
func qUse(resource string, n int64) tenancy.QuotaUse {
	return tenancy.QuotaUse{Resource: resource, N: n}
}

// qSetPoolReq returns a request setting resource's capacity on e's
// platform.
func (e *env) qSetPoolReq(resource string, capacity int64) tenancy.SetPool {
	ev := e.event("quota.set_pool")
	ev.TargetType, ev.TargetID = "pool", resource
	return tenancy.SetPool{
		PlatformID: e.pid, Resource: resource, Capacity: capacity,
		Now: at(time.Duration(e.next())*time.Millisecond + 17*time.Microsecond), Event: ev,
	}
}

// qPool sets resource's capacity and checks the call and its event.
func (e *env) qPool(resource string, capacity int64) tenancy.Pool {
	e.t.Helper()
	r := e.qSetPoolReq(resource, capacity)
	p, err := e.s.SetPool(e.ctx, r)
	require.NoError(e.t, err, "set pool %s to %d", resource, capacity)
	require.Equal(e.t, e.pid, p.PlatformID)
	require.Equal(e.t, resource, p.Resource)
	require.Equal(e.t, capacity, p.Capacity)
	require.True(e.t, r.Now.Equal(p.UpdatedAt), "pool UpdatedAt is r.Now: want %v, got %v", r.Now, p.UpdatedAt)
	conformance.RequireUTC(e.t, "pool", p.UpdatedAt)
	e.requireEvent(r.Event)
	return p
}

// qPools returns e's pools by resource.
func (e *env) qPools() map[string]tenancy.Pool {
	e.t.Helper()
	ps, err := e.s.Pools(e.ctx, e.pid)
	require.NoError(e.t, err, "pools")
	out := make(map[string]tenancy.Pool, len(ps))
	for i, p := range ps {
		require.Equal(e.t, e.pid, p.PlatformID, "pool of another platform")
		if i > 0 {
			require.Less(e.t, ps[i-1].Resource, p.Resource, "pools come by resource")
		}
		conformance.RequireUTC(e.t, "pool", p.UpdatedAt)
		out[p.Resource] = p
	}
	return out
}

// qRequirePool checks resource's pool capacity and allocation, and that
// Allocated is the sum of the platform's allocations of the resource.
func (e *env) qRequirePool(resource string, capacity, allocated int64) {
	e.t.Helper()
	p, ok := e.qPools()[resource]
	require.True(e.t, ok, "pool %s must exist", resource)
	require.Equal(e.t, capacity, p.Capacity, "pool %s capacity", resource)
	require.Equal(e.t, allocated, p.Allocated, "pool %s allocated", resource)
	require.Equal(e.t, allocated, e.qAllocatedSum(resource), "pool %s: Allocated is the sum of the allocations", resource)
}

// qRequireNoPool checks that resource has no pool on e's platform.
func (e *env) qRequireNoPool(resource string) {
	e.t.Helper()
	_, ok := e.qPools()[resource]
	require.False(e.t, ok, "pool %s must not exist", resource)
}

// qAllocatedSum returns the sum of the limits of e's allocations of
// resource.
func (e *env) qAllocatedSum(resource string) int64 {
	e.t.Helper()
	var sum int64
	for _, a := range e.qAllocations() {
		if a.Resource == resource {
			sum += a.Limit
		}
	}
	return sum
}

// qAllocations returns the allocations of the given accounts (all of e's
// platform when none), checking their order and platform.
func (e *env) qAllocations(accountIDs ...string) []tenancy.Allocation {
	e.t.Helper()
	as, err := e.s.Allocations(e.ctx, e.pid, accountIDs)
	require.NoError(e.t, err, "allocations")
	for i, a := range as {
		require.Equal(e.t, e.pid, a.PlatformID, "allocation of another platform")
		conformance.RequireUTC(e.t, "allocation", a.UpdatedAt)
		require.LessOrEqual(e.t, a.Used, a.Limit, "allocation %s/%s: Used never exceeds Limit", a.AccountID, a.Resource)
		require.GreaterOrEqual(e.t, a.Used, int64(0), "allocation %s/%s: Used is never negative", a.AccountID, a.Resource)
		if i > 0 {
			prev := as[i-1]
			require.True(e.t, prev.AccountID < a.AccountID || prev.AccountID == a.AccountID && prev.Resource < a.Resource,
				"allocations come by account then resource: %s/%s before %s/%s", prev.AccountID, prev.Resource, a.AccountID, a.Resource)
		}
	}
	return as
}

// qAllocation returns the account's allocation of resource, and whether it
// exists.
func (e *env) qAllocation(accountID, resource string) (tenancy.Allocation, bool) {
	e.t.Helper()
	for _, a := range e.qAllocations(accountID) {
		require.Equal(e.t, accountID, a.AccountID, "Allocations returned another account's allocation")
		if a.Resource == resource {
			return a, true
		}
	}
	return tenancy.Allocation{}, false
}

// qRequireAlloc checks the account's allocation of resource.
func (e *env) qRequireAlloc(accountID, resource string, limit, used int64) tenancy.Allocation {
	e.t.Helper()
	a, ok := e.qAllocation(accountID, resource)
	require.True(e.t, ok, "allocation %s of %s must exist", resource, accountID)
	require.Equal(e.t, limit, a.Limit, "allocation %s of %s: Limit", resource, accountID)
	require.Equal(e.t, used, a.Used, "allocation %s of %s: Used", resource, accountID)
	return a
}

// qRequireNoAlloc checks that the account has no allocation of resource.
func (e *env) qRequireNoAlloc(accountID, resource string) {
	e.t.Helper()
	a, ok := e.qAllocation(accountID, resource)
	require.False(e.t, ok, "allocation %s of %s must not exist, got %+v", resource, accountID, a)
}

// qAdjustReq returns a request changing the account's allocation of
// resource by delta.
func (e *env) qAdjustReq(accountID, resource string, delta int64) tenancy.AdjustAllocation {
	ev := e.event("quota.adjust")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "allocation", resource
	return tenancy.AdjustAllocation{
		PlatformID: e.pid, AccountID: accountID, Resource: resource, Delta: delta,
		Now: at(time.Duration(e.next())*time.Millisecond + 29*time.Microsecond), Event: ev,
	}
}

// qAdjust changes an allocation and checks the result and its event.
func (e *env) qAdjust(accountID, resource string, delta int64) tenancy.Allocation {
	e.t.Helper()
	r := e.qAdjustReq(accountID, resource, delta)
	a, err := e.s.AdjustAllocation(e.ctx, r)
	require.NoError(e.t, err, "adjust %s of %s by %d", resource, accountID, delta)
	require.Equal(e.t, e.pid, a.PlatformID)
	require.Equal(e.t, accountID, a.AccountID)
	require.Equal(e.t, resource, a.Resource)
	require.True(e.t, r.Now.Equal(a.UpdatedAt), "allocation UpdatedAt is r.Now: want %v, got %v", r.Now, a.UpdatedAt)
	conformance.RequireUTC(e.t, "allocation", a.UpdatedAt)
	e.requireEvent(r.Event)
	return a
}

// qRefuseAdjust checks that an adjustment fails with want and writes
// nothing: no event, allocations and pools as they were.
func (e *env) qRefuseAdjust(accountID, resource string, delta int64, want error) {
	e.t.Helper()
	allocs, pools := e.qAllocations(), e.qPools()
	r := e.qAdjustReq(accountID, resource, delta)
	_, err := e.s.AdjustAllocation(e.ctx, r)
	require.ErrorIs(e.t, err, want, "adjust %s of %s by %d", resource, accountID, delta)
	e.requireNoEvent(r.Event.ID)
	require.Equal(e.t, allocs, e.qAllocations(), "allocations unchanged")
	require.Equal(e.t, pools, e.qPools(), "pools unchanged")
}

// qUseReq returns a request using n units of the account's allocation.
func (e *env) qUseReq(accountID, resource string, n int64) tenancy.UseQuota {
	return tenancy.UseQuota{
		PlatformID: e.pid, AccountID: accountID, Resource: resource, N: n,
		Now: at(time.Duration(e.next())*time.Millisecond + 41*time.Microsecond),
	}
}

// qUseQuota uses n units and checks the result.
func (e *env) qUseQuota(accountID, resource string, n int64) tenancy.Allocation {
	e.t.Helper()
	r := e.qUseReq(accountID, resource, n)
	a, err := e.s.UseQuota(e.ctx, r)
	require.NoError(e.t, err, "use %d of %s of %s", n, resource, accountID)
	require.Equal(e.t, e.pid, a.PlatformID)
	require.Equal(e.t, accountID, a.AccountID)
	require.Equal(e.t, resource, a.Resource)
	require.True(e.t, r.Now.Equal(a.UpdatedAt), "allocation UpdatedAt is r.Now: want %v, got %v", r.Now, a.UpdatedAt)
	return a
}

// qRefuseUse checks that a use fails with one of want and changes nothing.
func (e *env) qRefuseUse(accountID, resource string, n int64, want ...error) {
	e.t.Helper()
	allocs, pools := e.qAllocations(), e.qPools()
	_, err := e.s.UseQuota(e.ctx, e.qUseReq(accountID, resource, n))
	qRequireErrorIn(e.t, err, want, "use %d of %s of %s", n, resource, accountID)
	require.Equal(e.t, allocs, e.qAllocations(), "allocations unchanged")
	require.Equal(e.t, pools, e.qPools(), "pools unchanged")
}

// qRequireErrorIn checks that err matches one of want.
func qRequireErrorIn(t *testing.T, err error, want []error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	for _, w := range want {
		if errors.Is(err, w) {
			return
		}
	}
	require.Failf(t, "unexpected error", "got %v, want one of %v; %v", err, want, msgAndArgs)
}

// qEventCount returns how many events e's platform has.
func (e *env) qEventCount() int {
	e.t.Helper()
	return len(e.eventsOn(e.pid))
}

// qMemberEvent returns a member.add (or other action) event for user u of
// account a.
func (e *env) qMemberEvent(action string, a tenancy.Account, userID string) audit.Event {
	ev := e.event(action)
	ev.AccountID, ev.TargetType, ev.TargetID = a.ID, "user", userID
	return ev
}

// qPad returns ids followed by n unknown account IDs: batch reads must
// take any number of IDs.
func qPad(ids []string, n int) []string {
	out := slices.Clone(ids)
	for range n {
		out = append(out, newID())
	}
	return out
}

// qSortedIDs returns ids sorted.
func qSortedIDs(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// qAllocKey names an allocation in failure messages and maps.
func qAllocKey(accountID, resource string) string { return accountID + "/" + resource }

// qAllocMap returns allocations by qAllocKey.
func qAllocMap(as []tenancy.Allocation) map[string]tenancy.Allocation {
	out := make(map[string]tenancy.Allocation, len(as))
	for _, a := range as {
		out[qAllocKey(a.AccountID, a.Resource)] = a
	}
	return out
}

// qRequireAllocations checks that got lists want, in order.
func qRequireAllocations(t *testing.T, want, got []tenancy.Allocation) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b tenancy.Allocation) int {
		if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		return strings.Compare(a.Resource, b.Resource)
	})
	require.Len(t, got, len(want), "allocations")
	for i := range want {
		conformance.RequireUTC(t, "allocation", got[i].UpdatedAt)
		require.Equal(t, want[i], got[i], "allocation %d", i)
	}
}
