package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

func testMemberInsertAndList(t *testing.T, h Harness) {
	e := setup(t, h)
	owner := e.newUser()
	acc := e.newAccount(owner)
	primary := newMember(acc, owner, true)
	primary.CreatedAt = at(time.Hour) // joined last, listed first
	req := e.newAccountRequest(acc, owner)
	req.Members = []tenancy.Member{primary}
	require.NoError(t, e.s.CreateAccount(e.ctx, req))

	// Two members join at each instant; the user ID breaks the tie.
	var team []tenancy.Member
	perms := [][]string{nil, {tenancy.PermLiveChat}, {tenancy.PermAnalytics, tenancy.PermLeads, "host:custom"}}
	for i := range 6 {
		u := e.user()
		m := newMember(acc, u, false, perms[i%3]...)
		m.CreatedAt = at(time.Duration(3-i/2)*time.Minute + 9*time.Microsecond)
		ev := e.event("member.add")
		ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "user", u.ID
		require.NoError(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: m, Event: ev}))
		e.requireEvent(ev)
		team = append(team, m)
	}
	slices.SortFunc(team, func(a, b tenancy.Member) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	requireMembers(t, append([]tenancy.Member{primary}, team...), e.members(acc.ID))
	for _, m := range team {
		ms := e.memberships(m.UserID)
		require.Len(t, ms, 1)
		requireMembers(t, []tenancy.Member{m}, []tenancy.Member{ms[0].Member})
	}
}

func testMemberDuplicate(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, owner := e.account()
	u := e.user()
	m := e.addMember(newMember(acc, u, false, tenancy.PermBilling))

	again := m
	again.Permissions = []string{tenancy.PermTeam}
	again.CreatedAt = at(time.Hour)
	ev := e.event("member.add")
	require.ErrorIs(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: again, Event: ev}), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)

	primaryAgain := newMember(acc, owner, false)
	ev = e.event("member.add")
	require.ErrorIs(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: primaryAgain, Event: ev}), tenancy.ErrConflict, "the primary admin is already a member")
	e.requireNoEvent(ev.ID)

	requireMembers(t, []tenancy.Member{newMember(acc, owner, true), m}, e.members(acc.ID))
}

func testMemberMissing(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, _ := e.account()
	u := e.user()

	noAccount := newMember(acc, u, false)
	noAccount.AccountID = newID()
	ev := e.event("member.add")
	require.ErrorIs(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: noAccount, Event: ev}), tenancy.ErrNotFound, "missing account")
	e.requireNoEvent(ev.ID)
	e.requireNoMembers(e.pid, noAccount.AccountID)

	noUser := newMember(acc, u, false)
	noUser.UserID = newID()
	ev = e.event("member.add")
	require.ErrorIs(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: noUser, Event: ev}), tenancy.ErrNotFound, "missing user")
	e.requireNoEvent(ev.ID)

	require.Len(t, e.members(acc.ID), 1)
	e.requireNoMemberships(e.pid, u.ID)
	e.requireNoMemberships(e.pid, noUser.UserID)
}

func testMemberDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, owner := e.account()
	other, _ := e.account()
	u := e.user()
	e.addMember(newMember(acc, u, false, tenancy.PermBots))
	keep := e.addMember(newMember(other, u, false))

	ev := e.event("member.remove")
	ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "user", u.ID
	require.NoError(t, e.s.DeleteMember(e.ctx, tenancy.RemoveMember{PlatformID: e.pid, AccountID: acc.ID, UserID: u.ID, Event: ev}))
	e.requireEvent(ev)
	requireMembers(t, []tenancy.Member{newMember(acc, owner, true)}, e.members(acc.ID))
	ms := e.memberships(u.ID)
	require.Len(t, ms, 1)
	requireMembers(t, []tenancy.Member{keep}, []tenancy.Member{ms[0].Member})
	requireUser(t, u, e.getUser(u.ID)) // the user stays
	require.Empty(t, e.walkUsers(tenancy.UserQuery{PlatformID: e.pid, AccountID: acc.ID, Search: u.Email}, listAll))

	for _, missing := range []struct{ name, account, user string }{
		{"removed already", acc.ID, u.ID},
		{"unknown account", newID(), u.ID},
		{"unknown user", acc.ID, newID()},
	} {
		ev := e.event("member.remove")
		err := e.s.DeleteMember(e.ctx, tenancy.RemoveMember{PlatformID: e.pid, AccountID: missing.account, UserID: missing.user, Event: ev})
		require.ErrorIs(t, err, tenancy.ErrNotFound, missing.name)
		e.requireNoEvent(ev.ID)
	}

	// A removed member can be added again.
	e.addMember(newMember(acc, u, false))
	require.Len(t, e.members(acc.ID), 2)
}

func testMemberships(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	var want []tenancy.Membership
	// Joined at minutes 3, 1, 2, 2: the account ID breaks the tie.
	for i, minute := range []int{3, 1, 2, 2} {
		acc, _ := e.account(func(a *tenancy.Account) { a.Name = "Place " + string(rune('A'+i)) })
		m := newMember(acc, u, false, tenancy.PermLeads)
		m.CreatedAt = at(time.Duration(minute)*time.Minute + 3*time.Microsecond)
		if i == 0 {
			m.Permissions = nil
		}
		e.addMember(m)
		want = append(want, tenancy.Membership{Member: m, Account: acc})
	}
	slices.SortFunc(want, func(a, b tenancy.Membership) int {
		if c := a.Member.CreatedAt.Compare(b.Member.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Account.ID, b.Account.ID)
	})

	got := e.memberships(u.ID)
	require.Len(t, got, len(want))
	for i := range want {
		requireMembers(t, []tenancy.Member{want[i].Member}, []tenancy.Member{got[i].Member})
		requireAccount(t, want[i].Account, got[i].Account)
	}

	// The account filled in is the current one.
	updated := e.updateAccount(want[1].Account, func(a *tenancy.Account) {
		a.Name, a.Tags, a.UpdatedAt = "Renamed place", []string{"fresh"}, at(time.Hour)
	})
	requireAccount(t, updated, e.memberships(u.ID)[1].Account)

	e.requireNoMemberships(e.pid, newID())
}
