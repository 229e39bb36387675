package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

func (p *platform) login(email, password, accountID string) (tenancy.Login, error) {
	return p.svc.Authenticate(context.Background(), tenancy.AuthenticateParams{PlatformID: p.id, Email: email, Password: password, AccountID: accountID})
}

func testAuthenticate(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	l, err := p.login("  "+p.customer.Email+" ", testPassword, "")
	require.NoError(t, err)
	assert.Equal(t, p.customer.ID, l.User.ID)
	require.Len(t, l.Accounts, 1)
	assert.Equal(t, p.acc.ID, l.Accounts[0].ID)

	_, err = p.login(p.customer.Email, "wrong password!", "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	_, err = p.login("nobody@nowhere.example", testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	_, err = p.login("not an email", testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	// Another platform's user does not exist here.
	q := newPlatform(t, h, nil)
	_, err = q.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)

	// Staff log in to the platform itself.
	l, err = p.login(p.owner.Email, testPassword, "")
	require.NoError(t, err)
	assert.Empty(t, l.Accounts)
	// ...but not into an account they are no member of.
	_, err = p.login(p.owner.Email, testPassword, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)

	_, err = p.svc.DisableUser(p.as(p.owner), p.id, p.customer.ID)
	require.NoError(t, err)
	_, err = p.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrUserDisabled)
	_, err = p.login(p.customer.Email, "wrong password!", "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials, "no reason before the password is right")
}

func testAuthenticateAccountStates(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	test := p.account(tenancy.CreateAccountParams{TestUntil: rulesEpoch.Add(14 * 24 * time.Hour)})
	_, err := p.login(test.PrimaryAdmin.Email, testPassword, "")
	require.NoError(t, err)
	p.clock.Advance(14 * 24 * time.Hour)
	_, err = p.login(test.PrimaryAdmin.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrTestExpired)

	ctx := p.as(p.oper)
	_, err = p.svc.LockAccount(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrAccountLocked)
	_, err = p.svc.DisableAccount(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrAccountLocked, "locked is the stronger reason")
	_, err = p.svc.UnlockAccount(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrAccountDisabled)

	// A user in two accounts gets in through the usable one, and is refused
	// for the other when asking for it by ID.
	other := p.account(tenancy.CreateAccountParams{})
	_, err = p.svc.AddMember(p.as(p.owner), tenancy.AddMemberParams{PlatformID: p.id, AccountID: other.Account.ID, UserID: p.customer.ID, Permissions: []string{tenancy.PermLiveChat}})
	require.NoError(t, err)
	l, err := p.login(p.customer.Email, testPassword, "")
	require.NoError(t, err)
	require.Len(t, l.Accounts, 1)
	assert.Equal(t, other.Account.ID, l.Accounts[0].ID)
	_, err = p.login(p.customer.Email, testPassword, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrAccountDisabled)
}

func testAuthenticateDeletedAccount(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	gone := p.account(tenancy.CreateAccountParams{Nickname: "soon-gone"})
	res, err := p.svc.DeleteAccount(p.as(p.admin), p.id, gone.Account.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{gone.PrimaryAdmin.ID}, res.DeletedUserIDs)
	_, err = p.login(gone.PrimaryAdmin.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrAccountDeleted)
	_, err = p.login(gone.PrimaryAdmin.Email, "wrong password!", "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	_, err = p.svc.Account(p.sys, p.id, gone.Account.ID)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	p.mu.Lock()
	require.Len(t, p.deleted, 1, "the host is told")
	assert.Equal(t, gone.Account.ID, p.deleted[0].AccountID)
	p.mu.Unlock()
	// The nickname and the email are free again.
	again := p.account(tenancy.CreateAccountParams{Nickname: "soon-gone", Email: gone.PrimaryAdmin.Email})
	_, err = p.login(gone.PrimaryAdmin.Email, testPassword, "")
	require.NoError(t, err)
	assert.NotEqual(t, gone.PrimaryAdmin.ID, again.PrimaryAdmin.ID)
	// Operators may not delete accounts.
	_, err = p.svc.DeleteAccount(p.as(p.oper), p.id, again.Account.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
}

func testSetPasswordAtFirstLogin(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	c, err := p.svc.CreateAccount(p.as(p.oper), tenancy.CreateAccountParams{PlatformID: p.id, Name: "Self Set", Email: "self@set.example"})
	require.NoError(t, err)
	require.NotEmpty(t, c.SetPasswordToken)
	assert.False(t, c.PrimaryAdmin.HasPassword())
	// Without a password nobody logs in, whatever they type.
	_, err = p.login("self@set.example", "", "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)

	_, err = p.svc.UsePasswordToken(context.Background(), p.id, c.SetPasswordToken, "short")
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	u, err := p.svc.UsePasswordToken(context.Background(), p.id, c.SetPasswordToken, "my own long password")
	require.NoError(t, err)
	assert.Equal(t, c.PrimaryAdmin.ID, u.ID)
	_, err = p.login("self@set.example", "my own long password", "")
	require.NoError(t, err)
	_, err = p.svc.UsePasswordToken(context.Background(), p.id, c.SetPasswordToken, "another long password")
	require.ErrorIs(t, err, tenancy.ErrNotFound, "single use")
	_, err = p.svc.UsePasswordToken(context.Background(), p.id, "garbage", "another long password")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

func testPasswordReset(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := context.Background()
	none, err := p.svc.RequestPasswordReset(ctx, p.id, "nobody@reset.example")
	require.NoError(t, err)
	assert.Empty(t, none.Token)

	first, err := p.svc.RequestPasswordReset(ctx, p.id, p.customer.Email)
	require.NoError(t, err)
	require.NotEmpty(t, first.Token)
	second, err := p.svc.RequestPasswordReset(ctx, p.id, p.customer.Email)
	require.NoError(t, err)
	_, err = p.svc.UsePasswordToken(ctx, p.id, first.Token, "brand new password")
	require.ErrorIs(t, err, tenancy.ErrNotFound, "a newer link replaces the older")

	p.clock.Advance(tenancy.DefaultResetPasswordTTL)
	_, err = p.svc.UsePasswordToken(ctx, p.id, second.Token, "brand new password")
	require.ErrorIs(t, err, tenancy.ErrExpired)

	third, err := p.svc.IssuePasswordToken(p.as(p.oper), p.id, p.customer.ID, tenancy.TokenResetPassword)
	require.NoError(t, err)
	_, err = p.svc.UsePasswordToken(ctx, p.id, third.Token, "brand new password")
	require.NoError(t, err)
	_, err = p.login(p.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	_, err = p.login(p.customer.Email, "brand new password", "")
	require.NoError(t, err)

	// Staff reset: an operator sets the primary admin's password directly,
	// but not an owner's.
	require.NoError(t, p.svc.SetPassword(p.as(p.oper), p.id, p.customer.ID, "set by the operator"))
	_, err = p.login(p.customer.Email, "set by the operator", "")
	require.NoError(t, err)
	require.ErrorIs(t, p.svc.SetPassword(p.as(p.oper), p.id, p.owner.ID, "set by the operator"), tenancy.ErrForbidden)
	_, err = p.svc.IssuePasswordToken(p.as(p.admin), p.id, p.oper.ID, tenancy.TokenResetPassword)
	require.ErrorIs(t, err, tenancy.ErrForbidden)

	// Users change their own password knowing the current one.
	err = p.svc.ChangePassword(p.as(p.customer), tenancy.ChangePasswordParams{PlatformID: p.id, UserID: p.customer.ID, Current: "wrong", New: "changed by myself"})
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	err = p.svc.ChangePassword(p.as(p.customer), tenancy.ChangePasswordParams{PlatformID: p.id, UserID: p.customer.ID, Current: "set by the operator", New: "changed by myself"})
	require.NoError(t, err)
	err = p.svc.ChangePassword(p.as(p.customer), tenancy.ChangePasswordParams{PlatformID: p.id, UserID: p.owner.ID, Current: testPassword, New: "changed by myself"})
	require.ErrorIs(t, err, tenancy.ErrForbidden)
}
