package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

func testTokenUse(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	bystander := e.user()

	tok := newToken(u, tenancy.TokenResetPassword)
	ev := e.event("user.password_reset_requested")
	require.NoError(t, e.s.InsertToken(e.ctx, tok, ev))
	e.requireEvent(ev)

	// The event leaves ActorID and TargetID to the store.
	r := e.useToken(tok.Hash, tenancy.TokenResetPassword)
	r.Now = tok.ExpiresAt.Add(-time.Microsecond) // the last instant it works
	r.Event.ActorID, r.Event.TargetType, r.Event.TargetID = "", "user", ""
	got, err := e.s.UseToken(e.ctx, r)
	require.NoError(t, err)
	want := u
	want.PasswordHash, want.Version, want.UpdatedAt = r.PasswordHash, u.Version+1, r.Now
	requireUser(t, want, got)
	requireUser(t, want, e.getUser(u.ID))
	wantEv := r.Event
	wantEv.ActorID, wantEv.TargetID = u.ID, u.ID
	e.requireEvent(wantEv)
	requireUser(t, bystander, e.getUser(bystander.ID))

	// A used token is gone.
	e.requireTokenGone(tok.Hash)

	// An actor set by the caller stays; the target is still filled.
	set := e.token(u, tenancy.TokenSetPassword)
	r = e.useToken(set.Hash, tenancy.TokenResetPassword, tenancy.TokenSetPassword)
	r.Event.ActorID, r.Event.TargetID = actor, ""
	got, err = e.s.UseToken(e.ctx, r)
	require.NoError(t, err)
	require.Equal(t, want.Version+1, got.Version)
	require.Equal(t, r.PasswordHash, got.PasswordHash)
	wantEv = r.Event
	wantEv.TargetID = u.ID
	e.requireEvent(wantEv)
	e.requireTokenGone(set.Hash)
}

func testTokenReplaced(t *testing.T, h Harness) {
	e := setup(t, h)
	u, other := e.user(), e.user()
	setTok := e.token(u, tenancy.TokenSetPassword)
	otherTok := e.token(other, tenancy.TokenResetPassword)
	first := e.token(u, tenancy.TokenResetPassword)
	second := e.token(u, tenancy.TokenResetPassword) // replaces first only

	e.requireTokenGone(first.Hash)
	e.requireTokenWorks(second.Hash)
	e.requireTokenWorks(setTok.Hash)
	e.requireTokenWorks(otherTok.Hash)
}

func testTokenWrongPurpose(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	tok := e.token(u, tenancy.TokenSetPassword)

	r := e.useToken(tok.Hash, tenancy.TokenResetPassword)
	_, err := e.s.UseToken(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "wrong purpose")
	e.requireNoEvent(r.Event.ID)
	requireUser(t, u, e.getUser(u.ID))

	r = e.useToken(newHash())
	_, err = e.s.UseToken(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "unknown hash")
	e.requireNoEvent(r.Event.ID)
	requireUser(t, u, e.getUser(u.ID))

	// The token asked with the wrong purpose is still there.
	got := e.requireTokenWorks(tok.Hash)
	require.Equal(t, u.Version+1, got.Version)
}

func testTokenExpired(t *testing.T, h Harness) {
	e := setup(t, h)
	u := e.user()
	tok := e.token(u, tenancy.TokenResetPassword)

	r := e.useToken(tok.Hash)
	r.Now = tok.ExpiresAt.Add(time.Microsecond)
	_, err := e.s.UseToken(e.ctx, r)
	require.ErrorIs(t, err, tenancy.ErrExpired)
	e.requireNoEvent(r.Event.ID)
	requireUser(t, u, e.getUser(u.ID))

	// The expired token was deleted: even before its expiry it is unknown.
	e.requireTokenGone(tok.Hash)
	requireUser(t, u, e.getUser(u.ID))
}
