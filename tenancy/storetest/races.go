package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// raceAccounts builds racers account requests, each with a new primary
// user, a token and events; same changes each before it is built.
func raceAccounts(e *env, same func(a *tenancy.Account, u *tenancy.User)) []tenancy.NewAccount {
	reqs := make([]tenancy.NewAccount, racers)
	for i := range reqs {
		u := e.newUser()
		a := e.newAccount(u)
		same(&a, &u)
		a.Email = u.Email
		req := e.newAccountRequest(a, u)
		tok := newToken(u, tenancy.TokenSetPassword)
		req.Token = &tok
		reqs[i] = req
	}
	return reqs
}

// requireOnlyWinner checks that the winner's account, user, token and
// events were written and nothing of the losers'.
func requireOnlyWinner(t *testing.T, e *env, reqs []tenancy.NewAccount, winner int) {
	t.Helper()
	for i, req := range reqs {
		if i == winner {
			requireAccount(t, req.Account, e.getAccount(req.Account.ID))
			requireUser(t, *req.NewUser, e.getUser(req.NewUser.ID))
			requireMembers(t, req.Members, e.members(req.Account.ID))
			e.requireEvent(req.Events...)
			continue
		}
		e.requireNoAccount(req.Account.ID)
		e.requireNoUser(req.NewUser.ID)
		e.requireNoMembers(e.pid, req.Account.ID)
		e.requireNoEvent(req.Events[0].ID, req.Events[1].ID)
	}
	for i, req := range reqs { // tokens last: using the winner's changes its user
		if i == winner {
			e.requireTokenWorks(req.Token.Hash)
		} else {
			e.requireTokenGone(req.Token.Hash)
		}
	}
}

func testRaceCreateAccountNickname(t *testing.T, h Harness) {
	e := setup(t, h)
	reqs := raceAccounts(e, func(a *tenancy.Account, _ *tenancy.User) { a.Nickname = "contested" })
	errs := conformance.Race(racers, func(i int) error { return e.s.CreateAccount(e.ctx, reqs[i]) })
	winner := conformance.OneWinner(t, errs, tenancy.ErrConflict)

	got, err := e.s.GetAccountByNickname(e.ctx, e.pid, "contested")
	require.NoError(t, err)
	require.Equal(t, reqs[winner].Account.ID, got.ID)
	requireOnlyWinner(t, e, reqs, winner)
}

func testRaceCreateAccountEmail(t *testing.T, h Harness) {
	e := setup(t, h)
	reqs := raceAccounts(e, func(_ *tenancy.Account, u *tenancy.User) { u.Email = "contested@example.com" })
	errs := conformance.Race(racers, func(i int) error { return e.s.CreateAccount(e.ctx, reqs[i]) })
	winner := conformance.OneWinner(t, errs, tenancy.ErrConflict)

	got, err := e.s.GetUserByEmail(e.ctx, e.pid, "contested@example.com")
	require.NoError(t, err)
	require.Equal(t, reqs[winner].NewUser.ID, got.ID)
	requireOnlyWinner(t, e, reqs, winner)
}

func testRaceInsertUserEmail(t *testing.T, h Harness) {
	e := setup(t, h)
	users := make([]tenancy.User, racers)
	events := make([]audit.Event, racers)
	for i := range users {
		users[i] = e.newUser()
		users[i].Email = "contested@example.com"
		events[i] = e.event("user.create")
	}
	errs := conformance.Race(racers, func(i int) error { return e.s.InsertUser(e.ctx, users[i], events[i]) })
	winner := conformance.OneWinner(t, errs, tenancy.ErrConflict)

	got, err := e.s.GetUserByEmail(e.ctx, e.pid, "contested@example.com")
	require.NoError(t, err)
	requireUser(t, users[winner], got)
	for i, u := range users {
		if i == winner {
			e.requireEvent(events[i])
			continue
		}
		e.requireNoUser(u.ID)
		e.requireNoEvent(events[i].ID)
	}
}

func testRaceUseToken(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	tok := e.token(u, tenancy.TokenResetPassword)
	reqs := make([]tenancy.UseToken, racers)
	for i := range reqs {
		reqs[i] = e.useToken(tok.Hash)
		reqs[i].PasswordHash = fakePasswordHash(fmt.Sprintf("racer-%02d", i))
		reqs[i].Now = reqs[i].Now.Add(time.Duration(i) * time.Microsecond)
	}
	results := make([]tenancy.User, racers)
	errs := conformance.Race(racers, func(i int) error {
		var err error
		results[i], err = e.s.UseToken(e.ctx, reqs[i])
		return err
	})
	winner := conformance.OneWinner(t, errs, tenancy.ErrNotFound)

	want := u
	want.PasswordHash, want.Version, want.UpdatedAt = reqs[winner].PasswordHash, u.Version+1, reqs[winner].Now
	requireUser(t, want, results[winner])
	requireUser(t, want, e.getUser(u.ID))
	for i, r := range reqs {
		if i == winner {
			ev := r.Event
			ev.ActorID, ev.TargetID = actor, u.ID
			e.requireEvent(ev)
			continue
		}
		e.requireNoEvent(r.Event.ID)
	}
	e.requireTokenGone(tok.Hash)
}

func testRaceUpdateAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, _ := e.account()
	updates := make([]tenancy.Account, racers)
	events := make([]audit.Event, racers)
	for i := range updates {
		a := acc
		a.Name = fmt.Sprintf("Racer %02d", i)
		a.Tags = []string{fmt.Sprintf("racer-%02d", i)}
		a.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		a.Version = acc.Version + 1
		updates[i] = a
		events[i] = e.event("account.update")
	}
	errs := conformance.Race(racers, func(i int) error { return e.s.UpdateAccount(e.ctx, updates[i], events[i]) })
	winner := conformance.OneWinner(t, errs, tenancy.ErrStale)

	requireAccount(t, updates[winner], e.getAccount(acc.ID))
	e.events().RequireOnly(winner, events...)
}

func testRaceUpdateUser(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	updates := make([]tenancy.User, racers)
	events := make([]audit.Event, racers)
	for i := range updates {
		v := u
		v.Name = fmt.Sprintf("Racer %02d", i)
		v.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		v.Version = u.Version + 1
		updates[i] = v
		events[i] = e.event("user.update")
	}
	errs := conformance.Race(racers, func(i int) error { return e.s.UpdateUser(e.ctx, updates[i], events[i]) })
	winner := conformance.OneWinner(t, errs, tenancy.ErrStale)

	requireUser(t, updates[winner], e.getUser(u.ID))
	e.events().RequireOnly(winner, events...)
}
