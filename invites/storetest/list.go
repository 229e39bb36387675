package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/invites"
)

// testListFilters checks every filter of List, alone and combined, and the
// limit; results come newest first.
func testListFilters(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := "acct-"+newID(), "acct-"+newID()
	r1, r2 := "bot-"+newID(), "bot-"+newID()
	u1, u2 := "user-"+newID(), "user-"+newID()
	m1, m2 := newEmail(), newEmail()
	soon := at(30 * day) // f expires then; the others a year later
	mk := func(k invites.Kind, acct, res, inviter, email string, s invites.Status, expires time.Time) invites.Invitation {
		return e.invitation(func(i *invites.Invitation) {
			i.Kind, i.AccountID, i.ResourceID, i.InviterID, i.Email, i.Status, i.ExpiresAt = k, acct, res, inviter, email, s, expires
			if s != invites.Pending {
				i.DecidedAt, i.DecidedBy = i.CreatedAt.Add(time.Minute), "user-"+newID()
			}
		})
	}
	later := at(365 * day)
	a := mk(invites.KindTeamMember, x, "", u1, m1, invites.Pending, later)
	b := mk(invites.KindManager, x, r1, u2, m2, invites.Pending, later)
	c := mk(invites.KindManager, y, r2, u1, m1, invites.Revoked, later)
	d := mk(invites.KindAccount, "", "", u2, m2, invites.Accepted, later)
	f := mk(invites.KindStaff, "", "", u1, m1, invites.Pending, soon)
	g := mk(invites.KindTeamMember, y, "", u2, m1, invites.Declined, later)
	all := []invites.Invitation{a, b, c, d, f, g}
	// Another platform's invitations of the same people and places.
	o := e.other()
	o.invitation(func(i *invites.Invitation) { i.AccountID, i.InviterID, i.Email = x, u1, m1 })
	o.invitation(func(i *invites.Invitation) { i.Kind, i.AccountID, i.ResourceID = invites.KindManager, x, r1 })

	cases := []struct {
		name string
		q    invites.Query
		want []invites.Invitation
	}{
		{"all", invites.Query{}, all},
		{"pending", invites.Query{Status: invites.Pending}, []invites.Invitation{a, b, f}},
		{"revoked", invites.Query{Status: invites.Revoked}, []invites.Invitation{c}},
		{"accepted", invites.Query{Status: invites.Accepted}, []invites.Invitation{d}},
		{"declined", invites.Query{Status: invites.Declined}, []invites.Invitation{g}},
		{"expired", invites.Query{Status: invites.Expired}, nil},
		{"pending before f expires", invites.Query{PendingAt: soon.Add(-time.Microsecond)}, []invites.Invitation{a, b, f}},
		{"pending when f expires", invites.Query{PendingAt: soon}, []invites.Invitation{a, b}},
		{"pending after all expire", invites.Query{PendingAt: later}, nil},
		{"PendingAt ignores Status", invites.Query{PendingAt: soon, Status: invites.Revoked}, []invites.Invitation{a, b}},
		{"kind manager", invites.Query{Kind: invites.KindManager}, []invites.Invitation{b, c}},
		{"kind staff", invites.Query{Kind: invites.KindStaff}, []invites.Invitation{f}},
		{"inviter", invites.Query{InviterID: u1}, []invites.Invitation{a, c, f}},
		{"account", invites.Query{AccountID: x}, []invites.Invitation{a, b}},
		{"resource", invites.Query{ResourceID: r1}, []invites.Invitation{b}},
		{"email", invites.Query{Email: m1}, []invites.Invitation{a, c, f, g}},
		{"kind and email", invites.Query{Kind: invites.KindTeamMember, Email: m1}, []invites.Invitation{a, g}},
		{"status and inviter", invites.Query{Status: invites.Pending, InviterID: u1}, []invites.Invitation{a, f}},
		{"pending at and email", invites.Query{PendingAt: soon, Email: m1}, []invites.Invitation{a}},
		{"account and resource", invites.Query{AccountID: y, ResourceID: r2}, []invites.Invitation{c}},
		{"account and kind", invites.Query{AccountID: y, Kind: invites.KindTeamMember}, []invites.Invitation{g}},
		{"unknown email", invites.Query{Email: newEmail()}, nil},
		{"unknown inviter", invites.Query{InviterID: "user-" + newID()}, nil},
		{"limit", invites.Query{Limit: 2}, []invites.Invitation{g, f}},
		{"limit with filter", invites.Query{Email: m1, Limit: 3}, []invites.Invitation{g, f, c}},
	}
	for _, tc := range cases {
		got := e.list(tc.q)
		if len(tc.want) == 0 {
			require.Empty(t, got, tc.name)
			continue
		}
		requireInvitations(t, newestFirst(tc.want), got)
	}
}

// testListPagination pages through invitations sharing creation times,
// with several page sizes, with a filter, and from cursors that are no
// record's.
func testListPagination(t *testing.T, h Harness) {
	e := setup(t, h)
	t1, t2, t3 := at(time.Hour), at(2*time.Hour+time.Microsecond), at(3*time.Hour+2*time.Microsecond)
	var all []invites.Invitation
	for _, c := range []struct {
		at     time.Time
		status invites.Status
	}{
		{t1, invites.Pending}, {t1, invites.Revoked}, {t1, invites.Pending},
		{t2, invites.Pending}, {t2, invites.Pending}, {t2, invites.Accepted},
		{t3, invites.Pending}, {t3, invites.Declined},
	} {
		all = append(all, e.invitation(func(i *invites.Invitation) {
			i.CreatedAt, i.SentAt, i.Status = c.at, c.at, c.status
		}))
	}
	e.other().invitation(func(i *invites.Invitation) { i.CreatedAt = t2 })
	all = newestFirst(all)
	var pending []invites.Invitation
	for _, inv := range all {
		if inv.Status == invites.Pending {
			pending = append(pending, inv)
		}
	}

	page := func(q invites.Query, size int) []invites.Invitation {
		t.Helper()
		var out []invites.Invitation
		q.Limit = size
		for range 20 {
			got := e.list(q)
			require.LessOrEqual(t, len(got), size, "page size")
			out = append(out, got...)
			if len(got) < size {
				return out
			}
			last := got[len(got)-1]
			q.After = &invites.Cursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		t.Fatalf("pagination does not end")
		return nil
	}
	for _, size := range []int{1, 2, 3, 8, 9} {
		requireInvitations(t, all, page(invites.Query{}, size))
		requireInvitations(t, pending, page(invites.Query{Status: invites.Pending}, size))
	}

	// Cursors between records: before every ID of t2, and after every one.
	lowest, highest := "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"
	var olderThanT2, t2AndOlder []invites.Invitation
	for _, inv := range all {
		if inv.CreatedAt.Before(t2) {
			olderThanT2 = append(olderThanT2, inv)
		}
		if !inv.CreatedAt.After(t2) {
			t2AndOlder = append(t2AndOlder, inv)
		}
	}
	requireInvitations(t, olderThanT2, e.list(invites.Query{After: &invites.Cursor{CreatedAt: t2, ID: lowest}}))
	requireInvitations(t, t2AndOlder, e.list(invites.Query{After: &invites.Cursor{CreatedAt: t2, ID: highest}}))
	require.Empty(t, e.list(invites.Query{After: &invites.Cursor{CreatedAt: t1, ID: lowest}}), "after the oldest")
}

// testCountSince counts invitations created at or after an instant, of
// the platform and of one inviter, whatever their status.
func testCountSince(t *testing.T, h Harness) {
	e := setup(t, h)
	u1, u2 := "user-"+newID(), "user-"+newID()
	t1, t2, t3 := at(time.Hour), at(2*time.Hour+time.Microsecond), at(3*time.Hour+2*time.Microsecond)
	mk := func(inviter string, created time.Time, s invites.Status) {
		e.invitation(func(i *invites.Invitation) { i.InviterID, i.CreatedAt, i.Status = inviter, created, s })
	}
	mk(u1, t1, invites.Pending)
	mk(u1, t2, invites.Revoked)
	mk(u1, t3, invites.Accepted)
	mk(u2, t2, invites.Pending)
	mk(u2, t2, invites.Declined)
	o := e.other()
	o.invitation(func(i *invites.Invitation) { i.InviterID, i.CreatedAt = u1, t3 })

	for _, c := range []struct {
		inviter string
		since   time.Time
		want    int
	}{
		{"", t1.Add(-day), 5},
		{"", t1, 5},
		{"", t1.Add(time.Microsecond), 4},
		{"", t2, 4},
		{"", t2.Add(time.Microsecond), 1},
		{"", t3.Add(time.Microsecond), 0},
		{u1, t1, 3},
		{u1, t2, 2},
		{u1, t2.Add(time.Microsecond), 1},
		{u2, t2, 2},
		{u2, t2.Add(time.Microsecond), 0},
		{"user-" + newID(), t1, 0},
	} {
		require.Equal(t, c.want, e.count(c.inviter, c.since), "count since %v by %q", c.since, c.inviter)
	}
	require.Equal(t, 1, o.count("", t1.Add(-day)), "the other platform")
	require.Equal(t, 0, e.other().count("", t1.Add(-day)), "a platform without invitations")
}
