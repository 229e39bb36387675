package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// testPlatformIsolation calls every method with another platform's ID on
// platform A's records: each is ErrNotFound or finds nothing, and A's
// records stay as they were.
func testPlatformIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	acc, owner := a.account()
	mate := a.user()
	a.addMember(newMember(acc, mate, false, tenancy.PermTeam))
	loner := a.user() // no membership yet
	tok := a.token(owner, tenancy.TokenResetPassword)
	accMembers := a.members(acc.ID)

	b := a.other()
	b.account() // B is not empty
	// Reach for A's records from another platform, and from none.
	conformance.OtherPlatforms(t, b.pid, newID(), func(t *testing.T, pid string) {
		ctx := a.ctx
		s := a.s
		var evs []string
		ev := eventsKept(pid, &evs)
		notFound := notFoundCheck(t)

		_, err := s.GetUser(ctx, pid, owner.ID)
		notFound(err, "GetUser")
		_, err = s.GetUserByEmail(ctx, pid, owner.Email)
		notFound(err, "GetUserByEmail")
		u := owner
		u.PlatformID, u.Name, u.Version = pid, "Hijacked", owner.Version+1
		notFound(s.UpdateUser(ctx, u, ev("user.update")), "UpdateUser")
		for _, q := range []tenancy.UserQuery{
			{}, {AccountID: acc.ID}, {Search: owner.Email},
			{Statuses: []tenancy.UserStatus{tenancy.UserActive, tenancy.UserDisabled, tenancy.UserDeleted}},
		} {
			q.PlatformID, q.Limit = pid, listAll
			got, err := s.ListUsers(ctx, q)
			require.NoError(t, err, "ListUsers")
			for _, u := range got {
				require.NotEqual(t, a.pid, u.PlatformID, "ListUsers %+v", q)
				require.NotContains(t, []string{owner.ID, mate.ID, loner.ID}, u.ID, "ListUsers %+v", q)
			}
		}

		_, err = s.GetAccount(ctx, pid, acc.ID)
		notFound(err, "GetAccount")
		_, err = s.GetAccountByNickname(ctx, pid, acc.Nickname)
		notFound(err, "GetAccountByNickname")
		_, err = s.GetAccountByUID(ctx, pid, acc.UID)
		notFound(err, "GetAccountByUID")
		ac := acc
		ac.PlatformID, ac.Name, ac.Version = pid, "Hijacked", acc.Version+1
		notFound(s.UpdateAccount(ctx, ac, ev("account.update")), "UpdateAccount")
		_, err = s.DeleteAccount(ctx, tenancy.DeleteAccount{PlatformID: pid, AccountID: acc.ID, Now: at(time.Hour), Event: ev("account.delete")})
		notFound(err, "DeleteAccount")
		for _, q := range []tenancy.AccountQuery{
			{IncludeLocked: true}, {IncludeLocked: true, Search: acc.Nickname}, {IncludeLocked: true, Tag: acc.Tags[0]},
			{IncludeLocked: true, Sort: tenancy.SortName},
		} {
			q.PlatformID, q.Limit = pid, listAll
			if q.Sort == "" {
				q.Sort = tenancy.SortNewest
			}
			got, err := s.ListAccounts(ctx, q)
			require.NoError(t, err, "ListAccounts")
			for _, x := range got {
				require.NotEqual(t, acc.ID, x.ID, "ListAccounts %+v", q)
			}
		}

		m := newMember(acc, loner, false)
		m.PlatformID = pid
		notFound(s.InsertMember(ctx, tenancy.NewMember{Member: m, Event: ev("member.add")}), "InsertMember")
		notFound(s.DeleteMember(ctx, tenancy.RemoveMember{PlatformID: pid, AccountID: acc.ID, UserID: mate.ID, Event: ev("member.remove")}), "DeleteMember")
		a.requireNoMembers(pid, acc.ID)
		a.requireNoMemberships(pid, owner.ID)
		a.requireNoMemberships(pid, mate.ID)

		foreign := newToken(loner, tenancy.TokenSetPassword)
		foreign.PlatformID = pid
		notFound(s.InsertToken(ctx, foreign, ev("user.token")), "InsertToken for another platform's user")
		r := a.useToken(tok.Hash)
		r.PlatformID, r.Event.PlatformID = pid, pid
		evs = append(evs, r.Event.ID)
		_, err = s.UseToken(ctx, r)
		notFound(err, "UseToken")

		a.requireNoEventOn(pid, evs...)
		a.requireNoEvent(evs...)
	})

	// A is untouched.
	requireUser(t, owner, a.getUser(owner.ID))
	requireUser(t, mate, a.getUser(mate.ID))
	requireUser(t, loner, a.getUser(loner.ID))
	requireAccount(t, acc, a.getAccount(acc.ID))
	requireMembers(t, accMembers, a.members(acc.ID))
	a.requireNoMemberships(a.pid, loner.ID)
	a.requireTokenWorks(tok.Hash)
}

// testPlatformSameIDs stores on platform B records with the very IDs,
// emails, nickname, UID and token hash of platform A's: keys are per
// platform, and changing B's records leaves A's alone.
func testPlatformSameIDs(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	accA, ownerA := a.account()
	mateA := a.user()
	a.addMember(newMember(accA, mateA, false, tenancy.PermLeads))
	tokA := a.token(mateA, tenancy.TokenResetPassword)

	ownerB := ownerA
	ownerB.PlatformID, ownerB.Name = b.pid, "Owner on B"
	accB := accA
	accB.PlatformID, accB.Name, accB.Tags = b.pid, "Account on B", []string{"b-only"}
	reqB := b.newAccountRequest(accB, ownerB)
	require.NoError(t, b.s.CreateAccount(b.ctx, reqB), "same account ID, UID, nickname and user on another platform")
	mateB := mateA
	mateB.PlatformID = b.pid
	b.insertUser(mateB)
	b.addMember(newMember(accB, mateB, false))
	tokB := tokA
	tokB.PlatformID = b.pid
	require.NoError(t, b.s.InsertToken(b.ctx, tokB, b.event("user.token")), "same token hash on another platform")

	requireAccount(t, accB, b.getAccount(accA.ID))
	got, err := b.s.GetAccountByNickname(b.ctx, b.pid, accA.Nickname)
	require.NoError(t, err)
	requireAccount(t, accB, got)
	got, err = b.s.GetAccountByUID(b.ctx, b.pid, accA.UID)
	require.NoError(t, err)
	requireAccount(t, accB, got)
	byEmail, err := b.s.GetUserByEmail(b.ctx, b.pid, ownerA.Email)
	require.NoError(t, err)
	requireUser(t, ownerB, byEmail)

	// Changing B's records leaves A's alone.
	b.updateUser(ownerB, func(u *tenancy.User) { u.Name = "Renamed on B" })
	b.updateAccount(accB, func(x *tenancy.Account) { x.Name, x.Tags = "Renamed on B", []string{"b-two"} })
	spent := b.requireTokenWorks(tokA.Hash)
	require.Equal(t, b.pid, spent.PlatformID)
	require.NoError(t, b.s.DeleteMember(b.ctx, tenancy.RemoveMember{PlatformID: b.pid, AccountID: accA.ID, UserID: mateA.ID, Event: b.event("member.remove")}))

	requireUser(t, ownerA, a.getUser(ownerA.ID))
	requireUser(t, mateA, a.getUser(mateA.ID))
	requireAccount(t, accA, a.getAccount(accA.ID))
	require.Len(t, a.members(accA.ID), 2)
	require.Equal(t, []string{accA.ID}, accountIDs(a.listAccounts(tenancy.AccountQuery{Tag: accA.Tags[0], IncludeLocked: true})))

	res, err := b.s.DeleteAccount(b.ctx, tenancy.DeleteAccount{PlatformID: b.pid, AccountID: accA.ID, Now: at(time.Hour), Event: b.event("account.delete")})
	require.NoError(t, err)
	require.Equal(t, []string{ownerA.ID}, res.DeletedUserIDs, "B's mate left B's account before")
	requireAccount(t, accA, a.getAccount(accA.ID))
	requireUser(t, ownerA, a.getUser(ownerA.ID))
	requireUser(t, mateA, a.getUser(mateA.ID))
	require.Len(t, a.members(accA.ID), 2)
	a.requireTokenWorks(tokA.Hash)
}

// eventsKept returns a builder of events of platform pid that appends the
// ID of each event it builds to ids, for checking afterwards that none was
// recorded.
func eventsKept(pid string, ids *[]string) func(action string) audit.Event {
	return func(action string) audit.Event {
		e := eventOn(pid, action)
		*ids = append(*ids, e.ID)
		return e
	}
}

// notFoundCheck returns a check that err, of the call named what, is
// tenancy.ErrNotFound.
func notFoundCheck(t *testing.T) func(err error, what string) {
	return func(err error, what string) {
		t.Helper()
		require.ErrorIs(t, err, tenancy.ErrNotFound, what)
	}
}
