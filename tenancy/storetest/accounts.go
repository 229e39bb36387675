package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

func testAccountRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)

	full, _ := e.account(func(a *tenancy.Account) {
		a.Tags = []string{"zeta", "alpha", "Mid Tag", "ünï"}
		a.Locked = true
		a.Status = tenancy.AccountDisabled
		a.Onboarding = tenancy.Onboarding{StepsDone: []string{"widget", "profile", "billing"}, Complete: true}
		a.Version = 3
	})
	got := e.getAccount(full.ID)
	requireAccount(t, full, got)
	require.ElementsMatch(t, full.Tags, got.Tags, "tags")
	require.ElementsMatch(t, full.Sites, got.Sites, "sites")
	require.Equal(t, full.Onboarding.StepsDone, got.Onboarding.StepsDone, "steps keep their order")

	// An account with every optional field empty: no nickname, no tags, no
	// sites, not a test account, every flag off, onboarding not started.
	u := e.user()
	bare := tenancy.Account{
		PlatformID: e.pid, ID: newID(), UID: newUID(), Name: "Bare", Email: u.Email,
		PrimaryUserID: u.ID, Language: "en", TimeZone: "UTC", Status: tenancy.AccountActive,
		Version: 1, CreatedAt: at(time.Microsecond), UpdatedAt: at(time.Microsecond),
	}
	require.NoError(t, e.s.CreateAccount(e.ctx, tenancy.NewAccount{
		Account: bare,
		Members: []tenancy.Member{newMember(bare, u, true)},
		Events:  []audit.Event{e.event("account.create")},
	}))
	got = e.getAccount(bare.ID)
	requireAccount(t, bare, got)
	require.True(t, got.TestExpiresAt.IsZero(), "a regular account's TestExpiresAt stays zero, got %v", got.TestExpiresAt)
	require.False(t, got.IsTest())
	require.True(t, got.InSetup())
}

func testAccountCreateWritesAll(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.newUser()
	u.Role = tenancy.RoleNone
	u.PasswordHash = "" // sets it with the token
	a := e.newAccount(u)
	teammate := e.user()
	tok := newToken(u, tenancy.TokenSetPassword)
	primary := newMember(a, u, true)
	team := newMember(a, teammate, false, tenancy.PermLiveChat, tenancy.PermBilling)
	team.CreatedAt = a.CreatedAt.Add(time.Microsecond)
	events := []audit.Event{e.event("user.create"), e.event("account.create"), e.event("member.add")}
	events[2].AccountID, events[2].TargetType, events[2].TargetID = a.ID, "user", teammate.ID
	events[2].Changes = []audit.Change{{Field: "permissions", After: "live_chat,billing"}}

	require.NoError(t, e.s.CreateAccount(e.ctx, tenancy.NewAccount{
		Account: a, NewUser: &u, Members: []tenancy.Member{team, primary}, Token: &tok, Events: events,
	}))

	requireAccount(t, a, e.getAccount(a.ID))
	requireUser(t, u, e.getUser(u.ID))
	byEmail, err := e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
	require.NoError(t, err)
	requireUser(t, u, byEmail)
	requireMembers(t, []tenancy.Member{primary, team}, e.members(a.ID))
	e.requireEvent(events...)

	ms := e.memberships(teammate.ID)
	require.Len(t, ms, 1)
	requireAccount(t, a, ms[0].Account)

	r := e.useToken(tok.Hash, tenancy.TokenSetPassword)
	set, err := e.s.UseToken(e.ctx, r)
	require.NoError(t, err, "the account's token is stored")
	require.Equal(t, r.PasswordHash, set.PasswordHash)
}

func testAccountCreateExistingUser(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	a := e.newAccount(u)
	ev := e.event("account.create")
	require.NoError(t, e.s.CreateAccount(e.ctx, tenancy.NewAccount{
		Account: a, Members: []tenancy.Member{newMember(a, u, true)}, Events: []audit.Event{ev},
	}))
	e.requireEvent(ev)
	requireAccount(t, a, e.getAccount(a.ID))
	requireUser(t, u, e.getUser(u.ID))
	ms := e.memberships(u.ID)
	require.Len(t, ms, 1)
	requireMembers(t, []tenancy.Member{newMember(a, u, true)}, []tenancy.Member{ms[0].Member})
}

func testAccountCreateConflict(t *testing.T, h Harness) {
	e := setup(t, h)
	existing, owner := e.account()
	bystander := e.user() // becomes a member in every failing request

	cases := []struct {
		name string
		mod  func(a *tenancy.Account, u *tenancy.User)
	}{
		{"nickname taken", func(a *tenancy.Account, u *tenancy.User) { a.Nickname = existing.Nickname }},
		{"UID taken", func(a *tenancy.Account, u *tenancy.User) { a.UID = existing.UID }},
		{"new user's email taken", func(a *tenancy.Account, u *tenancy.User) { u.Email = owner.Email; a.Email = owner.Email }},
		{"account ID taken", func(a *tenancy.Account, u *tenancy.User) { a.ID = existing.ID }},
		{"new user's ID taken", func(a *tenancy.Account, u *tenancy.User) { u.ID = owner.ID }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			u := e.newUser()
			a := e.newAccount(u)
			tc.mod(&a, &u)
			a.PrimaryUserID = u.ID
			tok := newToken(u, tenancy.TokenSetPassword)
			events := []audit.Event{e.event("user.create"), e.event("account.create"), e.event("member.add")}
			err := e.s.CreateAccount(e.ctx, tenancy.NewAccount{
				Account: a, NewUser: &u, Token: &tok, Events: events,
				Members: []tenancy.Member{newMember(a, u, true), newMember(a, bystander, false, tenancy.PermTeam)},
			})
			require.ErrorIs(t, err, tenancy.ErrConflict)

			// Nothing was written: no account, user, member, token or event.
			if a.ID == existing.ID {
				requireAccount(t, existing, e.getAccount(existing.ID))
			} else {
				e.requireNoAccount(a.ID)
			}
			if u.ID == owner.ID {
				requireUser(t, owner, e.getUser(owner.ID))
			} else {
				e.requireNoUser(u.ID)
			}
			if u.Email == owner.Email {
				got, err := e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
				require.NoError(t, err)
				requireUser(t, owner, got)
			} else {
				_, err := e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
				require.ErrorIs(t, err, tenancy.ErrNotFound, "the new user was not written")
			}
			requireMembers(t, []tenancy.Member{newMember(existing, owner, true)}, e.members(existing.ID))
			e.requireNoMemberships(e.pid, bystander.ID)
			e.requireTokenGone(tok.Hash)
			e.requireNoEvent(events[0].ID, events[1].ID, events[2].ID)
		})
	}
	requireAccount(t, existing, e.getAccount(existing.ID))
	requireUser(t, owner, e.getUser(owner.ID))
	requireUser(t, bystander, e.getUser(bystander.ID))
}

func testAccountWithoutNickname(t *testing.T, h Harness) {
	e := setup(t, h)
	var accounts []tenancy.Account
	for range 3 {
		a, _ := e.account(func(a *tenancy.Account) { a.Nickname = "" })
		accounts = append(accounts, a)
	}
	for _, a := range accounts {
		requireAccount(t, a, e.getAccount(a.ID))
	}
	// An account with a nickname can drop it while others have none.
	named, _ := e.account()
	e.updateAccount(named, func(a *tenancy.Account) { a.Nickname = "" })
	_, err := e.s.GetAccountByNickname(e.ctx, e.pid, "")
	require.ErrorIs(t, err, tenancy.ErrNotFound, "no account has the empty nickname")
}

func testAccountGetByNicknameAndUID(t *testing.T, h Harness) {
	e := setup(t, h)
	a, _ := e.account()
	b, _ := e.account()
	for _, acc := range []tenancy.Account{a, b} {
		got, err := e.s.GetAccountByNickname(e.ctx, e.pid, acc.Nickname)
		require.NoError(t, err)
		requireAccount(t, acc, got)
		got, err = e.s.GetAccountByUID(e.ctx, e.pid, acc.UID)
		require.NoError(t, err)
		requireAccount(t, acc, got)
	}
	_, err := e.s.GetAccountByNickname(e.ctx, e.pid, "no-such-nickname")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	_, err = e.s.GetAccountByUID(e.ctx, e.pid, newUID())
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoAccount(newID())
}

func testAccountStoresCopies(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.newUser()
	a := e.newAccount(u)
	want := normAccount(a)
	want.Onboarding.StepsDone = append([]string(nil), a.Onboarding.StepsDone...)
	perms := []string{tenancy.PermBots, tenancy.PermLeads}
	req := e.newAccountRequest(a, u)
	req.Members[0].Permissions = perms
	require.NoError(t, e.s.CreateAccount(e.ctx, req))

	// The caller changes its slices after the call...
	a.Tags[0], a.Sites[0], a.Onboarding.StepsDone[0], perms[0] = "changed", "changed", "changed", "changed"
	got := e.getAccount(a.ID)
	requireAccount(t, want, got)
	ms := e.members(a.ID)
	require.ElementsMatch(t, []string{tenancy.PermBots, tenancy.PermLeads}, ms[0].Permissions)

	// ... or the ones it got back.
	got.Tags[0], got.Sites[0], got.Onboarding.StepsDone[0] = "changed", "changed", "changed"
	ms[0].Permissions[0] = "changed"
	requireAccount(t, want, e.getAccount(a.ID))
	require.ElementsMatch(t, []string{tenancy.PermBots, tenancy.PermLeads}, e.members(a.ID)[0].Permissions)

	// And after an update.
	v2 := a
	v2.Tags = []string{"one", "two"}
	v2.Version++
	require.NoError(t, e.s.UpdateAccount(e.ctx, v2, e.event("account.update")))
	v2.Tags[0] = "changed"
	require.ElementsMatch(t, []string{"one", "two"}, e.getAccount(a.ID).Tags)
}

func testAccountUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	a, _ := e.account()
	other, _ := e.account() // untouched by the updates

	v2 := a
	v2.Nickname = "renamed-nick"
	v2.Name = "Renamed Ünïcode Ltd"
	v2.Email = "billing@renamed.example"
	v2.Contact = tenancy.Contact{Address: "1 New Street", Phone: "+1 555 0100", Website: "https://renamed.example"}
	v2.Language, v2.TimeZone = "de-DE", "Europe/Berlin"
	v2.LogoURL = "https://cdn.example.com/new.png"
	v2.Tags = []string{"silver", "eu", "new"} // "eu" kept, "gold" and "beta" dropped
	v2.Note = "second note"
	v2.Plan = "enterprise"
	v2.Status = tenancy.AccountDisabled
	v2.Locked, v2.Secure, v2.Template, v2.LinksAllowed = true, false, false, false
	v2.TestExpiresAt = at(30*24*time.Hour + 31*time.Microsecond)
	v2.Onboarding = tenancy.Onboarding{StepsDone: []string{"billing", "profile", "widget", "team"}, Complete: true}
	v2.Sites = []string{"https://renamed.example"}
	v2.UpdatedAt = at(time.Hour + 101010*time.Microsecond)
	v2.Version = a.Version + 1
	ev := e.event("account.update")
	ev.AccountID = a.ID
	ev.Changes = []audit.Change{{Field: "name", Before: a.Name, After: v2.Name}}
	require.NoError(t, e.s.UpdateAccount(e.ctx, v2, ev))
	e.requireEvent(ev)
	requireAccount(t, v2, e.getAccount(a.ID))

	got, err := e.s.GetAccountByNickname(e.ctx, e.pid, v2.Nickname)
	require.NoError(t, err)
	requireAccount(t, v2, got)
	_, err = e.s.GetAccountByNickname(e.ctx, e.pid, a.Nickname)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "the old nickname is free")

	// The tags were replaced, in the listing too.
	list := func(tag string) []string {
		return accountIDs(e.listAccounts(tenancy.AccountQuery{Tag: tag, IncludeLocked: true}))
	}
	require.Equal(t, []string{other.ID}, list("gold"))
	require.Equal(t, []string{a.ID}, list("new"))
	require.ElementsMatch(t, []string{a.ID, other.ID}, list("eu"))

	// Back to a bare account: no nickname, tags, sites or test expiry.
	v3 := v2
	v3.Nickname, v3.Tags, v3.Sites, v3.TestExpiresAt = "", nil, nil, time.Time{}
	v3.Onboarding = tenancy.Onboarding{}
	v3.Status, v3.Locked = tenancy.AccountActive, false
	v3.UpdatedAt = at(2 * time.Hour)
	v3.Version++
	require.NoError(t, e.s.UpdateAccount(e.ctx, v3, e.event("account.update")))
	got = e.getAccount(a.ID)
	requireAccount(t, v3, got)
	require.False(t, got.IsTest())
	require.Empty(t, list("new"))

	// The freed nickname can be taken by another account.
	e.updateAccount(other, func(o *tenancy.Account) { o.Nickname = v2.Nickname })
	requireAccount(t, v3, e.getAccount(a.ID))
}

func testAccountUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	a, _ := e.account()
	v2 := e.updateAccount(a, func(a *tenancy.Account) { a.Name = "Second" })

	for _, version := range []int64{a.Version, v2.Version, v2.Version + 2, 0} {
		stale := v2
		stale.Name = "Lost update"
		stale.Tags = []string{"lost"}
		stale.Version = version
		ev := e.event("account.update")
		require.ErrorIs(t, e.s.UpdateAccount(e.ctx, stale, ev), tenancy.ErrStale, "version %d over stored %d", version, v2.Version)
		e.requireNoEvent(ev.ID)
	}
	requireAccount(t, v2, e.getAccount(a.ID))
	require.Empty(t, e.listAccounts(tenancy.AccountQuery{Tag: "lost", IncludeLocked: true}))
	e.updateAccount(v2, func(a *tenancy.Account) { a.Name = "Third" })
}

func testAccountUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	a := e.newAccount(u)
	a.Version = 2
	ev := e.event("account.update")
	require.ErrorIs(t, e.s.UpdateAccount(e.ctx, a, ev), tenancy.ErrNotFound)
	e.requireNoEvent(ev.ID)
	e.requireNoAccount(a.ID)
	_, err := e.s.GetAccountByNickname(e.ctx, e.pid, a.Nickname)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

func testAccountUpdateNicknameTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	a, _ := e.account()
	b, _ := e.account()

	taken := b
	taken.Nickname = a.Nickname
	taken.Name = "Should not stick"
	taken.Version++
	ev := e.event("account.update")
	require.ErrorIs(t, e.s.UpdateAccount(e.ctx, taken, ev), tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)
	requireAccount(t, a, e.getAccount(a.ID))
	requireAccount(t, b, e.getAccount(b.ID))
	got, err := e.s.GetAccountByNickname(e.ctx, e.pid, a.Nickname)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)

	// The failed update used no version: the same one works.
	e.updateAccount(b, func(b *tenancy.Account) { b.Name = "Fine" })
}

func testAccountDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, primary := e.account(func(a *tenancy.Account) { a.Tags = []string{"doomed", "shared"} })
	keep, keepOwner := e.account(func(a *tenancy.Account) { a.Tags = []string{"shared"} })

	both := e.user()                                                              // member of both accounts: stays
	staff := e.user(func(u *tenancy.User) { u.Role = tenancy.RoleOperator })      // platform role: stays
	disabled := e.user(func(u *tenancy.User) { u.Status = tenancy.UserDisabled }) // only here: deleted
	outsider := e.user()                                                          // member of keep only
	e.addMember(newMember(acc, both, false, tenancy.PermLeads))
	e.addMember(newMember(keep, both, false))
	e.addMember(newMember(acc, staff, false, tenancy.PermTeam))
	e.addMember(newMember(acc, disabled, false))
	e.addMember(newMember(keep, outsider, false))
	primaryTok := e.token(primary, tenancy.TokenResetPassword)
	disabledTok := e.token(disabled, tenancy.TokenSetPassword)
	outsiderTok := e.token(outsider, tenancy.TokenResetPassword)
	keepMembers := e.members(keep.ID)

	now := at(48*time.Hour + 13*time.Microsecond)
	ev := e.event("account.delete")
	ev.AccountID = acc.ID
	res, err := e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{PlatformID: e.pid, AccountID: acc.ID, Now: now, Event: ev})
	require.NoError(t, err)
	e.requireEvent(ev)
	requireAccount(t, acc, res.Account)
	require.ElementsMatch(t, []string{primary.ID, disabled.ID}, res.DeletedUserIDs)

	// The account, its nickname, UID, tags and members are gone.
	e.requireNoAccount(acc.ID)
	_, err = e.s.GetAccountByNickname(e.ctx, e.pid, acc.Nickname)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	_, err = e.s.GetAccountByUID(e.ctx, e.pid, acc.UID)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	require.Empty(t, e.listAccounts(tenancy.AccountQuery{Tag: "doomed", IncludeLocked: true}))
	require.Equal(t, []string{keep.ID}, accountIDs(e.listAccounts(tenancy.AccountQuery{Tag: "shared", IncludeLocked: true})))
	e.requireNoMembers(e.pid, acc.ID)
	require.Empty(t, e.walkUsers(tenancy.UserQuery{PlatformID: e.pid, AccountID: acc.ID,
		Statuses: []tenancy.UserStatus{tenancy.UserActive, tenancy.UserDisabled, tenancy.UserDeleted}}, listAll))

	// Users with no other place become deleted: name cleared, UpdatedAt
	// now, email and password hash kept, version moved.
	for _, u := range []tenancy.User{primary, disabled} {
		got := e.getUser(u.ID)
		require.Greater(t, got.Version, u.Version, "a deleted user's version increases")
		want := u
		want.Status, want.Name, want.UpdatedAt, want.Version = tenancy.UserDeleted, "", now, got.Version
		requireUser(t, want, got)
		e.requireNoMemberships(e.pid, u.ID)
		byEmail, err := e.s.GetUserByEmail(e.ctx, e.pid, u.Email)
		require.NoError(t, err)
		requireUser(t, want, byEmail)
	}
	e.requireTokenGone(primaryTok.Hash)
	e.requireTokenGone(disabledTok.Hash)

	// Everybody else is untouched.
	requireUser(t, both, e.getUser(both.ID))
	requireUser(t, staff, e.getUser(staff.ID))
	requireUser(t, outsider, e.getUser(outsider.ID))
	requireUser(t, keepOwner, e.getUser(keepOwner.ID))
	requireAccount(t, keep, e.getAccount(keep.ID))
	requireMembers(t, keepMembers, e.members(keep.ID))
	ms := e.memberships(both.ID)
	require.Len(t, ms, 1)
	require.Equal(t, keep.ID, ms[0].Account.ID)
	e.requireNoMemberships(e.pid, staff.ID)
	e.requireTokenWorks(outsiderTok.Hash)

	// The nickname and the deleted users' emails can be taken again.
	again, _ := e.account(func(a *tenancy.Account) { a.Nickname = acc.Nickname })
	got, err := e.s.GetAccountByNickname(e.ctx, e.pid, acc.Nickname)
	require.NoError(t, err)
	require.Equal(t, again.ID, got.ID)
	fresh := e.user(func(u *tenancy.User) { u.Email = primary.Email })
	byEmail, err := e.s.GetUserByEmail(e.ctx, e.pid, primary.Email)
	require.NoError(t, err)
	requireUser(t, fresh, byEmail)

	// Deleting again is ErrNotFound and records nothing.
	ev2 := e.event("account.delete")
	_, err = e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{PlatformID: e.pid, AccountID: acc.ID, Now: now, Event: ev2})
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoEvent(ev2.ID)
}

func testAccountDeleteNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	a, u := e.account()
	ev := e.event("account.delete")
	_, err := e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{PlatformID: e.pid, AccountID: newID(), Now: at(time.Hour), Event: ev})
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoEvent(ev.ID)
	requireAccount(t, a, e.getAccount(a.ID))
	requireUser(t, u, e.getUser(u.ID))
}
