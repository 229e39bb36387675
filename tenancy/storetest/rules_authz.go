package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

func testUserManagementRules(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	regular := p.user(tenancy.RoleNone)
	other := p.user(tenancy.RoleAdmin)
	otherOwner := p.user(tenancy.RoleOwner)
	cases := []struct {
		name   string
		actor  tenancy.User
		target tenancy.User
		ok     bool
	}{
		{"owner disables admin", p.owner, other, true},
		{"owner disables operator", p.owner, p.oper, true},
		{"owner disables regular", p.owner, regular, true},
		{"owner disables owner", p.owner, otherOwner, false},
		{"owner disables self", p.owner, p.owner, false},
		{"admin disables regular", p.admin, regular, true},
		{"admin disables self", p.admin, p.admin, false},
		{"admin disables admin", p.admin, other, false},
		{"admin disables operator", p.admin, p.oper, false},
		{"admin disables owner", p.admin, p.owner, false},
		{"operator disables regular", p.oper, regular, true},
		{"operator disables admin", p.oper, p.admin, false},
		{"secure operator disables operator", p.secure, p.oper, false},
		{"regular disables regular", p.customer, regular, false},
	}
	for _, tc := range cases {
		_, err := p.svc.DisableUser(p.as(tc.actor), p.id, tc.target.ID)
		if tc.ok {
			require.NoError(t, err, tc.name)
			_, err = p.svc.EnableUser(p.as(tc.actor), p.id, tc.target.ID)
			require.NoError(t, err, tc.name)
		} else {
			require.ErrorIs(t, err, tenancy.ErrForbidden, tc.name)
		}
		u, err := p.svc.User(p.sys, p.id, tc.target.ID)
		require.NoError(t, err)
		assert.Equal(t, tenancy.UserActive, u.Status, tc.name)
	}

	// Only owners grant staff roles.
	_, err := p.svc.CreateUser(p.as(p.admin), tenancy.CreateUserParams{PlatformID: p.id, Email: "new-admin@rules.example", Name: "N", Role: tenancy.RoleAdmin, Password: testPassword})
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.SetRole(p.as(p.admin), p.id, regular.ID, tenancy.RoleOperator)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.CreateUser(p.as(p.customer), tenancy.CreateUserParams{PlatformID: p.id, Email: "friend@rules.example", Name: "F", Password: testPassword})
	require.ErrorIs(t, err, tenancy.ErrForbidden, "no self-registration through the back door")
	u, err := p.svc.SetRole(p.as(p.owner), p.id, regular.ID, tenancy.RoleOwner)
	require.NoError(t, err, "owners promote to owner")
	assert.Equal(t, tenancy.RoleOwner, u.Role)

	// A demoted admin loses admin rights on the very next call.
	_, err = p.svc.SetRole(p.as(p.owner), p.id, p.admin.ID, tenancy.RoleNone)
	require.NoError(t, err)
	_, err = p.svc.DisableUser(p.as(p.admin), p.id, p.customer.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
}

func testOwnerDemotion(t *testing.T, h Harness) {
	var asked []tenancy.OwnerDemotion
	approve := false
	p := newPlatform(t, h, &tenancy.Config{AuthorizeOwnerDemotion: func(_ context.Context, d tenancy.OwnerDemotion) error {
		asked = append(asked, d)
		if !approve {
			return errors.New("super-admin said no")
		}
		return nil
	}})
	peer := p.user(tenancy.RoleOwner)
	_, err := p.svc.SetRole(p.as(p.owner), p.id, peer.ID, tenancy.RoleAdmin)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.SetRole(p.as(p.owner), p.id, p.owner.ID, tenancy.RoleNone)
	require.ErrorIs(t, err, tenancy.ErrForbidden, "not even oneself")
	require.Len(t, asked, 2)
	assert.Equal(t, peer.ID, asked[0].UserID)
	assert.Equal(t, p.owner.ID, asked[0].Actor.UserID)

	approve = true
	u, err := p.svc.SetRole(p.as(p.owner), p.id, peer.ID, tenancy.RoleAdmin)
	require.NoError(t, err)
	assert.Equal(t, tenancy.RoleAdmin, u.Role)

	// Without the hook, only the host (a system principal) can.
	q := newPlatform(t, h, nil)
	peer = q.user(tenancy.RoleOwner)
	_, err = q.svc.SetRole(q.as(q.owner), q.id, peer.ID, tenancy.RoleAdmin)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = q.svc.SetRole(q.sys, q.id, peer.ID, tenancy.RoleAdmin)
	require.NoError(t, err)
}

// secureExempt are the Service calls that do not act on an existing
// account's data, with the reason, so the secure walk need not try them.
var secureExempt = map[string]string{
	"CreatePlatform": "platform", "Platform": "read", "RenamePlatform": "platform",
	"CreateUser": "user, not account", "User": "read", "UserByEmail": "read", "ListUsers": "read",
	"SetRole": "user", "DisableUser": "user", "EnableUser": "user", "UpdateUser": "user",
	"SetPassword": "user", "ChangePassword": "user", "IssuePasswordToken": "user",
	"RequestPasswordReset": "user, logged out", "UsePasswordToken": "user, logged out",
	"Authenticate": "login", "VerifySSOLink": "login",
	"CreateAccount": "a new account", "Account": "read", "AccountByNickname": "read", "AccountByUID": "read",
	"ListAccounts": "read", "Members": "read", "Memberships": "read", "Can": "read",
	"SetPool": "platform pool", "Pools": "read", "Allocations": "read", "Assignments": "read",
	"Grants": "read", "SharedResources": "read", "Activity": "read", "MaySendLinks": "read",
	"UseQuota": "host counting use, no actor", "CountActivity": "host counting, no actor",
}

// testSecureAccounts walks every mutating account call on a secure account:
// only a secure operator (or the host) gets through.
func testSecureAccounts(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	_, err := p.svc.SetSecure(p.as(p.oper), p.id, p.acc.ID, true)
	require.NoError(t, err, "any operator may mark an account secure")
	calls := map[string]func(ctx context.Context) error{
		"UpdateAccount": func(ctx context.Context) error {
			_, err := p.svc.UpdateAccount(ctx, p.id, p.acc.ID, tenancy.AccountEdit{Note: ptr("x")})
			return err
		},
		"DisableAccount": func(ctx context.Context) error { _, err := p.svc.DisableAccount(ctx, p.id, p.acc.ID); return err },
		"EnableAccount":  func(ctx context.Context) error { _, err := p.svc.EnableAccount(ctx, p.id, p.acc.ID); return err },
		"LockAccount":    func(ctx context.Context) error { _, err := p.svc.LockAccount(ctx, p.id, p.acc.ID); return err },
		"UnlockAccount":  func(ctx context.Context) error { _, err := p.svc.UnlockAccount(ctx, p.id, p.acc.ID); return err },
		"SetTemplate":    func(ctx context.Context) error { _, err := p.svc.SetTemplate(ctx, p.id, p.acc.ID, true); return err },
		"SetLinksAllowed": func(ctx context.Context) error {
			_, err := p.svc.SetLinksAllowed(ctx, p.id, p.acc.ID, true)
			return err
		},
		"CompleteOnboardingStep": func(ctx context.Context) error {
			_, err := p.svc.CompleteOnboardingStep(ctx, p.id, p.acc.ID, "widget")
			return err
		},
		"MarkSetupComplete": func(ctx context.Context) error { _, err := p.svc.MarkSetupComplete(ctx, p.id, p.acc.ID); return err },
		"AddMember": func(ctx context.Context) error {
			_, err := p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: p.admin.ID})
			return err
		},
		"RemoveMember": func(ctx context.Context) error { return p.svc.RemoveMember(ctx, p.id, p.acc.ID, p.admin.ID) },
		"DeleteAccount": func(ctx context.Context) error {
			_, err := p.svc.DeleteAccount(ctx, p.id, p.acc.ID)
			return err
		},
		"SetSecure": func(ctx context.Context) error { _, err := p.svc.SetSecure(ctx, p.id, p.acc.ID, false); return err },
		"SetPermissions": func(ctx context.Context) error {
			_, err := p.svc.SetPermissions(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: p.admin.ID})
			return err
		},
		"Allocate": func(ctx context.Context) error {
			_, err := p.svc.Allocate(ctx, p.id, p.acc.ID, tenancy.ResourceBotSlots, 1)
			return err
		},
		"Release": func(ctx context.Context) error {
			_, err := p.svc.Release(ctx, p.id, p.acc.ID, tenancy.ResourceTeamMembers, 1)
			return err
		},
		"Resize": func(ctx context.Context) error {
			_, err := p.svc.Resize(ctx, p.id, p.acc.ID, tenancy.ResourceTeamMembers, 20)
			return err
		},
		"ExtendTest": func(ctx context.Context) error {
			_, err := p.svc.ExtendTest(ctx, p.id, p.acc.ID, rulesEpoch.Add(time.Hour))
			return err
		},
		"ConvertTest": func(ctx context.Context) error { _, err := p.svc.ConvertTest(ctx, p.id, p.acc.ID); return err },
		"CreateFromTemplate": func(ctx context.Context) error {
			_, err := p.svc.CreateFromTemplate(ctx, tenancy.CreateFromTemplateParams{PlatformID: p.id, TemplateID: p.acc.ID,
				Accounts: []tenancy.NewFromTemplate{{Name: "Copy", Email: "copy@secure.example"}}})
			return err
		},
		"AssignAccounts": func(ctx context.Context) error {
			return p.svc.AssignAccounts(ctx, p.id, p.secure.ID, []string{p.acc.ID})
		},
		"UnassignAccounts": func(ctx context.Context) error {
			return p.svc.UnassignAccounts(ctx, p.id, p.secure.ID, []string{p.acc.ID})
		},
		"GrantAccess": func(ctx context.Context) error {
			_, err := p.svc.GrantAccess(ctx, tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: p.customer.ID})
			return err
		},
		"RevokeAccess": func(ctx context.Context) error {
			return p.svc.RevokeAccess(ctx, tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: p.customer.ID})
		},
		"RotateSSOSecret": func(ctx context.Context) error { _, err := p.svc.RotateSSOSecret(ctx, p.id, p.acc.ID); return err },
		"SSOSecret":       func(ctx context.Context) error { _, err := p.svc.SSOSecret(ctx, p.id, p.acc.ID); return err },
	}
	for name, call := range calls {
		for _, u := range []tenancy.User{p.owner, p.admin, p.oper} {
			require.ErrorIs(t, call(p.as(u)), tenancy.ErrForbidden, "%s by %s", name, u.Role)
		}
	}
	// Every Service call that acts on an account is in the walk.
	svc := reflect.TypeOf(p.svc)
	for i := range svc.NumMethod() {
		name := svc.Method(i).Name
		_, walked := calls[name]
		_, exempt := secureExempt[name]
		assert.True(t, walked || exempt, "Service.%s is neither walked on a secure account nor exempt", name)
	}
	acc, err := p.svc.Account(p.sys, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.True(t, acc.Secure)
	assert.False(t, acc.Locked)
	// A secure operator gets through.
	_, err = p.svc.LockAccount(p.as(p.secure), p.id, p.acc.ID)
	require.NoError(t, err)
	_, err = p.svc.SetSecure(p.as(p.secure), p.id, p.acc.ID, false)
	require.NoError(t, err)
}

// testImpersonatedPrincipal: when an operator acts as a customer, the
// customer's rights apply, and both names reach the trail.
func testImpersonatedPrincipal(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: p.id, UserID: p.customer.ID, ActorID: p.oper.ID, SessionID: "s1"})
	_, err := p.svc.DisableAccount(ctx, p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden, "the customer's rights apply, not the operator's")
	err = p.svc.ChangePassword(ctx, tenancy.ChangePasswordParams{PlatformID: p.id, UserID: p.customer.ID, Current: testPassword, New: "hijacked password"})
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.UpdateAccount(ctx, p.id, p.acc.ID, tenancy.AccountEdit{Name: ptr("Acme Renamed")})
	require.NoError(t, err, "the primary admin edits the profile")
	_, err = p.svc.UpdateAccount(ctx, p.id, p.acc.ID, tenancy.AccountEdit{Note: ptr("staff only")})
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	last := p.events()[0]
	assert.Equal(t, "account.update", last.Action)
	assert.Equal(t, p.oper.ID, last.ActorID)
	assert.Equal(t, p.customer.ID, last.OnBehalfOfID)
}
