package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// testQDeleteAccountCascade: DeleteAccount removes the account's
// allocations (back to their pools), operator assignments, grants,
// activity and SSO secret, and nothing of another account. An account
// created again under the same ID starts bare.
func testQDeleteAccountCascade(t *testing.T, h Harness) {
	e := setup(t, h)
	e.qPool(tenancy.ResourceBotSlots, 10)
	e.qPool(tenancy.ResourceTeamMembers, 30)
	allocs := []tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 3), qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceMessages, 99)}
	req := e.qAccountRequest(allocs)
	require.NoError(t, e.s.CreateAccount(e.ctx, req))
	doomed := req.Account
	keep := e.qAccount(allocs)

	op := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	manager := e.user() // a member of keep, holding grants on both
	e.addMember(newMember(keep, manager, false))
	mate := e.user()
	require.NoError(t, e.s.InsertMember(e.ctx, tenancy.NewMember{Member: newMember(doomed, mate, false), Quota: qTeamUse, Event: e.event("member.add")}))
	e.addMember(newMember(keep, mate, false))

	assign := e.qAssignReq("operator.assign", op.ID, 1, doomed.ID, keep.ID)
	require.NoError(t, e.s.Assign(e.ctx, assign))
	var keepGrants []tenancy.Grant
	for _, g := range []tenancy.Grant{
		e.qGrant(doomed, "bot-1", manager, op.ID), e.qGrant(doomed, "bot-2", manager, op.ID),
		e.qGrant(keep, "bot-1", manager, op.ID),
	} {
		require.NoError(t, e.s.InsertGrant(e.ctx, g, e.qGrantEvent("grant.add", g)))
		if g.AccountID == keep.ID {
			keepGrants = append(keepGrants, g)
		}
	}
	for _, id := range []string{doomed.ID, keep.ID} {
		e.qAdd(id, "messages", 0, 4)
		e.qAdd(id, "bookings", -3, 2)
	}
	require.NoError(t, e.s.SetSSOSecret(e.ctx, e.qSetSecret(doomed.ID, qSealed(1))))
	require.NoError(t, e.s.SetSSOSecret(e.ctx, e.qSetSecret(keep.ID, qSealed(2))))
	e.qUseQuota(doomed.ID, tenancy.ResourceBotSlots, 2)
	e.qRequirePool(tenancy.ResourceBotSlots, 10, 6)
	e.qRequirePool(tenancy.ResourceTeamMembers, 30, 20)
	keepAllocs := e.qAllocations(keep.ID)

	ev := e.event("account.delete")
	ev.AccountID = doomed.ID
	res, err := e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{PlatformID: e.pid, AccountID: doomed.ID, Now: at(time.Hour), Event: ev})
	require.NoError(t, err)
	e.requireEvent(ev)
	require.ElementsMatch(t, []string{doomed.PrimaryUserID}, res.DeletedUserIDs)

	check := func(t *testing.T) {
		t.Helper()
		require.Empty(t, e.qAllocations(doomed.ID), "allocations")
		e.qRequirePool(tenancy.ResourceBotSlots, 10, 3)
		e.qRequirePool(tenancy.ResourceTeamMembers, 30, 10)
		require.Empty(t, e.qAssignments(doomed.ID), "assignments")
		require.Empty(t, e.qGrants(tenancy.GrantQuery{AccountID: doomed.ID}), "grants")
		qRequireGrants(t, keepGrants, e.qGrants(tenancy.GrantQuery{UserID: manager.ID}))
		require.Empty(t, e.qActivity(doomed.ID, -100, 100), "activity")
		_, err := e.s.SSOSecret(e.ctx, e.pid, doomed.ID)
		require.ErrorIs(t, err, tenancy.ErrNotFound, "SSO secret")
		require.Equal(t, []string{keep.ID}, accountIDs(e.listAccounts(tenancy.AccountQuery{OperatorID: op.ID, IncludeLocked: true})))

		// The other account keeps everything.
		require.Equal(t, keepAllocs, e.qAllocations(keep.ID))
		qRequireAssignments(t, []tenancy.Assignment{qAssignment(assign, keep.ID)}, e.qAssignments(keep.ID))
		require.Equal(t, []tenancy.ActivityPoint{qPoint("bookings", -3, 2), qPoint("messages", 0, 4)}, e.qActivity(keep.ID, -100, 100))
		got, err := e.s.SSOSecret(e.ctx, e.pid, keep.ID)
		require.NoError(t, err)
		require.Equal(t, qSealed(2), got)
		qRequireFigures(t, e.qFigures(keep.ID), keep.ID, 3, map[string]int64{"messages": 4, "bookings": 2})
	}
	check(t)
	qRequireNoFigures(t, e.qFigures(doomed.ID), doomed.ID)

	// Created again under the same ID (and a new primary user), the
	// account has none of its old records.
	u := e.newUser()
	again := doomed
	again.PrimaryUserID, again.Email = u.ID, u.Email
	require.NoError(t, e.s.CreateAccount(e.ctx, e.newAccountRequest(again, u)))
	check(t)
	qRequireFigures(t, e.qFigures(doomed.ID), doomed.ID, 1, nil)
}
