package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// testQPoolSet: SetPool creates a pool, resizes it, refuses a capacity
// below what is allocated, and a new pool starts with Allocated the sum of
// the allocations made before it existed. Pools come by resource.
func testQPoolSet(t *testing.T, h Harness) {
	e := setup(t, h)
	require.Empty(t, e.qPools(), "a new platform has no pool")

	p := e.qPool(tenancy.ResourceSeats, 5)
	require.Equal(t, int64(0), p.Allocated)
	require.Equal(t, int64(5), p.Free())
	e.qRequirePool(tenancy.ResourceSeats, 5, 0)

	// Resized up and down while nothing is allocated.
	e.qPool(tenancy.ResourceSeats, 9)
	e.qPool(tenancy.ResourceSeats, 0)
	e.qRequirePool(tenancy.ResourceSeats, 0, 0)
	e.qPool(tenancy.ResourceSeats, 6)

	acc := e.qAccount(nil)
	e.qAdjust(acc.ID, tenancy.ResourceSeats, 4)
	e.qRequirePool(tenancy.ResourceSeats, 6, 4)

	// Below what is allocated: refused, nothing written.
	r := e.qSetPoolReq(tenancy.ResourceSeats, 3)
	_, err := e.s.SetPool(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded)
	e.requireNoEvent(r.Event.ID)
	e.qRequirePool(tenancy.ResourceSeats, 6, 4)

	// Down to exactly what is allocated: no room left.
	p = e.qPool(tenancy.ResourceSeats, 4)
	require.Equal(t, int64(4), p.Allocated)
	require.Equal(t, int64(0), p.Free())
	e.qRefuseAdjust(acc.ID, tenancy.ResourceSeats, 1, tenancy.ErrQuotaExceeded)

	// A pool created over existing allocations starts with their sum.
	other := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceMessages, 700)})
	e.qAdjust(acc.ID, tenancy.ResourceMessages, 300)
	r = e.qSetPoolReq(tenancy.ResourceMessages, 999)
	_, err = e.s.SetPool(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "a new pool smaller than the allocations")
	e.requireNoEvent(r.Event.ID)
	e.qRequireNoPool(tenancy.ResourceMessages)
	p = e.qPool(tenancy.ResourceMessages, 1000)
	require.Equal(t, int64(1000), p.Allocated, "a new pool counts the existing allocations")
	e.qRequirePool(tenancy.ResourceMessages, 1000, 1000)
	e.qRequireAlloc(other.ID, tenancy.ResourceMessages, 700, 0)

	// Pools come by resource; a host may name its own resources.
	e.qPool("zz_host_widgets", 3)
	e.qPool(tenancy.ResourceBotSlots, 2)
	ps, err := e.s.Pools(e.ctx, e.pid)
	require.NoError(t, err)
	var names []string
	for _, p := range ps {
		names = append(names, p.Resource)
	}
	require.Equal(t, []string{tenancy.ResourceBotSlots, tenancy.ResourceMessages, tenancy.ResourceSeats, "zz_host_widgets"}, names)

	// Another platform's pools are its own.
	o := e.other()
	require.Empty(t, o.qPools())
	o.qPool(tenancy.ResourceSeats, 1)
	e.qRequirePool(tenancy.ResourceSeats, 4, 4)
	o.qRequirePool(tenancy.ResourceSeats, 1, 0)
}

// testQAdjustAllocation covers AdjustAllocation: within the pool, beyond
// it, below what is used, below zero, with no pool, and for a missing
// account.
func testQAdjustAllocation(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 10)
	a := e.qAccount(nil)
	b := e.qAccount(nil)

	// Created at zero when missing, drawn from the pool.
	got := e.qAdjust(a.ID, tenancy.ResourceBotSlots, 3)
	require.Equal(t, int64(3), got.Limit)
	require.Equal(t, int64(0), got.Used)
	require.Equal(t, int64(3), got.Free())
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 3)
	got = e.qAdjust(a.ID, tenancy.ResourceBotSlots, 2)
	require.Equal(t, int64(5), got.Limit)
	e.qAdjust(b.ID, tenancy.ResourceBotSlots, 4)
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 9)

	// Beyond the pool: refused whole, not partly granted.
	e.qRefuseAdjust(a.ID, tenancy.ResourceBotSlots, 2, tenancy.ErrQuotaExceeded)
	e.qRefuseAdjust(b.ID, tenancy.ResourceBotSlots, 100, tenancy.ErrQuotaExceeded)
	// Exactly up to the pool.
	got = e.qAdjust(b.ID, tenancy.ResourceBotSlots, 1)
	require.Equal(t, int64(5), got.Limit)
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 10)

	// Given back to the pool.
	got = e.qAdjust(a.ID, tenancy.ResourceBotSlots, -2)
	require.Equal(t, int64(3), got.Limit)
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 8)

	// Not below what is used, nor below zero.
	e.qUseQuota(a.ID, tenancy.ResourceBotSlots, 2)
	e.qRefuseAdjust(a.ID, tenancy.ResourceBotSlots, -2, tenancy.ErrConflict)
	got = e.qAdjust(a.ID, tenancy.ResourceBotSlots, -1)
	require.Equal(t, int64(2), got.Limit)
	require.Equal(t, int64(2), got.Used)
	require.Equal(t, int64(0), got.Free())
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 7)
	e.qRefuseAdjust(b.ID, tenancy.ResourceBotSlots, -6, tenancy.ErrConflict)
	got = e.qAdjust(b.ID, tenancy.ResourceBotSlots, -5)
	require.Equal(t, int64(0), got.Limit, "down to zero is allowed")
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 2)
	e.qRefuseAdjust(b.ID, tenancy.ResourceBotSlots, -1, tenancy.ErrConflict)

	// A missing allocation starts at zero: a negative delta is below zero,
	// and creates nothing.
	e.qRefuseAdjust(a.ID, tenancy.ResourceSeats, -1, tenancy.ErrConflict)
	e.qRequireNoAlloc(a.ID, tenancy.ResourceSeats)

	// No pool: unlimited.
	got = e.qAdjust(a.ID, tenancy.ResourceMessages, 1_000_000_000)
	require.Equal(t, int64(1_000_000_000), got.Limit)
	e.qAdjust(b.ID, tenancy.ResourceMessages, 5_000_000_000)
	e.qRequireNoPool(tenancy.ResourceMessages)
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 2) // another resource's pool is not touched

	// A missing account: ErrNotFound, no allocation made.
	missing := newID()
	e.qRefuseAdjust(missing, tenancy.ResourceBotSlots, 1, tenancy.ErrNotFound)
	e.qRefuseAdjust(missing, tenancy.ResourceMessages, 1, tenancy.ErrNotFound)
	require.Empty(t, e.qAllocations(missing))

	e.qRequireAlloc(a.ID, tenancy.ResourceBotSlots, 2, 2)
	e.qRequireAlloc(b.ID, tenancy.ResourceBotSlots, 0, 0)
	e.qRequireAlloc(a.ID, tenancy.ResourceMessages, 1_000_000_000, 0)
}

// testQUseQuota covers UseQuota: up to the limit, over it, a missing
// allocation, giving back, and that use writes no event and leaves the
// pool alone.
func testQUseQuota(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceSeats, 20)
	a := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceSeats, 3), qUse(tenancy.ResourceMessages, 10), qUse("host_zero", 0)})
	events := e.qEventCount()

	got := e.qUseQuota(a.ID, tenancy.ResourceSeats, 1)
	require.Equal(t, int64(3), got.Limit)
	require.Equal(t, int64(1), got.Used)
	require.Equal(t, int64(2), got.Free())
	got = e.qUseQuota(a.ID, tenancy.ResourceSeats, 2)
	require.Equal(t, int64(3), got.Used, "up to the limit")
	e.qRefuseUse(a.ID, tenancy.ResourceSeats, 1, tenancy.ErrQuotaExceeded)

	// More than what is free: refused whole.
	e.qUseQuota(a.ID, tenancy.ResourceMessages, 9)
	e.qRefuseUse(a.ID, tenancy.ResourceMessages, 2, tenancy.ErrQuotaExceeded)
	e.qRequireAlloc(a.ID, tenancy.ResourceMessages, 10, 9)
	e.qUseQuota(a.ID, tenancy.ResourceMessages, 1)

	// Giving back, not below zero.
	got = e.qUseQuota(a.ID, tenancy.ResourceSeats, -2)
	require.Equal(t, int64(1), got.Used)
	e.qRefuseUse(a.ID, tenancy.ResourceSeats, -2, tenancy.ErrConflict)
	got = e.qUseQuota(a.ID, tenancy.ResourceSeats, -1)
	require.Equal(t, int64(0), got.Used)
	e.qRefuseUse(a.ID, tenancy.ResourceSeats, -1, tenancy.ErrConflict)

	// A missing allocation has no room.
	e.qRefuseUse(a.ID, tenancy.ResourceBotSlots, 1, tenancy.ErrQuotaExceeded)
	e.qRequireNoAlloc(a.ID, tenancy.ResourceBotSlots)
	e.qRefuseUse(newID(), tenancy.ResourceSeats, 1, tenancy.ErrQuotaExceeded, tenancy.ErrNotFound)

	// An allocation of zero has no room either.
	e.qRefuseUse(a.ID, "host_zero", 1, tenancy.ErrQuotaExceeded)
	e.qRequireAlloc(a.ID, "host_zero", 0, 0)

	// Use is counted, not audited; the pool counts allocations, not use.
	require.Equal(t, events, e.qEventCount(), "UseQuota writes no event")
	e.qRequirePool(tenancy.ResourceSeats, 20, 3)
	e.qRequireAlloc(a.ID, tenancy.ResourceSeats, 3, 0)
	e.qRequireAlloc(a.ID, tenancy.ResourceMessages, 10, 10)
}

// testQAllocationsList: Allocations lists the given accounts' allocations
// by account then resource, the whole platform's when none is given, and
// takes any number of IDs in one call.
func testQAllocationsList(t *testing.T, h Harness) {
	e := setup(t, h)
	var want []tenancy.Allocation
	var ids []string
	for i := range 12 {
		allocs := []tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceBotSlots, int64(i))}
		if i%3 == 0 {
			allocs = append(allocs, qUse("host_custom", int64(100+i)))
		}
		if i%4 == 1 {
			allocs = nil // an account with no allocation
		}
		a := e.qAccount(allocs)
		ids = append(ids, a.ID)
		for _, q := range allocs {
			want = append(want, qAlloc(a, q.Resource, q.N))
		}
	}
	o := e.other() // another platform's allocations, same resources
	o.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10)})

	qRequireAllocations(t, want, e.qAllocations())
	qRequireAllocations(t, want, e.qAllocations(ids...))

	// A few accounts, in any order, with unknown IDs mixed in.
	pick := []string{ids[7], newID(), ids[0], ids[5], ids[3]}
	var some []tenancy.Allocation
	for _, a := range want {
		if a.AccountID == ids[0] || a.AccountID == ids[3] || a.AccountID == ids[5] || a.AccountID == ids[7] {
			some = append(some, a)
		}
	}
	qRequireAllocations(t, some, e.qAllocations(pick...))
	require.Empty(t, e.qAllocations(ids[1]), "an account with no allocation")
	require.Empty(t, e.qAllocations(newID()), "an unknown account")

	// Many IDs in one call.
	qRequireAllocations(t, want, e.qAllocations(qPad(ids, 1500)...))
}

// testQCreateAccountAllocations: CreateAccount writes the account's
// allocations, each drawn from its resource's pool when there is one.
func testQCreateAccountAllocations(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceTeamMembers, 25)
	e.qPool(tenancy.ResourceBotSlots, 3)

	req := e.qAccountRequest([]tenancy.QuotaUse{
		qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceBotSlots, 2), qUse(tenancy.ResourceMessages, 5000),
	})
	require.NoError(t, e.s.CreateAccount(e.ctx, req))
	e.requireEvent(req.Events...)
	qRequireAllocations(t, req.Allocations, e.qAllocations(req.Account.ID))
	e.qRequirePool(tenancy.ResourceTeamMembers, 25, 10)
	e.qRequirePool(tenancy.ResourceBotSlots, 3, 2)
	e.qRequireNoPool(tenancy.ResourceMessages)

	// A second account fills the bot slots exactly.
	req2 := e.qAccountRequest([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceBotSlots, 1)})
	require.NoError(t, e.s.CreateAccount(e.ctx, req2))
	e.qRequirePool(tenancy.ResourceTeamMembers, 25, 20)
	e.qRequirePool(tenancy.ResourceBotSlots, 3, 3)
	qRequireAllocations(t, append(req.Allocations, req2.Allocations...), e.qAllocations())

	// An account with no allocation draws nothing.
	bare := e.qAccount(nil)
	require.Empty(t, e.qAllocations(bare.ID))
	e.qRequirePool(tenancy.ResourceTeamMembers, 25, 20)
}

// testQCreateAccountPoolFull: an account whose allocations do not fit its
// pools is refused whole: no account, user, member, allocation, token or
// event, and the pools are as they were.
func testQCreateAccountPoolFull(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceTeamMembers, 15)
	e.qPool(tenancy.ResourceBotSlots, 1)
	first := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10)})

	cases := []struct {
		name   string
		allocs []tenancy.QuotaUse
	}{
		{"one pool short", []tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 6)}},
		{"second pool short", []tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 5), qUse(tenancy.ResourceBotSlots, 2)}},
		{"first pool short", []tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 1), qUse(tenancy.ResourceMessages, 9), qUse(tenancy.ResourceTeamMembers, 50)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			req := e.qAccountRequest(tc.allocs)
			tok := newToken(*req.NewUser, tenancy.TokenSetPassword)
			req.Token = &tok
			mate := e.user()
			req.Members = append(req.Members, newMember(req.Account, mate, false, tenancy.PermTeam))
			events := e.qEventCount()

			require.ErrorIs(t, e.s.CreateAccount(e.ctx, req), tenancy.ErrQuotaExceeded)
			e.requireNoAccount(req.Account.ID)
			e.requireNoUser(req.NewUser.ID)
			_, err := e.s.GetAccountByNickname(e.ctx, e.pid, req.Account.Nickname)
			require.ErrorIs(t, err, tenancy.ErrNotFound)
			e.requireNoMembers(e.pid, req.Account.ID)
			e.requireNoMemberships(e.pid, mate.ID)
			require.Empty(t, e.qAllocations(req.Account.ID))
			e.requireNoEvent(req.Events[0].ID, req.Events[1].ID)
			require.Equal(t, events, e.qEventCount())
			e.qRequirePool(tenancy.ResourceTeamMembers, 15, 10)
			e.qRequirePool(tenancy.ResourceBotSlots, 1, 0)
			e.qRequireNoPool(tenancy.ResourceMessages)
			e.requireTokenGone(tok.Hash)
		})
	}
	qRequireAllocations(t, []tenancy.Allocation{qAlloc(first, tenancy.ResourceTeamMembers, 10)}, e.qAllocations())

	// What fits still goes in.
	e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 5), qUse(tenancy.ResourceBotSlots, 1)})
	e.qRequirePool(tenancy.ResourceTeamMembers, 15, 15)
	e.qRequirePool(tenancy.ResourceBotSlots, 1, 1)
}

// testQDeleteAccountFreesQuota: DeleteAccount returns the account's
// allocations to their pools.
func testQDeleteAccountFreesQuota(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 5)
	e.qPool(tenancy.ResourceSeats, 4)
	doomed := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 3), qUse(tenancy.ResourceSeats, 1)})
	keep := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 2)})
	e.qAdjust(doomed.ID, tenancy.ResourceSeats, 2)
	e.qUseQuota(doomed.ID, tenancy.ResourceBotSlots, 2) // used units are freed too
	e.qRequirePool(tenancy.ResourceBotSlots, 5, 5)
	e.qRequirePool(tenancy.ResourceSeats, 4, 3)

	ev := e.event("account.delete")
	ev.AccountID = doomed.ID
	_, err := e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{PlatformID: e.pid, AccountID: doomed.ID, Now: at(time.Hour), Event: ev})
	require.NoError(t, err)
	e.requireEvent(ev)
	require.Empty(t, e.qAllocations(doomed.ID))
	e.qRequirePool(tenancy.ResourceBotSlots, 5, 2)
	e.qRequirePool(tenancy.ResourceSeats, 4, 0)
	e.qRequireAlloc(keep.ID, tenancy.ResourceBotSlots, 2, 0)

	// The freed units can be allocated again, and the pool shrunk.
	e.qAdjust(keep.ID, tenancy.ResourceBotSlots, 3)
	e.qRequirePool(tenancy.ResourceBotSlots, 5, 5)
	e.qPool(tenancy.ResourceSeats, 0)
}

// testQConvertTestAccount: ConvertTestAccount writes the regular account
// and adds the units to its allocation from the pool, in one step; without
// room it writes nothing.
func testQConvertTestAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 3)
	trial := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 1)})
	require.True(t, trial.IsTest(), "fixture")
	noAlloc := e.qAccount(nil)

	conv := func(e *env, a tenancy.Account, units int64) tenancy.ConvertTestAccount {
		a.TestExpiresAt = time.Time{}
		a.Note = "converted"
		a.UpdatedAt = at(time.Hour + time.Duration(e.next())*time.Microsecond)
		a.Version++
		ev := e.event("account.convert")
		ev.AccountID, ev.TargetType, ev.TargetID = a.ID, "account", a.ID
		return tenancy.ConvertTestAccount{Account: a, Resource: tenancy.ResourceBotSlots, Units: units, Event: ev}
	}

	r := conv(e, trial, 1)
	got, err := e.s.ConvertTestAccount(e.ctx, r)
	require.NoError(t, err)
	requireAccount(t, r.Account, got)
	stored := e.getAccount(trial.ID)
	requireAccount(t, r.Account, stored)
	require.False(t, stored.IsTest(), "converted to a regular account")
	e.requireEvent(r.Event)
	e.qRequireAlloc(trial.ID, tenancy.ResourceBotSlots, 2, 0)
	e.qRequirePool(tenancy.ResourceBotSlots, 3, 2)

	// An account with no allocation of the resource gets one.
	r = conv(e, noAlloc, 1)
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.NoError(t, err)
	e.requireEvent(r.Event)
	e.qRequireAlloc(noAlloc.ID, tenancy.ResourceBotSlots, 1, 0)
	e.qRequirePool(tenancy.ResourceBotSlots, 3, 3)

	// The pool is full: refused, nothing written.
	full := e.qAccount(nil)
	r = conv(e, full, 1)
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded)
	e.requireNoEvent(r.Event.ID)
	requireAccount(t, full, e.getAccount(full.ID))
	require.True(t, e.getAccount(full.ID).IsTest(), "still a test account")
	e.qRequireNoAlloc(full.ID, tenancy.ResourceBotSlots)
	e.qRequirePool(tenancy.ResourceBotSlots, 3, 3)

	// More units than the pool has left: refused whole.
	e.qPool(tenancy.ResourceBotSlots, 4)
	r = conv(e, full, 2)
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded)
	e.requireNoEvent(r.Event.ID)
	requireAccount(t, full, e.getAccount(full.ID))
	e.qRequirePool(tenancy.ResourceBotSlots, 4, 3)
	r = conv(e, full, 1)
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.NoError(t, err)
	requireAccount(t, r.Account, e.getAccount(full.ID))
	e.qRequirePool(tenancy.ResourceBotSlots, 4, 4)

	// No pool: unlimited.
	free := e.qAccount(nil)
	r = conv(e, free, 1)
	r.Resource = "host_unpooled"
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.NoError(t, err)
	e.qRequireAlloc(free.ID, "host_unpooled", 1, 0)

	// A missing account.
	ghost := e.newAccount(e.newUser())
	r = conv(e, ghost, 1)
	_, err = e.s.ConvertTestAccount(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoEvent(r.Event.ID)
	require.Empty(t, e.qAllocations(ghost.ID))
	e.qRequirePool(tenancy.ResourceBotSlots, 4, 4)
}

// testQConvertStale: ConvertTestAccount keeps the version guard: a stale
// version is ErrStale and takes nothing from the pool.
func testQConvertStale(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 5)
	trial := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 1)})
	v2 := e.updateAccount(trial, func(a *tenancy.Account) { a.Name = "Moved on" })

	for _, version := range []int64{v2.Version - 1, v2.Version, v2.Version + 2, 0} {
		a := v2
		a.TestExpiresAt = time.Time{}
		a.Version = version
		ev := e.event("account.convert")
		_, err := e.s.ConvertTestAccount(e.ctx, tenancy.ConvertTestAccount{Account: a, Resource: tenancy.ResourceBotSlots, Units: 1, Event: ev})
		require.ErrorIs(t, err, tenancy.ErrStale, "version %d over stored %d", version, v2.Version)
		e.requireNoEvent(ev.ID)
		requireAccount(t, v2, e.getAccount(trial.ID))
		e.qRequireAlloc(trial.ID, tenancy.ResourceBotSlots, 1, 0)
		e.qRequirePool(tenancy.ResourceBotSlots, 5, 1)
	}

	// The right version works.
	a := v2
	a.TestExpiresAt, a.Version = time.Time{}, v2.Version+1
	_, err := e.s.ConvertTestAccount(e.ctx, tenancy.ConvertTestAccount{Account: a, Resource: tenancy.ResourceBotSlots, Units: 1, Event: e.event("account.convert")})
	require.NoError(t, err)
	requireAccount(t, a, e.getAccount(trial.ID))
	e.qRequireAlloc(trial.ID, tenancy.ResourceBotSlots, 2, 0)
	e.qRequirePool(tenancy.ResourceBotSlots, 5, 2)
}
