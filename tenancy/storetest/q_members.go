package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// qTeamUse is the quota a team member takes.
var qTeamUse = &tenancy.QuotaUse{Resource: tenancy.ResourceTeamMembers, N: 1}

// testQMemberQuota: InsertMember with a quota uses it in the same step,
// DeleteMember with a quota gives it back; a full, missing or failed
// insertion takes nothing.
func testQMemberQuota(t *testing.T, h Harness) {
	e := setup(t, h)
	acc := e.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 2)})
	owner := e.getUser(acc.PrimaryUserID)
	u1, u2, u3 := e.user(), e.user(), e.user()

	add := func(u tenancy.User, quota *tenancy.QuotaUse) (tenancy.NewMember, error) {
		m := newMember(acc, u, false, tenancy.PermLeads)
		m.CreatedAt = at(time.Minute + time.Duration(e.next())*time.Microsecond)
		r := tenancy.NewMember{Member: m, Quota: quota, Event: e.qMemberEvent("member.add", acc, u.ID)}
		return r, e.s.InsertMember(e.ctx, r)
	}

	r1, err := add(u1, qTeamUse)
	require.NoError(t, err)
	e.requireEvent(r1.Event)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 1)
	r2, err := add(u2, qTeamUse)
	require.NoError(t, err)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 2)

	// The team is full: refused, nothing written.
	r3, err := add(u3, qTeamUse)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded)
	e.requireNoEvent(r3.Event.ID)
	e.requireNoMemberships(e.pid, u3.ID)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 2)

	// A member added without a quota takes none.
	r3, err = add(u3, nil)
	require.NoError(t, err)
	e.requireEvent(r3.Event)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 2)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), r1.Member, r2.Member, r3.Member}, e.members(acc.ID))

	// Removing with a quota gives it back.
	rm := tenancy.RemoveMember{PlatformID: e.pid, AccountID: acc.ID, UserID: u1.ID, Quota: qTeamUse,
		Event: e.qMemberEvent("member.remove", acc, u1.ID)}
	require.NoError(t, e.s.DeleteMember(e.ctx, rm))
	e.requireEvent(rm.Event)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 1)
	e.requireNoMemberships(e.pid, u1.ID)

	// Removing a member that is not there gives nothing back.
	rm.Event = e.qMemberEvent("member.remove", acc, u1.ID)
	require.ErrorIs(t, e.s.DeleteMember(e.ctx, rm), tenancy.ErrNotFound)
	e.requireNoEvent(rm.Event.ID)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 1)

	// Removing without a quota gives nothing back.
	rm = tenancy.RemoveMember{PlatformID: e.pid, AccountID: acc.ID, UserID: u3.ID, Event: e.qMemberEvent("member.remove", acc, u3.ID)}
	require.NoError(t, e.s.DeleteMember(e.ctx, rm))
	e.requireEvent(rm.Event)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 1)

	// A duplicate or a missing user with a quota: their own error, and no
	// unit taken.
	dup, err := add(u2, qTeamUse)
	require.ErrorIs(t, err, tenancy.ErrConflict)
	e.requireNoEvent(dup.Event.ID)
	ghost := e.newUser()
	miss, err := add(ghost, qTeamUse)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoEvent(miss.Event.ID)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 1)

	// The freed unit can be taken again.
	r1, err = add(u1, qTeamUse)
	require.NoError(t, err)
	e.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 2, 2)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), r2.Member, r1.Member}, e.members(acc.ID))

	// An account with no allocation of the resource has no room.
	bare := e.qAccount(nil)
	m := newMember(bare, u3, false)
	r := tenancy.NewMember{Member: m, Quota: qTeamUse, Event: e.qMemberEvent("member.add", bare, u3.ID)}
	require.ErrorIs(t, e.s.InsertMember(e.ctx, r), tenancy.ErrQuotaExceeded)
	e.requireNoEvent(r.Event.ID)
	require.Len(t, e.members(bare.ID), 1)
	e.qRequireNoAlloc(bare.ID, tenancy.ResourceTeamMembers)
}

// testQMemberUpdate: UpdateMember writes a member's permissions, and only
// them; a missing member is ErrNotFound.
func testQMemberUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, owner := e.account()
	other, _ := e.account()
	u := e.user()
	m := e.addMember(newMember(acc, u, false, tenancy.PermLeads))
	keep := e.addMember(newMember(other, u, false, tenancy.PermBilling))

	v2 := m
	v2.Permissions = []string{tenancy.PermAnalytics, tenancy.PermBots, "host:custom"}
	ev := e.qMemberEvent("member.set_permissions", acc, u.ID)
	require.NoError(t, e.s.UpdateMember(e.ctx, v2, ev))
	e.requireEvent(ev)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), v2}, e.members(acc.ID))
	ms := e.memberships(u.ID)
	require.Len(t, ms, 2)
	for _, x := range ms {
		if x.Account.ID == other.ID {
			requireMembers(t, []tenancy.Member{keep}, []tenancy.Member{x.Member})
		} else {
			requireMembers(t, []tenancy.Member{v2}, []tenancy.Member{x.Member})
		}
	}

	// Down to no permission at all.
	v3 := v2
	v3.Permissions = nil
	require.NoError(t, e.s.UpdateMember(e.ctx, v3, e.qMemberEvent("member.set_permissions", acc, u.ID)))
	got := e.members(acc.ID)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), v3}, got)
	require.Empty(t, got[1].Permissions)

	// Missing: a user who is not a member, an unknown account or user.
	stranger := e.user()
	for _, missing := range []tenancy.Member{
		newMember(acc, stranger, false, tenancy.PermTeam),
		{PlatformID: e.pid, AccountID: newID(), UserID: u.ID, Permissions: []string{tenancy.PermTeam}, CreatedAt: base},
		{PlatformID: e.pid, AccountID: acc.ID, UserID: newID(), Permissions: []string{tenancy.PermTeam}, CreatedAt: base},
	} {
		ev := e.event("member.set_permissions")
		require.ErrorIs(t, e.s.UpdateMember(e.ctx, missing, ev), tenancy.ErrNotFound)
		e.requireNoEvent(ev.ID)
	}
	e.requireNoMemberships(e.pid, stranger.ID)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), v3}, e.members(acc.ID))
}

// testQCreateAccounts: many accounts at once, with their users, members,
// allocations, tokens and events.
func testQCreateAccounts(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceTeamMembers, 1000)
	e.qPool(tenancy.ResourceBotSlots, 100)
	mate := e.user() // a team member of every account of the batch
	const n = 25
	reqs := make([]tenancy.NewAccount, n)
	for i := range reqs {
		allocs := []tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceBotSlots, int64(i%3+1))}
		reqs[i] = e.qAccountRequest(allocs, func(a *tenancy.Account) {
			a.Tags = []string{"bulk", "batch-" + string(rune('a'+i%4))}
			if i%5 == 0 {
				a.Nickname = "" // many accounts without a nickname in one batch
			}
		})
		reqs[i].Members = append(reqs[i].Members, newMember(reqs[i].Account, mate, false, tenancy.PermLiveChat))
		if i%2 == 0 {
			tok := newToken(*reqs[i].NewUser, tenancy.TokenSetPassword)
			reqs[i].Token = &tok
		}
	}
	require.NoError(t, e.s.CreateAccounts(e.ctx, reqs))

	var wantAllocs []tenancy.Allocation
	var botSlots int64
	for _, r := range reqs {
		requireAccount(t, r.Account, e.getAccount(r.Account.ID))
		requireUser(t, *r.NewUser, e.getUser(r.NewUser.ID))
		requireMembers(t, r.Members, e.members(r.Account.ID))
		e.requireEvent(r.Events...)
		wantAllocs = append(wantAllocs, r.Allocations...)
		botSlots += r.Allocations[1].Limit
	}
	qRequireAllocations(t, wantAllocs, e.qAllocations())
	e.qRequirePool(tenancy.ResourceTeamMembers, 1000, 10*n)
	e.qRequirePool(tenancy.ResourceBotSlots, 100, botSlots)
	require.Len(t, e.memberships(mate.ID), n)
	require.Len(t, e.listAccounts(tenancy.AccountQuery{Tag: "bulk", IncludeLocked: true}), n)
	for _, r := range reqs {
		if r.Token != nil {
			e.requireTokenWorks(r.Token.Hash)
		}
	}

	// An empty batch writes nothing and is no error.
	require.NoError(t, e.s.CreateAccounts(e.ctx, nil))
}

// testQCreateAccountsAllOrNothing: one bad account in a batch writes none
// of them.
func testQCreateAccountsAllOrNothing(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 5)
	existing, owner := e.account()
	e.qAdjust(existing.ID, tenancy.ResourceBotSlots, 1)

	batch := func(e *env) []tenancy.NewAccount {
		reqs := make([]tenancy.NewAccount, 6)
		for i := range reqs {
			reqs[i] = e.qAccountRequest([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 0), qUse(tenancy.ResourceSeats, 1)})
		}
		return reqs
	}
	cases := []struct {
		name string
		want error
		mod  func(reqs []tenancy.NewAccount)
	}{
		{"nickname twice in the batch", tenancy.ErrConflict, func(reqs []tenancy.NewAccount) {
			reqs[4].Account.Nickname = reqs[1].Account.Nickname
		}},
		{"nickname of an existing account", tenancy.ErrConflict, func(reqs []tenancy.NewAccount) {
			reqs[5].Account.Nickname = existing.Nickname
		}},
		{"UID twice in the batch", tenancy.ErrConflict, func(reqs []tenancy.NewAccount) {
			reqs[3].Account.UID = reqs[0].Account.UID
		}},
		{"email twice in the batch", tenancy.ErrConflict, func(reqs []tenancy.NewAccount) {
			reqs[2].NewUser.Email = reqs[1].NewUser.Email
			reqs[2].Account.Email = reqs[1].NewUser.Email
		}},
		{"email of an existing user", tenancy.ErrConflict, func(reqs []tenancy.NewAccount) {
			reqs[0].NewUser.Email = owner.Email
			reqs[0].Account.Email = owner.Email
		}},
		{"pool short for the batch", tenancy.ErrQuotaExceeded, func(reqs []tenancy.NewAccount) {
			for i := range reqs { // 6 × 1 > 4 free, though each one fits
				reqs[i].Allocations[0].Limit = 1
			}
		}},
		{"pool short for the last", tenancy.ErrQuotaExceeded, func(reqs []tenancy.NewAccount) {
			reqs[5].Allocations[0].Limit = 5
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			reqs := batch(&e)
			tc.mod(reqs)
			tok := newToken(*reqs[2].NewUser, tenancy.TokenSetPassword)
			reqs[2].Token = &tok
			events := e.qEventCount()
			allocs := e.qAllocations()

			require.ErrorIs(t, e.s.CreateAccounts(e.ctx, reqs), tc.want)
			for _, r := range reqs {
				e.requireNoAccount(r.Account.ID)
				if r.NewUser.ID != owner.ID {
					e.requireNoUser(r.NewUser.ID)
				}
				e.requireNoMembers(e.pid, r.Account.ID)
				e.requireNoEvent(r.Events[0].ID, r.Events[1].ID)
			}
			require.Equal(t, events, e.qEventCount(), "no event at all")
			require.Equal(t, allocs, e.qAllocations(), "no allocation")
			e.qRequirePool(tenancy.ResourceBotSlots, 5, 1)
			e.qRequireNoPool(tenancy.ResourceSeats)
			e.requireTokenGone(tok.Hash)
			got, err := e.s.GetUserByEmail(e.ctx, e.pid, owner.Email)
			require.NoError(t, err)
			requireUser(t, owner, got)
		})
	}
	requireAccount(t, existing, e.getAccount(existing.ID))
	require.Len(t, e.listAccounts(tenancy.AccountQuery{IncludeLocked: true}), 1)

	// The same batch without its fault goes in whole.
	reqs := batch(e)
	require.NoError(t, e.s.CreateAccounts(e.ctx, reqs))
	for _, r := range reqs {
		requireAccount(t, r.Account, e.getAccount(r.Account.ID))
	}
	e.qRequirePool(tenancy.ResourceBotSlots, 5, 1)
}
