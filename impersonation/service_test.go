package impersonation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/secret"
)

var client = impersonation.StartParams{PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient}

func TestStart(t *testing.T) {
	f := newFixture(t, nil)
	p := client
	p.Reason, p.Ticket = "help with the widget", "T-7"
	st := f.startAs(t, "operator", p)

	hash, err := secret.Hash(st.Token)
	require.NoError(t, err, "a 256-bit token in the secret package's form")
	s := st.Session
	require.Equal(t, hash, s.TokenHash)
	require.Equal(t, "operator", s.ActorID)
	require.Equal(t, "client", s.SubjectID)
	require.Equal(t, "customer@example.com", s.SubjectEmail)
	require.Equal(t, "Acme", s.AccountName)
	require.Equal(t, start, s.StartedAt)
	require.Equal(t, start.Add(time.Hour), s.ExpiresAt, "one hour by default")

	stored, err := f.store.GetByToken(t.Context(), pid, hash)
	require.NoError(t, err)
	require.Equal(t, s, stored)

	evs := f.events(t)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, "impersonation.start", ev.Action)
	require.Equal(t, "operator", ev.ActorID)
	require.Equal(t, "client", ev.OnBehalfOfID)
	require.Equal(t, "acc", ev.AccountID)
	require.Equal(t, "help with the widget (ticket T-7)", ev.Reason)

	t.Run("Staff", func(t *testing.T) {
		st := f.startAs(t, "admin", impersonation.StartParams{Mode: impersonation.AsStaff, UserID: "member"})
		require.Equal(t, "member", st.Session.SubjectID)
		require.Equal(t, impersonation.AsStaff, st.Session.Mode)
	})
	t.Run("ShorterDuration", func(t *testing.T) {
		st := f.startAs(t, "admin", impersonation.StartParams{Duration: 10 * time.Minute})
		require.Equal(t, start.Add(10*time.Minute), st.Session.ExpiresAt)
		st = f.startAs(t, "admin", impersonation.StartParams{Duration: 5 * time.Hour})
		require.Equal(t, start.Add(time.Hour), st.Session.ExpiresAt, "never past the maximum")
	})
	t.Run("FreshTokens", func(t *testing.T) {
		a := f.startAs(t, "admin", impersonation.StartParams{})
		b := f.startAs(t, "admin", impersonation.StartParams{})
		require.NotEqual(t, a.Token, b.Token)
		require.NotEqual(t, a.Session.ID, b.Session.ID)
	})
}

func TestResolve(t *testing.T) {
	t.Run("Live", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "admin", client)
		f.clock.Advance(59 * time.Minute)
		got, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.NoError(t, err)
		require.Equal(t, st.Session, got)
		p := got.Principal()
		require.Equal(t, audit.Principal{PlatformID: pid, UserID: "client", ActorID: "admin", SessionID: got.ID}, p)
	})
	t.Run("Expired", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "admin", client)
		f.clock.Advance(time.Hour)
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrExpired)
		_, err = f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrEnded)
		require.Equal(t, []string{"impersonation.start", "impersonation.expire"}, f.actions(t))
		s, err := f.store.Get(t.Context(), pid, st.Session.ID)
		require.NoError(t, err)
		require.Equal(t, impersonation.EndExpired, s.EndReason)
	})
	t.Run("ActorDemoted", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "operator", client)
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.NoError(t, err)
		f.dir.updateUser(pid, "operator", func(u *impersonation.User) { u.Role = impersonation.RoleRegular })
		_, err = f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
		f.dir.updateUser(pid, "operator", func(u *impersonation.User) { u.Role = impersonation.RoleOperator })
		_, err = f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrEnded, "a refused session stays ended")
		evs := f.events(t)
		require.Equal(t, "impersonation.refuse", evs[len(evs)-1].Action)
		require.Contains(t, evs[len(evs)-1].Reason, "only active platform staff")
	})
	t.Run("ActorLosesSecureRole", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.updateAccount(pid, "acc", func(a *impersonation.Account) { a.Secure = true })
		st := f.startAs(t, "secure_operator", client)
		f.dir.updateUser(pid, "secure_operator", func(u *impersonation.User) { u.Role = impersonation.RoleOperator })
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrSecureAccount)
	})
	t.Run("SubjectPromoted", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "operator", client)
		f.dir.updateUser(pid, "client", func(u *impersonation.User) { u.Role = impersonation.RoleAdmin })
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrTargetStaff)
	})
	t.Run("PrimaryUserChanged", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "operator", client)
		f.dir.updateAccount(pid, "acc", func(a *impersonation.Account) { a.PrimaryUserID = "member" })
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrNotMember)
	})
	t.Run("AccountLocked", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "operator", client)
		f.dir.updateAccount(pid, "acc", func(a *impersonation.Account) { a.Locked = true })
		_, err := f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrAccountLocked)
	})
	t.Run("BadTokens", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "operator", client)
		for _, tok := range []string{"", "x", st.Session.TokenHash, st.Token + "A", st.Token[1:]} {
			_, err := f.svc.Resolve(t.Context(), pid, tok)
			require.ErrorIs(t, err, impersonation.ErrNotFound, tok)
		}
		_, err := f.svc.Resolve(t.Context(), "p2", st.Token)
		require.ErrorIs(t, err, impersonation.ErrNotFound, "another platform's session")
	})
}

func TestExit(t *testing.T) {
	f := newFixture(t, nil)
	st := f.startAs(t, "admin", client)
	f.clock.Advance(time.Minute)
	ended, err := f.svc.Exit(t.Context(), pid, st.Token)
	require.NoError(t, err)
	require.Equal(t, impersonation.EndExit, ended.EndReason)
	require.Equal(t, start.Add(time.Minute), ended.EndedAt)
	_, err = f.svc.Resolve(t.Context(), pid, st.Token)
	require.ErrorIs(t, err, impersonation.ErrEnded)
	_, err = f.svc.Exit(t.Context(), pid, st.Token)
	require.ErrorIs(t, err, impersonation.ErrEnded)
	require.Equal(t, []string{"impersonation.start", "impersonation.exit"}, f.actions(t))

	t.Run("Expired", func(t *testing.T) {
		st := f.startAs(t, "admin", client)
		f.clock.Advance(2 * time.Hour)
		_, err := f.svc.Exit(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrExpired)
	})
	t.Run("ActorDisabled", func(t *testing.T) {
		st := f.startAs(t, "admin", client)
		f.dir.updateUser(pid, "admin", func(u *impersonation.User) { u.Active = false })
		defer f.dir.updateUser(pid, "admin", func(u *impersonation.User) { u.Active = true })
		_, err := f.svc.Exit(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff, "no session handed back to a disabled actor")
		_, err = f.svc.Resolve(t.Context(), pid, st.Token)
		require.ErrorIs(t, err, impersonation.ErrEnded)
	})
}

func TestEndAccountAndUser(t *testing.T) {
	f := newFixture(t, nil)
	f.dir.putAccount(pid, impersonation.Account{ID: "acc2", Name: "Other", PrimaryUserID: "member"})
	a := f.startAs(t, "admin", client)
	b := f.startAs(t, "operator", impersonation.StartParams{Mode: impersonation.AsStaff, UserID: "member"})
	c := f.startAs(t, "operator", impersonation.StartParams{AccountID: "acc2"})

	_, err := f.svc.EndAccount(t.Context(), pid, "acc")
	require.ErrorIs(t, err, impersonation.ErrForbidden, "no principal")
	_, err = f.svc.EndAccount(as("member"), pid, "acc")
	require.ErrorIs(t, err, impersonation.ErrActorNotStaff, "a customer does not end support's sessions")
	_, err = f.svc.EndUser(as("client"), pid, "admin")
	require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
	ended, err := f.svc.EndAccount(as("owner"), pid, "acc")
	require.NoError(t, err)
	require.ElementsMatch(t, []string{a.Session.ID, b.Session.ID}, []string{ended[0].ID, ended[1].ID})
	for _, s := range []impersonation.Started{a, b} {
		_, err := f.svc.Resolve(t.Context(), pid, s.Token)
		require.ErrorIs(t, err, impersonation.ErrEnded)
	}
	_, err = f.svc.Resolve(t.Context(), pid, c.Token)
	require.NoError(t, err, "another account's session lives on")

	ended, err = f.svc.EndUser(systemCtx(), pid, "member")
	require.NoError(t, err)
	require.Len(t, ended, 1)
	require.Equal(t, c.Session.ID, ended[0].ID)
	require.Equal(t, impersonation.EndUserClosed, ended[0].EndReason)

	var ends []audit.Event
	for _, e := range f.events(t) {
		if e.Action == "impersonation.end" {
			ends = append(ends, e)
		}
	}
	require.Len(t, ends, 3)
	require.Equal(t, "owner", ends[0].ActorID)
	require.Equal(t, "system:cron", ends[2].ActorID)
}

func TestSweep(t *testing.T) {
	f := newFixture(t, nil)
	a := f.startAs(t, "admin", client)
	f.clock.Advance(30 * time.Minute)
	b := f.startAs(t, "admin", client)
	f.clock.Advance(31 * time.Minute)
	n, err := f.svc.Sweep(systemCtx(), pid, 0)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	s, err := f.store.Get(t.Context(), pid, a.Session.ID)
	require.NoError(t, err)
	require.Equal(t, impersonation.EndExpired, s.EndReason)
	_, err = f.svc.Resolve(t.Context(), pid, b.Token)
	require.NoError(t, err)
	live, err := f.svc.Sessions(t.Context(), impersonation.Query{PlatformID: pid, ActiveAt: f.clock.Now()})
	require.NoError(t, err)
	require.Len(t, live, 1)
	require.Equal(t, b.Session.ID, live[0].ID)
}

func TestRevoke(t *testing.T) {
	f := newFixture(t, nil)
	st := f.startAs(t, "operator", client)
	_, err := f.svc.Revoke(as("member"), pid, st.Session.ID)
	require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
	ended, err := f.svc.Revoke(as("owner"), pid, st.Session.ID)
	require.NoError(t, err)
	require.Equal(t, impersonation.EndRevoked, ended.EndReason)
	_, err = f.svc.Revoke(as("owner"), pid, st.Session.ID)
	require.ErrorIs(t, err, impersonation.ErrEnded)
}

func TestGuard(t *testing.T) {
	f := newFixture(t, nil)
	require.NoError(t, f.svc.Guard(as("client"), impersonation.ActionChangePassword), "outside a session")

	st := f.startAs(t, "admin", client)
	ctx := impersonation.WithSession(t.Context(), st.Session)
	for _, action := range impersonation.DefaultRefusedActions {
		err := f.svc.Guard(ctx, action)
		require.ErrorIs(t, err, impersonation.ErrActionRefused, action)
		require.ErrorIs(t, err, impersonation.ErrForbidden, action)
	}
	require.NoError(t, f.svc.Guard(ctx, "bot.update"))

	ro := f.startAs(t, "admin", impersonation.StartParams{ReadOnly: true})
	// The principal alone (no Session in the context) is enough.
	pctx := audit.WithPrincipal(t.Context(), ro.Session.Principal())
	require.ErrorIs(t, f.svc.Guard(pctx, "bot.update"), impersonation.ErrReadOnly)

	var refused int
	for _, e := range f.events(t) {
		if e.Action == "impersonation.refuse_action" {
			refused++
			require.Equal(t, "admin", e.ActorID)
			require.Equal(t, "client", e.OnBehalfOfID)
		}
	}
	require.Equal(t, len(impersonation.DefaultRefusedActions)+1, refused)

	t.Run("ConfigReadOnly", func(t *testing.T) {
		f := newFixture(t, &impersonation.Config{ReadOnly: true})
		st := f.startAs(t, "admin", client)
		require.True(t, st.Session.ReadOnly)
	})
}
