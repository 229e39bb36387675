package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qAssignReq returns a request putting accountIDs in the operator's care
// at minute n.
func (e *env) qAssignReq(action, operatorID string, n int, accountIDs ...string) tenancy.Assign {
	ev := e.event(action)
	ev.TargetType, ev.TargetID = "user", operatorID
	return tenancy.Assign{
		PlatformID: e.pid, OperatorID: operatorID, AccountIDs: accountIDs,
		Now: at(time.Duration(n)*time.Minute + 77*time.Microsecond), Event: ev,
	}
}

// qAssignments returns the assignments of accountIDs, checking their order.
func (e *env) qAssignments(accountIDs ...string) []tenancy.Assignment {
	e.t.Helper()
	got, err := e.s.Assignments(e.ctx, e.pid, accountIDs)
	require.NoError(e.t, err, "assignments")
	for i, a := range got {
		require.Equal(e.t, e.pid, a.PlatformID)
		conformance.RequireUTC(e.t, "assignment", a.CreatedAt)
		if i > 0 {
			prev := got[i-1]
			require.True(e.t, prev.AccountID < a.AccountID || prev.AccountID == a.AccountID && prev.OperatorID < a.OperatorID,
				"assignments come by account then operator")
		}
	}
	return got
}

// qRequireAssignments checks that got lists want, in order.
func qRequireAssignments(t *testing.T, want, got []tenancy.Assignment) {
	t.Helper()
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b tenancy.Assignment) int {
		if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
			return c
		}
		return strings.Compare(a.OperatorID, b.OperatorID)
	})
	if len(want) == 0 {
		require.Empty(t, got, "assignments")
		return
	}
	require.Equal(t, want, got, "assignments")
}

// qAssignment is the assignment of account to operator made by r.
func qAssignment(r tenancy.Assign, accountID string) tenancy.Assignment {
	return tenancy.Assignment{PlatformID: r.PlatformID, AccountID: accountID, OperatorID: r.OperatorID, CreatedAt: r.Now}
}

// testQOperatorAssign: Assign many accounts, again (idempotent), to a
// second operator, Unassign, and Assignments in one batch.
func testQOperatorAssign(t *testing.T, h Harness) {
	e := setup(t, h)
	op1 := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	op2 := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleSecureOperator })
	var ids []string
	for range 6 {
		a, _ := e.account()
		ids = append(ids, a.ID)
	}

	r1 := e.qAssignReq("operator.assign", op1.ID, 1, ids[0], ids[1], ids[2], ids[3])
	require.NoError(t, e.s.Assign(e.ctx, r1))
	e.requireEvent(r1.Event)
	want := []tenancy.Assignment{
		qAssignment(r1, ids[0]), qAssignment(r1, ids[1]), qAssignment(r1, ids[2]), qAssignment(r1, ids[3]),
	}
	qRequireAssignments(t, want, e.qAssignments(ids...))

	// Again, overlapping: those already assigned stay as they are.
	r2 := e.qAssignReq("operator.assign", op1.ID, 2, ids[3], ids[2], ids[4])
	require.NoError(t, e.s.Assign(e.ctx, r2))
	e.requireEvent(r2.Event)
	want = append(want, qAssignment(r2, ids[4]))
	qRequireAssignments(t, want, e.qAssignments(ids...))

	// A second operator on some of the same accounts.
	r3 := e.qAssignReq("operator.assign", op2.ID, 3, ids[0], ids[5])
	require.NoError(t, e.s.Assign(e.ctx, r3))
	want = append(want, qAssignment(r3, ids[0]), qAssignment(r3, ids[5]))
	qRequireAssignments(t, want, e.qAssignments(ids...))

	// The batch read takes some accounts, or many IDs.
	qRequireAssignments(t, []tenancy.Assignment{qAssignment(r1, ids[0]), qAssignment(r3, ids[0]), qAssignment(r3, ids[5])},
		e.qAssignments(ids[5], newID(), ids[0]))
	qRequireAssignments(t, want, e.qAssignments(qPad(ids, 1500)...))
	require.Empty(t, e.qAssignments(newID()))

	// Unassign: accounts not assigned to them are skipped.
	u1 := e.qAssignReq("operator.unassign", op1.ID, 4, ids[1], ids[5], ids[3], newID())
	require.NoError(t, e.s.Unassign(e.ctx, u1))
	e.requireEvent(u1.Event)
	want = []tenancy.Assignment{
		qAssignment(r1, ids[0]), qAssignment(r1, ids[2]), qAssignment(r2, ids[4]),
		qAssignment(r3, ids[0]), qAssignment(r3, ids[5]),
	}
	qRequireAssignments(t, want, e.qAssignments(ids...))

	// Unassigned, they can be assigned again, afresh.
	r4 := e.qAssignReq("operator.assign", op1.ID, 5, ids[1])
	require.NoError(t, e.s.Assign(e.ctx, r4))
	want = append(want, qAssignment(r4, ids[1]))
	qRequireAssignments(t, want, e.qAssignments(ids...))
}

// testQOperatorAssignMissing: an unknown account or operator among the
// ones given is ErrNotFound and nothing is written.
func testQOperatorAssignMissing(t *testing.T, h Harness) {
	e := setup(t, h)
	op := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	a, _ := e.account()
	b, _ := e.account()
	o := e.other()
	foreignOp := o.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	foreignAcc, _ := o.account()

	for _, r := range []tenancy.Assign{
		e.qAssignReq("operator.assign", op.ID, 1, a.ID, newID(), b.ID),
		e.qAssignReq("operator.assign", op.ID, 1, a.ID, b.ID, foreignAcc.ID),
		e.qAssignReq("operator.assign", newID(), 1, a.ID, b.ID),
		e.qAssignReq("operator.assign", foreignOp.ID, 1, a.ID),
	} {
		require.ErrorIs(t, e.s.Assign(e.ctx, r), tenancy.ErrNotFound)
		e.requireNoEvent(r.Event.ID)
	}
	require.Empty(t, e.qAssignments(a.ID, b.ID))
	require.Empty(t, o.qAssignments(foreignAcc.ID))

	r := e.qAssignReq("operator.assign", op.ID, 2, a.ID, b.ID)
	require.NoError(t, e.s.Assign(e.ctx, r))
	qRequireAssignments(t, []tenancy.Assignment{qAssignment(r, a.ID), qAssignment(r, b.ID)}, e.qAssignments(a.ID, b.ID))
}

// testQOperatorListFilter: AccountQuery.OperatorID lists the operator's
// accounts ("my accounts"), with the other filters and pages.
func testQOperatorListFilter(t *testing.T, h Harness) {
	e := setup(t, h)
	op := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	other := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })
	var mine, theirs []tenancy.Account
	var mineIDs, theirIDs []string
	for i := range 14 {
		a, _ := e.account(func(a *tenancy.Account) {
			a.CreatedAt = at(time.Duration(i/2)*time.Minute + 3*time.Microsecond) // ties by two
			a.Tags = [][]string{{"gold"}, {"silver"}}[i%2]
			a.Locked = i%5 == 4
		})
		switch i % 3 {
		case 0, 1:
			mine = append(mine, a)
			mineIDs = append(mineIDs, a.ID)
		}
		if i%3 != 0 {
			theirs = append(theirs, a)
			theirIDs = append(theirIDs, a.ID)
		}
	}
	require.NoError(t, e.s.Assign(e.ctx, e.qAssignReq("operator.assign", op.ID, 1, mineIDs...)))
	require.NoError(t, e.s.Assign(e.ctx, e.qAssignReq("operator.assign", other.ID, 1, theirIDs...)))

	for _, q := range []tenancy.AccountQuery{
		{OperatorID: op.ID, IncludeLocked: true},
		{OperatorID: op.ID},
		{OperatorID: op.ID, Tag: "gold", IncludeLocked: true},
		{OperatorID: other.ID, IncludeLocked: true, Sort: tenancy.SortName},
		{OperatorID: other.ID, Tag: "silver"},
	} {
		if q.Sort == "" {
			q.Sort = tenancy.SortNewest
		}
		src := mine
		if q.OperatorID == other.ID {
			src = theirs
		}
		var want []tenancy.Account
		for _, a := range src {
			if accountMatches(q, a) {
				want = append(want, a)
			}
		}
		require.NotEmpty(t, want, "fixture")
		want = sortAccounts(want, q.Sort)
		require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, listAll)), "%+v", q)
		require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, 2)), "pages of 2, %+v", q)
	}
	require.Empty(t, e.listAccounts(tenancy.AccountQuery{OperatorID: newID(), IncludeLocked: true}), "an operator with no account")

	// Unassigned accounts leave the listing.
	require.NoError(t, e.s.Unassign(e.ctx, e.qAssignReq("operator.unassign", op.ID, 2, mineIDs[1:]...)))
	require.Equal(t, []string{mineIDs[0]}, accountIDs(e.listAccounts(tenancy.AccountQuery{OperatorID: op.ID, IncludeLocked: true})))
}
