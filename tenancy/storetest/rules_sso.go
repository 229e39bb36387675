package storetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

var ssoKey = bytes.Repeat([]byte{0x42}, 32)

func testSSO(t *testing.T, h Harness) {
	p := newPlatform(t, h, &tenancy.Config{SecretKey: ssoKey})
	ctx := context.Background()
	_, err := p.svc.SSOSecret(p.as(p.oper), p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "no secret yet")
	_, err = p.svc.RotateSSOSecret(p.as(p.customer), p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	secret, err := p.svc.RotateSSOSecret(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	require.Len(t, secret, 32)
	shown, err := p.svc.SSOSecret(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, secret, shown)

	link := func(l tenancy.SSOLink) string {
		l.AccountUID = p.acc.UID
		if l.Expires.IsZero() {
			l.Expires = p.clock.Now().Add(5 * time.Minute)
		}
		return tenancy.SignSSOLink(secret, l)
	}
	tok := link(tenancy.SSOLink{})
	login, err := p.svc.VerifySSOLink(ctx, p.id, tok)
	require.NoError(t, err)
	assert.Equal(t, p.customer.ID, login.User.ID, "the primary admin by default")
	require.Len(t, login.Accounts, 1)
	_, err = p.svc.VerifySSOLink(ctx, p.id, tok)
	require.ErrorIs(t, err, tenancy.ErrConflict, "a link works once")

	member := p.user(tenancy.RoleNone)
	_, err = p.svc.AddMember(p.as(p.customer), tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: member.ID})
	require.NoError(t, err)
	login, err = p.svc.VerifySSOLink(ctx, p.id, link(tenancy.SSOLink{Email: strings.ToUpper(member.Email)}))
	require.NoError(t, err)
	assert.Equal(t, member.ID, login.User.ID)

	refused := map[string]struct {
		token string
		want  error
	}{
		"not a member":  {link(tenancy.SSOLink{Email: p.owner.Email}), tenancy.ErrInvalidCredentials},
		"expired":       {link(tenancy.SSOLink{Expires: p.clock.Now()}), tenancy.ErrExpired},
		"too far ahead": {link(tenancy.SSOLink{Expires: p.clock.Now().Add(time.Hour)}), tenancy.ErrExpired},
		"tampered":      {strings.Replace(link(tenancy.SSOLink{}), ".v1", ".v2", 1) + "x", tenancy.ErrInvalidCredentials},
		"garbage":       {"v1.x.y.z", tenancy.ErrInvalidCredentials},
		"wrong secret": {tenancy.SignSSOLink(bytes.Repeat([]byte{1}, 32),
			tenancy.SSOLink{AccountUID: p.acc.UID, Expires: p.clock.Now().Add(time.Minute)}), tenancy.ErrInvalidCredentials},
	}
	for name, tc := range refused {
		_, err := p.svc.VerifySSOLink(ctx, p.id, tc.token)
		require.ErrorIs(t, err, tc.want, name)
	}
	// Rotation kills links signed with the old secret.
	old := link(tenancy.SSOLink{})
	_, err = p.svc.RotateSSOSecret(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.svc.VerifySSOLink(ctx, p.id, old)
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	// A locked account is refused with its reason.
	secret, _ = p.svc.SSOSecret(p.as(p.oper), p.id, p.acc.ID)
	_, err = p.svc.LockAccount(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.svc.VerifySSOLink(ctx, p.id, link(tenancy.SSOLink{}))
	require.ErrorIs(t, err, tenancy.ErrAccountLocked)
	// Another platform does not know the account.
	q := newPlatform(t, h, &tenancy.Config{SecretKey: ssoKey})
	_, err = q.svc.VerifySSOLink(ctx, q.id, link(tenancy.SSOLink{}))
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	// Without a key, SSO is refused rather than stored in clear.
	r := newPlatform(t, h, nil)
	_, err = r.svc.RotateSSOSecret(r.as(r.oper), r.id, r.acc.ID)
	require.Error(t, err)
}
