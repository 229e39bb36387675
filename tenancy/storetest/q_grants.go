package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qGrant returns a grant of resource of account a to user u, given by by,
// not stored.
func (e *env) qGrant(a tenancy.Account, resource string, u tenancy.User, by string) tenancy.Grant {
	return tenancy.Grant{
		PlatformID: e.pid, AccountID: a.ID, ResourceID: resource, UserID: u.ID, GrantedBy: by,
		CreatedAt: at(time.Duration(e.next())*time.Second + 55*time.Microsecond),
	}
}

// qGrantEvent returns an event for a grant change.
func (e *env) qGrantEvent(action string, g tenancy.Grant) audit.Event {
	ev := e.event(action)
	ev.AccountID, ev.TargetType, ev.TargetID = g.AccountID, "resource", g.ResourceID
	return ev
}

// qGrants returns the grants matching q on e's platform, checking their
// order.
func (e *env) qGrants(q tenancy.GrantQuery) []tenancy.Grant {
	e.t.Helper()
	q.PlatformID = e.pid
	got, err := e.s.Grants(e.ctx, q)
	require.NoError(e.t, err, "grants")
	for i, g := range got {
		require.Equal(e.t, e.pid, g.PlatformID)
		conformance.RequireUTC(e.t, "grant", g.CreatedAt)
		if i > 0 {
			require.Negative(e.t, qCompareGrants(got[i-1], g), "grants come by account, resource, then user")
		}
	}
	return got
}

func qCompareGrants(a, b tenancy.Grant) int {
	if c := strings.Compare(a.AccountID, b.AccountID); c != 0 {
		return c
	}
	if c := strings.Compare(a.ResourceID, b.ResourceID); c != 0 {
		return c
	}
	return strings.Compare(a.UserID, b.UserID)
}

// qRequireGrants checks that got lists want, in order.
func qRequireGrants(t *testing.T, want, got []tenancy.Grant) {
	t.Helper()
	if len(want) == 0 {
		require.Empty(t, got, "grants")
		return
	}
	want = slices.Clone(want)
	slices.SortFunc(want, qCompareGrants)
	require.Equal(t, want, got, "grants")
}

// testQGrants: grants round-trip and list by account, resource and user;
// a duplicate is ErrConflict, a missing account or user ErrNotFound; a
// grant can be deleted once.
func testQGrants(t *testing.T, h Harness) {
	e := setup(t, h)
	acc1, owner1 := e.account()
	acc2, owner2 := e.account()
	m1, m2 := e.user(), e.user() // managers, members of nothing

	grants := []tenancy.Grant{
		e.qGrant(acc1, "bot-a", m1, owner1.ID),
		e.qGrant(acc1, "bot-a", m2, owner1.ID),
		e.qGrant(acc1, "bot-b", m1, actor),
		e.qGrant(acc2, "bot-a", m1, owner2.ID), // the same resource ID in another account
		e.qGrant(acc2, "Bot-Ü/ünïcode 42", m2, owner2.ID),
	}
	for _, g := range grants {
		ev := e.qGrantEvent("grant.add", g)
		require.NoError(t, e.s.InsertGrant(e.ctx, g, ev))
		e.requireEvent(ev)
	}
	pick := func(is ...int) []tenancy.Grant {
		var out []tenancy.Grant
		for _, i := range is {
			out = append(out, grants[i])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    tenancy.GrantQuery
		want []tenancy.Grant
	}{
		{"all", tenancy.GrantQuery{}, grants},
		{"by account", tenancy.GrantQuery{AccountID: acc1.ID}, pick(0, 1, 2)},
		{"by account and resource (Shared badge)", tenancy.GrantQuery{AccountID: acc1.ID, ResourceID: "bot-a"}, pick(0, 1)},
		{"by resource alone", tenancy.GrantQuery{ResourceID: "bot-a"}, pick(0, 1, 3)},
		{"by user", tenancy.GrantQuery{UserID: m1.ID}, pick(0, 2, 3)},
		{"by user and account", tenancy.GrantQuery{UserID: m2.ID, AccountID: acc2.ID}, pick(4)},
		{"unicode resource", tenancy.GrantQuery{ResourceID: "Bot-Ü/ünïcode 42"}, pick(4)},
		{"resource compared exactly", tenancy.GrantQuery{ResourceID: "BOT-A"}, nil},
		{"unknown user", tenancy.GrantQuery{UserID: newID()}, nil},
		{"unknown account", tenancy.GrantQuery{AccountID: newID()}, nil},
	} {
		qRequireGrants(t, tc.want, e.qGrants(tc.q))
	}

	// A duplicate: ErrConflict, the first one kept as it was.
	dup := grants[1]
	dup.GrantedBy, dup.CreatedAt = actor, at(99*time.Hour)
	ev := e.qGrantEvent("grant.add", dup)
	require.ErrorIs(t, e.s.InsertGrant(e.ctx, dup, ev), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)

	// Missing account or user.
	noAcc := e.qGrant(acc1, "bot-a", m1, actor)
	noAcc.AccountID = newID()
	noUser := e.qGrant(acc1, "bot-z", m1, actor)
	noUser.UserID = newID()
	for _, g := range []tenancy.Grant{noAcc, noUser} {
		ev := e.qGrantEvent("grant.add", g)
		require.ErrorIs(t, e.s.InsertGrant(e.ctx, g, ev), tenancy.ErrNotFound)
		e.requireNoEvent(ev.ID)
	}
	qRequireGrants(t, grants, e.qGrants(tenancy.GrantQuery{}))

	// Delete: gone once, ErrNotFound after.
	ev = e.qGrantEvent("grant.remove", grants[0])
	require.NoError(t, e.s.DeleteGrant(e.ctx, grants[0], ev))
	e.requireEvent(ev)
	qRequireGrants(t, pick(1, 2, 3, 4), e.qGrants(tenancy.GrantQuery{}))
	qRequireGrants(t, pick(1), e.qGrants(tenancy.GrantQuery{AccountID: acc1.ID, ResourceID: "bot-a"}))
	for _, g := range []tenancy.Grant{grants[0], e.qGrant(acc2, "bot-b", m1, actor)} {
		ev = e.qGrantEvent("grant.remove", g)
		require.ErrorIs(t, e.s.DeleteGrant(e.ctx, g, ev), tenancy.ErrNotFound)
		e.requireNoEvent(ev.ID)
	}
	qRequireGrants(t, pick(1, 2, 3, 4), e.qGrants(tenancy.GrantQuery{}))

	// A deleted grant can be given again.
	again := e.qGrant(acc1, "bot-a", m1, owner1.ID)
	require.NoError(t, e.s.InsertGrant(e.ctx, again, e.qGrantEvent("grant.add", again)))
	qRequireGrants(t, append(pick(1, 2, 3, 4), again), e.qGrants(tenancy.GrantQuery{}))
}
