package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

func testUserRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	full := tenancy.User{
		PlatformID:   e.pid,
		ID:           newID(),
		Email:        "ann.o'neil+tag@example.com",
		Name:         "Ann O'Neil — Ünïcode",
		Role:         tenancy.RoleSecureOperator,
		Status:       tenancy.UserDisabled,
		PasswordHash: fakePasswordHash("round-trip"),
		Version:      7,
		CreatedAt:    at(time.Microsecond),
		UpdatedAt:    at(3*time.Hour + 999999*time.Microsecond),
	}
	bare := tenancy.User{ // a regular user with no password yet
		PlatformID: e.pid, ID: newID(), Email: "bare@example.com",
		Role: tenancy.RoleNone, Status: tenancy.UserActive, Version: 1,
		CreatedAt: at(500 * time.Microsecond), UpdatedAt: at(500 * time.Microsecond),
	}
	for _, u := range []tenancy.User{full, bare} {
		ev := e.event("user.create")
		require.NoError(t, e.s.InsertUser(e.ctx, u, ev))
		e.requireEvent(ev)
		requireUser(t, u, e.getUser(u.ID))
		byEmail, err := e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
		require.NoError(t, err)
		requireUser(t, u, byEmail)
	}
	for _, r := range []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleOperator} {
		u := e.user(func(u *tenancy.User) { u.Role = r })
		require.Equal(t, r, e.getUser(u.ID).Role)
	}
	e.requireNoUser(newID())
}

func testUserGetByEmail(t *testing.T, h Harness) {
	e := setup(t, h)
	const email = "shared@example.com"
	byEmail := func() tenancy.User {
		t.Helper()
		u, err := e.s.GetUserByEmail(e.ctx, e.pid, email)
		require.NoError(t, err)
		return u
	}
	_, err := e.s.GetUserByEmail(e.ctx, e.pid, email)
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	first := e.user(func(u *tenancy.User) { u.Email = email })
	first = e.deleteUser(first, at(5*time.Hour))
	requireUser(t, first, byEmail()) // a deleted user alone is returned

	second := e.user(func(u *tenancy.User) { u.Email = email })
	requireUser(t, second, byEmail()) // the user that is not deleted wins

	// Both deleted: the most recently updated one, here the first.
	second = e.deleteUser(second, at(3*time.Hour))
	requireUser(t, first, byEmail())

	third := e.user(func(u *tenancy.User) { u.Email = email })
	third = e.updateUser(third, func(u *tenancy.User) {
		u.Status, u.UpdatedAt = tenancy.UserDisabled, at(time.Hour)
	})
	requireUser(t, third, byEmail()) // disabled is not deleted: it wins

	_, err = e.s.GetUserByEmail(e.ctx, e.pid, "nobody@example.com")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

func testUserDuplicate(t *testing.T, h Harness) {
	e := setup(t, h)
	first := e.user()

	sameEmail := e.newUser()
	sameEmail.Email = first.Email
	ev := e.event("user.create")
	require.ErrorIs(t, e.s.InsertUser(e.ctx, sameEmail, ev), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)
	e.requireNoUser(sameEmail.ID)

	disabled := e.updateUser(first, func(u *tenancy.User) { u.Status = tenancy.UserDisabled })
	ev = e.event("user.create")
	require.ErrorIs(t, e.s.InsertUser(e.ctx, sameEmail, ev), tenancy.ErrConflict,
		"a disabled user's email is taken")
	e.requireNoEvent(ev.ID)

	sameID := e.newUser()
	sameID.ID = first.ID
	ev = e.event("user.create")
	require.ErrorIs(t, e.s.InsertUser(e.ctx, sameID, ev), tenancy.ErrConflict, "an existing user ID")
	e.requireNoEvent(ev.ID)
	_, err := e.s.GetUserByEmail(e.ctx, e.pid, sameID.Email)
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	requireUser(t, disabled, e.getUser(first.ID))
}

func testUserDeletedEmailReused(t *testing.T, h Harness) {
	e := setup(t, h)
	old := e.deleteUser(e.user(), at(time.Hour))

	reuse := e.newUser()
	reuse.Email = old.Email
	ev := e.event("user.create")
	require.NoError(t, e.s.InsertUser(e.ctx, reuse, ev))
	e.requireEvent(ev)

	got, err := e.s.GetUserByEmail(e.ctx, e.pid, old.Email)
	require.NoError(t, err)
	requireUser(t, reuse, got)
	requireUser(t, old, e.getUser(old.ID))

	// Two deleted users may share an email too.
	reuse = e.deleteUser(reuse, at(2*time.Hour))
	third := e.newUser()
	third.Email = old.Email
	require.NoError(t, e.s.InsertUser(e.ctx, third, e.event("user.create")))
	requireUser(t, reuse, e.getUser(reuse.ID))
}

func testUserUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()

	v2 := u
	v2.Email = "renamed@example.com"
	v2.Name = "Renamed Ünïcode"
	v2.Role = tenancy.RoleAdmin
	v2.Status = tenancy.UserDisabled
	v2.PasswordHash = fakePasswordHash("changed")
	v2.UpdatedAt = at(time.Hour + 424242*time.Microsecond)
	v2.Version = u.Version + 1
	ev := e.event("user.update")
	require.NoError(t, e.s.UpdateUser(e.ctx, v2, ev))
	e.requireEvent(ev)
	requireUser(t, v2, e.getUser(u.ID))

	got, err := e.s.GetUserByEmail(e.ctx, e.pid, v2.Email)
	require.NoError(t, err)
	requireUser(t, v2, got)
	_, err = e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "the old email is free")
	e.user(func(n *tenancy.User) { n.Email = u.Email }) // and can be taken

	// Back to a regular active user without a password.
	v3 := v2
	v3.Role, v3.Status, v3.PasswordHash, v3.Name = tenancy.RoleNone, tenancy.UserActive, "", ""
	v3.UpdatedAt = at(2 * time.Hour)
	v3.Version++
	require.NoError(t, e.s.UpdateUser(e.ctx, v3, e.event("user.update")))
	requireUser(t, v3, e.getUser(u.ID))
}

func testUserUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	v2 := e.updateUser(u, func(u *tenancy.User) { u.Name = "Second" })

	for _, version := range []int64{u.Version, v2.Version, v2.Version + 2, 0} {
		stale := v2
		stale.Name = "Lost update"
		stale.Version = version
		ev := e.event("user.update")
		require.ErrorIs(t, e.s.UpdateUser(e.ctx, stale, ev), tenancy.ErrStale, "version %d over stored %d", version, v2.Version)
		e.requireNoEvent(ev.ID)
	}
	requireUser(t, v2, e.getUser(u.ID))
	e.updateUser(v2, func(u *tenancy.User) { u.Name = "Third" }) // the right version still works
}

func testUserUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.newUser()
	u.Version = 2
	ev := e.event("user.update")
	require.ErrorIs(t, e.s.UpdateUser(e.ctx, u, ev), tenancy.ErrNotFound)
	e.requireNoEvent(ev.ID)
	e.requireNoUser(u.ID)
}

func testUserUpdateEmailTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	a, b := e.user(), e.user()

	taken := b
	taken.Email = a.Email
	taken.Version++
	ev := e.event("user.update")
	require.ErrorIs(t, e.s.UpdateUser(e.ctx, taken, ev), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)
	requireUser(t, b, e.getUser(b.ID))
	requireUser(t, a, e.getUser(a.ID))

	// A deleted user's email may be taken over.
	gone := e.deleteUser(e.user(), at(time.Hour))
	b = e.updateUser(b, func(u *tenancy.User) { u.Email = gone.Email })
	got, err := e.s.GetUserByEmail(e.ctx, e.pid, gone.Email)
	require.NoError(t, err)
	requireUser(t, b, got)

	// Bringing the deleted user back while its email is taken conflicts.
	revive := gone
	revive.Status = tenancy.UserActive
	revive.Version++
	ev = e.event("user.update")
	require.ErrorIs(t, e.s.UpdateUser(e.ctx, revive, ev), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)
	requireUser(t, gone, e.getUser(gone.ID))
}

// userFixture stores users of every role and status on e's platform, some
// with names and emails for the search cases, some members of an account.
// It returns the users as stored and the account's member IDs.
func userFixture(t *testing.T, e *env) (users []tenancy.User, accountID string, members map[string]bool) {
	t.Helper()
	roles := []tenancy.Role{
		tenancy.RoleNone, tenancy.RoleOwner, tenancy.RoleAdmin,
		tenancy.RoleOperator, tenancy.RoleSecureOperator, tenancy.RoleNone,
	}
	acc, primary := e.account()
	users = append(users, primary)
	members = map[string]bool{primary.ID: true}
	for i := range 16 {
		u := e.newUser()
		u.Role = roles[i%len(roles)]
		if i%4 == 3 {
			u.Status = tenancy.UserDisabled
		}
		switch i {
		case 1:
			u.Name = "Mary-Jane O'Neil"
		case 5:
			u.Email = "ann_lee@example.com" // sorts first under any collation
		case 3:
			u.Name = "Fifty 50% Off"
		case 4:
			u.Name = "MIXED case Name"
		}
		u = e.insertUser(u)
		if i%5 == 2 {
			u = e.deleteUser(u, at(time.Hour+time.Duration(i)*time.Microsecond))
		}
		if i%3 == 0 {
			e.addMember(newMember(acc, u, false, tenancy.PermLeads))
			members[u.ID] = true
		}
		users = append(users, u)
	}
	return users, acc.ID, members
}

// userMatches is the reference semantics of a UserQuery filter.
// members holds the IDs of the members of account accountID.
func userMatches(q tenancy.UserQuery, accountID string, members map[string]bool, u tenancy.User) bool {
	if len(q.Roles) > 0 && !slices.Contains(q.Roles, u.Role) {
		return false
	}
	if len(q.Statuses) == 0 {
		if u.Status == tenancy.UserDeleted {
			return false
		}
	} else if !slices.Contains(q.Statuses, u.Status) {
		return false
	}
	if q.Search != "" {
		s := strings.ToLower(q.Search)
		if !strings.Contains(strings.ToLower(u.Email), s) && !strings.Contains(strings.ToLower(u.Name), s) {
			return false
		}
	}
	if q.AccountID != "" && (q.AccountID != accountID || !members[u.ID]) {
		return false
	}
	return true
}

// byEmail returns users sorted as ListUsers returns them.
func byEmail(users []tenancy.User) []tenancy.User {
	out := slices.Clone(users)
	slices.SortFunc(out, func(a, b tenancy.User) int {
		if c := strings.Compare(a.Email, b.Email); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

// walkUsers lists every page of q with page size n, following cursors.
func (e *env) walkUsers(q tenancy.UserQuery, n int) []tenancy.User {
	e.t.Helper()
	q.Limit = n
	var got []tenancy.User
	for pages := 0; ; pages++ {
		require.Less(e.t, pages, 200, "too many pages")
		page, err := e.s.ListUsers(e.ctx, q)
		require.NoError(e.t, err)
		require.LessOrEqual(e.t, len(page), n, "page longer than the limit")
		got = append(got, page...)
		if len(page) < n {
			return got
		}
		last := page[len(page)-1]
		q.After = &tenancy.UserCursor{Email: last.Email, ID: last.ID}
	}
}

func testUserListFilters(t *testing.T, h Harness) {
	e := setup(t, h)
	users, accountID, members := userFixture(t, e)
	allStatuses := []tenancy.UserStatus{tenancy.UserActive, tenancy.UserDisabled, tenancy.UserDeleted}
	cases := []struct {
		name  string
		q     tenancy.UserQuery
		empty bool
	}{
		{name: "none leaves deleted out", q: tenancy.UserQuery{}},
		{name: "regular users", q: tenancy.UserQuery{Roles: []tenancy.Role{tenancy.RoleNone}}},
		{name: "owner and admin", q: tenancy.UserQuery{Roles: []tenancy.Role{tenancy.RoleOwner, tenancy.RoleAdmin}}},
		{name: "operators and regular", q: tenancy.UserQuery{Roles: []tenancy.Role{tenancy.RoleOperator, tenancy.RoleSecureOperator, tenancy.RoleNone}}},
		{name: "disabled", q: tenancy.UserQuery{Statuses: []tenancy.UserStatus{tenancy.UserDisabled}}},
		{name: "deleted", q: tenancy.UserQuery{Statuses: []tenancy.UserStatus{tenancy.UserDeleted}}},
		{name: "every status", q: tenancy.UserQuery{Statuses: allStatuses}},
		{name: "search name case-insensitive", q: tenancy.UserQuery{Search: "mary-JANE"}},
		{name: "search name upper", q: tenancy.UserQuery{Search: "mixed CASE"}},
		{name: "search email case-insensitive", q: tenancy.UserQuery{Search: "ANN_LEE@"}},
		{name: "search quote", q: tenancy.UserQuery{Search: "o'neil"}},
		{name: "search percent literal", q: tenancy.UserQuery{Search: "%"}},
		{name: "search underscore literal", q: tenancy.UserQuery{Search: "_"}},
		{name: "search matches many", q: tenancy.UserQuery{Search: "USER00", Statuses: allStatuses}},
		{name: "search no match", q: tenancy.UserQuery{Search: "zz-nobody"}, empty: true},
		{name: "account members", q: tenancy.UserQuery{AccountID: accountID}},
		{name: "account members any status", q: tenancy.UserQuery{AccountID: accountID, Statuses: allStatuses}},
		{name: "account regular members", q: tenancy.UserQuery{AccountID: accountID, Roles: []tenancy.Role{tenancy.RoleNone}}},
		{name: "unknown account", q: tenancy.UserQuery{AccountID: newID()}, empty: true},
		{name: "everything", q: tenancy.UserQuery{
			Roles: []tenancy.Role{tenancy.RoleNone, tenancy.RoleOperator}, Statuses: allStatuses,
			Search: "user00", AccountID: accountID,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.PlatformID = e.pid
			var want []tenancy.User
			for _, u := range users {
				if userMatches(q, accountID, members, u) {
					want = append(want, u)
				}
			}
			if tc.empty {
				require.Empty(t, want, "fixture")
			} else {
				require.NotEmpty(t, want, "fixture")
			}
			want = byEmail(want)
			got := e.walkUsers(q, listAll)
			require.Equal(t, userIDs(want), userIDs(got))
			for i := range want {
				requireUser(t, want[i], got[i])
			}
			require.Equal(t, userIDs(want), userIDs(e.walkUsers(q, 2)), "pages of 2")
		})
	}
}

func testUserListPagination(t *testing.T, h Harness) {
	e := setup(t, h)
	var users []tenancy.User
	for i := range 21 {
		u := e.newUser()
		// Every fourth user reuses an earlier email after that one is
		// deleted, so emails tie and the ID decides.
		if i%4 == 3 {
			prev := users[len(users)-1]
			users[len(users)-1] = e.deleteUser(prev, at(time.Hour+time.Duration(i)*time.Second))
			u.Email = prev.Email
		}
		users = append(users, e.insertUser(u))
	}
	all := []tenancy.UserStatus{tenancy.UserActive, tenancy.UserDisabled, tenancy.UserDeleted}
	want := byEmail(users)
	q := tenancy.UserQuery{PlatformID: e.pid, Statuses: all}
	for _, n := range []int{1, 2, 3, 4, 7, 20, 21, 22, listAll} {
		require.Equal(t, userIDs(want), userIDs(e.walkUsers(q, n)), "page size %d", n)
	}

	// The first page is the first Limit users.
	page, err := e.s.ListUsers(e.ctx, tenancy.UserQuery{PlatformID: e.pid, Statuses: all, Limit: 5})
	require.NoError(t, err)
	require.Equal(t, userIDs(want[:5]), userIDs(page))

	// A cursor between records (a removed user's position) works: the
	// smallest ID with a tied email comes before every user of that email.
	mid := want[10]
	after := tenancy.UserCursor{Email: mid.Email, ID: uuid.Nil.String()}
	var rest []tenancy.User
	for _, u := range want {
		if u.Email > after.Email || u.Email == after.Email && u.ID > after.ID {
			rest = append(rest, u)
		}
	}
	page, err = e.s.ListUsers(e.ctx, tenancy.UserQuery{PlatformID: e.pid, Statuses: all, After: &after, Limit: 3})
	require.NoError(t, err)
	require.Equal(t, userIDs(rest[:3]), userIDs(page), "cursor between users")

	// Without deleted users, pagination skips them.
	var live []tenancy.User
	for _, u := range want {
		if u.Status != tenancy.UserDeleted {
			live = append(live, u)
		}
	}
	require.Equal(t, userIDs(live), userIDs(e.walkUsers(tenancy.UserQuery{PlatformID: e.pid}, 3)))
	require.Len(t, live, len(users)-5, "fixture: five deleted users")
}
