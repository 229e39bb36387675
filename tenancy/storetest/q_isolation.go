package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// testQIsolation calls every quota, operator, grant, activity, SSO and
// member-quota method with another platform's ID on platform A's records:
// each is ErrNotFound or finds nothing, writes no event, and A's records
// stay as they were.
func testQIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	a.qPool(tenancy.ResourceTeamMembers, 50)
	acc := a.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10), qUse(tenancy.ResourceBotSlots, 1)})
	mate := a.user()
	require.NoError(t, a.s.InsertMember(a.ctx, tenancy.NewMember{
		Member: newMember(acc, mate, false, tenancy.PermTeam), Quota: qTeamUse, Event: a.event("member.add"),
	}))
	loner := a.user()
	op := a.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	require.NoError(t, a.s.Assign(a.ctx, a.qAssignReq("operator.assign", op.ID, 1, acc.ID)))
	grant := a.qGrant(acc, "bot-1", loner, op.ID)
	require.NoError(t, a.s.InsertGrant(a.ctx, grant, a.qGrantEvent("grant.add", grant)))
	a.qAdd(acc.ID, "messages", 0, 5)
	require.NoError(t, a.s.SetSSOSecret(a.ctx, a.qSetSecret(acc.ID, qSealed(9))))
	nonce := newHash()
	require.NoError(t, a.s.UseSSONonce(a.ctx, a.pid, nonce, at(time.Hour)))

	before := struct {
		pools    map[string]tenancy.Pool
		allocs   []tenancy.Allocation
		members  []tenancy.Member
		assigns  []tenancy.Assignment
		grants   []tenancy.Grant
		activity []tenancy.ActivityPoint
		figures  map[string]tenancy.Figures
		account  tenancy.Account
	}{
		a.qPools(), a.qAllocations(), a.members(acc.ID), a.qAssignments(acc.ID), a.qGrants(tenancy.GrantQuery{}),
		a.qActivity(acc.ID, -10, 10), a.qFigures(acc.ID), a.getAccount(acc.ID),
	}

	b := a.other()
	b.qAccount([]tenancy.QuotaUse{qUse(tenancy.ResourceTeamMembers, 10)}) // B is not empty
	// Reach for A's records from another platform, and from none.
	conformance.OtherPlatforms(t, b.pid, newID(), func(t *testing.T, pid string) {
		ctx, s := a.ctx, a.s
		var evs []string
		ev := eventsKept(pid, &evs)
		notFound := notFoundCheck(t)
		notFoundOrNothing := func(err error, what string) {
			t.Helper()
			if err != nil {
				require.ErrorIs(t, err, tenancy.ErrNotFound, what)
			}
		}

		// Quotas.
		_, err := s.AdjustAllocation(ctx, tenancy.AdjustAllocation{PlatformID: pid, AccountID: acc.ID,
			Resource: tenancy.ResourceTeamMembers, Delta: 1, Now: at(time.Hour), Event: ev("quota.adjust")})
		notFound(err, "AdjustAllocation")
		_, err = s.UseQuota(ctx, tenancy.UseQuota{PlatformID: pid, AccountID: acc.ID, Resource: tenancy.ResourceTeamMembers, N: 1, Now: at(time.Hour)})
		qRequireErrorIn(t, err, []error{tenancy.ErrNotFound, tenancy.ErrQuotaExceeded}, "UseQuota")
		_, err = s.UseQuota(ctx, tenancy.UseQuota{PlatformID: pid, AccountID: acc.ID, Resource: tenancy.ResourceTeamMembers, N: -1, Now: at(time.Hour)})
		qRequireErrorIn(t, err, []error{tenancy.ErrNotFound, tenancy.ErrQuotaExceeded, tenancy.ErrConflict}, "UseQuota giving back")
		allocs, err := s.Allocations(ctx, pid, []string{acc.ID})
		require.NoError(t, err, "Allocations")
		require.Empty(t, allocs, "Allocations")
		pools, err := s.Pools(ctx, pid)
		require.NoError(t, err, "Pools")
		for _, p := range pools {
			require.Equal(t, pid, p.PlatformID, "Pools")
		}
		conv := acc
		conv.PlatformID, conv.TestExpiresAt, conv.Version = pid, time.Time{}, acc.Version+1
		_, err = s.ConvertTestAccount(ctx, tenancy.ConvertTestAccount{Account: conv, Resource: tenancy.ResourceBotSlots, Units: 1, Event: ev("account.convert")})
		notFound(err, "ConvertTestAccount")

		// Members with quotas.
		m := newMember(acc, loner, false)
		m.PlatformID = pid
		notFound(s.InsertMember(ctx, tenancy.NewMember{Member: m, Quota: qTeamUse, Event: ev("member.add")}), "InsertMember")
		notFound(s.DeleteMember(ctx, tenancy.RemoveMember{PlatformID: pid, AccountID: acc.ID, UserID: mate.ID,
			Quota: qTeamUse, Event: ev("member.remove")}), "DeleteMember")
		um := newMember(acc, mate, false, tenancy.PermBilling)
		um.PlatformID = pid
		notFound(s.UpdateMember(ctx, um, ev("member.set_permissions")), "UpdateMember")

		// Operators.
		notFound(s.Assign(ctx, tenancy.Assign{PlatformID: pid, OperatorID: op.ID, AccountIDs: []string{acc.ID},
			Now: at(time.Hour), Event: ev("operator.assign")}), "Assign")
		notFoundOrNothing(s.Unassign(ctx, tenancy.Assign{PlatformID: pid, OperatorID: op.ID, AccountIDs: []string{acc.ID},
			Now: at(time.Hour), Event: eventOn(pid, "operator.unassign")}), "Unassign")
		assigns, err := s.Assignments(ctx, pid, []string{acc.ID})
		require.NoError(t, err, "Assignments")
		require.Empty(t, assigns, "Assignments")
		listed, err := s.ListAccounts(ctx, tenancy.AccountQuery{PlatformID: pid, OperatorID: op.ID, IncludeLocked: true,
			Sort: tenancy.SortNewest, Limit: listAll})
		require.NoError(t, err, "ListAccounts")
		require.Empty(t, listed, "ListAccounts by operator")

		// Grants.
		g := grant
		g.PlatformID = pid
		notFound(s.InsertGrant(ctx, tenancy.Grant{PlatformID: pid, AccountID: acc.ID, ResourceID: "bot-2", UserID: loner.ID,
			GrantedBy: op.ID, CreatedAt: at(time.Hour)}, ev("grant.add")), "InsertGrant")
		notFound(s.DeleteGrant(ctx, g, ev("grant.remove")), "DeleteGrant")
		for _, q := range []tenancy.GrantQuery{{}, {AccountID: acc.ID}, {UserID: loner.ID}, {ResourceID: grant.ResourceID}} {
			q.PlatformID = pid
			gs, err := s.Grants(ctx, q)
			require.NoError(t, err, "Grants")
			require.Empty(t, gs, "Grants %+v", q)
		}

		// Activity.
		notFoundOrNothing(s.AddActivity(ctx, tenancy.AddActivity{PlatformID: pid, AccountID: acc.ID, Metric: "messages", Day: qDay(0), N: 1000}), "AddActivity")
		points, err := s.Activity(ctx, tenancy.ActivityQuery{PlatformID: pid, AccountID: acc.ID, From: qDay(-10), To: qDay(10)})
		notFoundOrNothing(err, "Activity")
		if err == nil {
			for _, p := range points {
				require.NotEqual(t, int64(5), p.N, "Activity shows A's count")
			}
		}
		figs, err := s.Figures(ctx, pid, []string{acc.ID})
		require.NoError(t, err, "Figures")
		for _, f := range figs {
			if f.AccountID == acc.ID {
				require.Zero(t, f.Users, "Figures counts A's members")
				require.NotEqual(t, int64(5), f.Totals["messages"], "Figures shows A's totals")
			}
		}

		// SSO.
		r := tenancy.SetSSOSecret{PlatformID: pid, AccountID: acc.ID, Sealed: qSealed(7), Now: at(time.Hour), Event: ev("account.sso_rotate")}
		notFound(s.SetSSOSecret(ctx, r), "SetSSOSecret")
		_, err = s.SSOSecret(ctx, pid, acc.ID)
		notFound(err, "SSOSecret")
		if pid == b.pid {
			require.NoError(t, s.UseSSONonce(ctx, pid, nonce, at(time.Hour)), "UseSSONonce: A's spent nonce is not B's")
		} else {
			notFoundOrNothing(s.UseSSONonce(ctx, pid, nonce, at(time.Hour)), "UseSSONonce on an unknown platform")
		}

		a.requireNoEventOn(pid, evs...)
		a.requireNoEvent(evs...)
	})

	// A is untouched.
	require.Equal(t, before.pools, a.qPools())
	require.Equal(t, before.allocs, a.qAllocations())
	requireMembers(t, before.members, a.members(acc.ID))
	require.Equal(t, before.assigns, a.qAssignments(acc.ID))
	require.Equal(t, before.grants, a.qGrants(tenancy.GrantQuery{}))
	require.Equal(t, before.activity, a.qActivity(acc.ID, -10, 10))
	require.Equal(t, before.figures, a.qFigures(acc.ID))
	requireAccount(t, before.account, a.getAccount(acc.ID))
	got, err := a.s.SSOSecret(a.ctx, a.pid, acc.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(9), got)
	require.ErrorIs(t, a.s.UseSSONonce(a.ctx, a.pid, nonce, at(time.Hour)), tenancy.ErrConflict)
	a.qRequireAlloc(acc.ID, tenancy.ResourceTeamMembers, 10, 1)
	a.qRequirePool(tenancy.ResourceTeamMembers, 50, 10)
}

// testQSameIDs: pools, allocations, assignments, grants, activity and SSO
// secrets of platform B under the very IDs of platform A's are B's own.
func testQSameIDs(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	a.qPool(tenancy.ResourceBotSlots, 3)
	b.qPool(tenancy.ResourceBotSlots, 2)

	reqA := a.qAccountRequest([]tenancy.QuotaUse{qUse(tenancy.ResourceBotSlots, 2)})
	require.NoError(t, a.s.CreateAccount(a.ctx, reqA))
	accA, ownerA := reqA.Account, *reqA.NewUser
	opA := a.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })

	ownerB := ownerA
	ownerB.PlatformID = b.pid
	accB := accA
	accB.PlatformID = b.pid
	reqB := b.newAccountRequest(accB, ownerB)
	reqB.Allocations = []tenancy.Allocation{qAlloc(accB, tenancy.ResourceBotSlots, 1)}
	require.NoError(t, b.s.CreateAccount(b.ctx, reqB), "same IDs on another platform")
	opB := opA
	opB.PlatformID = b.pid
	b.insertUser(opB)

	require.NoError(t, a.s.Assign(a.ctx, a.qAssignReq("operator.assign", opA.ID, 1, accA.ID)))
	require.NoError(t, b.s.Assign(b.ctx, b.qAssignReq("operator.assign", opB.ID, 2, accA.ID)))
	gA := a.qGrant(accA, "bot-1", opA, ownerA.ID)
	require.NoError(t, a.s.InsertGrant(a.ctx, gA, a.qGrantEvent("grant.add", gA)))
	gB := gA
	gB.PlatformID = b.pid
	require.NoError(t, b.s.InsertGrant(b.ctx, gB, b.qGrantEvent("grant.add", gB)), "same grant on another platform")
	a.qAdd(accA.ID, "messages", 0, 3)
	b.qAdd(accA.ID, "messages", 0, 40)
	require.NoError(t, a.s.SetSSOSecret(a.ctx, a.qSetSecret(accA.ID, qSealed(1))))
	require.NoError(t, b.s.SetSSOSecret(b.ctx, b.qSetSecret(accA.ID, qSealed(2))))

	// Changing B's leaves A's alone.
	b.qAdjust(accA.ID, tenancy.ResourceBotSlots, 1)
	b.qUseQuota(accA.ID, tenancy.ResourceBotSlots, 2)
	a.qRequireAlloc(accA.ID, tenancy.ResourceBotSlots, 2, 0)
	a.qRequirePool(tenancy.ResourceBotSlots, 3, 2)
	b.qRequirePool(tenancy.ResourceBotSlots, 2, 2)
	require.Equal(t, []tenancy.ActivityPoint{qPoint("messages", 0, 3)}, a.qActivity(accA.ID, 0, 0))
	qRequireFigures(t, a.qFigures(accA.ID), accA.ID, 1, map[string]int64{"messages": 3})
	got, err := a.s.SSOSecret(a.ctx, a.pid, accA.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(1), got)
	require.Len(t, a.qAssignments(accA.ID), 1)
	require.Equal(t, a.pid, a.qAssignments(accA.ID)[0].PlatformID)

	// Deleting B's account leaves A's things.
	_, err = b.s.DeleteAccount(b.ctx, tenancy.DeleteAccount{PlatformID: b.pid, AccountID: accA.ID, Now: at(time.Hour), Event: b.event("account.delete")})
	require.NoError(t, err)
	b.qRequirePool(tenancy.ResourceBotSlots, 2, 0)
	a.qRequirePool(tenancy.ResourceBotSlots, 3, 2)
	a.qRequireAlloc(accA.ID, tenancy.ResourceBotSlots, 2, 0)
	qRequireAssignments(t, []tenancy.Assignment{{PlatformID: a.pid, AccountID: accA.ID, OperatorID: opA.ID, CreatedAt: at(time.Minute + 77*time.Microsecond)}},
		a.qAssignments(accA.ID))
	qRequireGrants(t, []tenancy.Grant{gA}, a.qGrants(tenancy.GrantQuery{}))
	require.Equal(t, []tenancy.ActivityPoint{qPoint("messages", 0, 3)}, a.qActivity(accA.ID, 0, 0))
	got, err = a.s.SSOSecret(a.ctx, a.pid, accA.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(1), got)
	require.Equal(t, []string{accA.ID}, accountIDs(a.listAccounts(tenancy.AccountQuery{OperatorID: opA.ID, IncludeLocked: true})))
}
