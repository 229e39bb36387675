package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// isolationExempt are Service methods that take no record of a platform
// other than the one they name, with the reason.
var isolationExempt = map[string]string{
	"CreatePlatform": "creates a new platform; only a system principal may",
	"Platform":       "reads the platform it is given, nothing inside it",
}

// testServicePlatformIsolation tries every Service method across two
// platforms: staff of A naming B are refused, and B's records do not exist
// under A's ID, for reads and writes alike, whoever asks (even the host's
// system principal). A reflection check keeps the list complete as the
// Service grows.
func testServicePlatformIsolation(t *testing.T, h Harness) {
	a := newPlatform(t, h, nil)
	b := newPlatform(t, h, nil)
	bTok, err := b.svc.IssuePasswordToken(b.as(b.owner), b.id, b.customer.ID, tenancy.TokenResetPassword)
	require.NoError(t, err)
	b.acc, err = b.svc.UpdateAccount(b.as(b.owner), b.id, b.acc.ID, tenancy.AccountEdit{Nickname: ptr("only-on-b")})
	require.NoError(t, err)
	covered := map[string]bool{}
	ctxA := a.as(a.owner)

	// Staff of A, naming platform B and B's records: not B's users.
	forbidden := map[string]func(ctx context.Context) error{
		"CreateAccount": func(ctx context.Context) error {
			_, err := a.svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: b.id, Name: "X", Email: "x@iso.example", Password: testPassword})
			return err
		},
		"CreateUser": func(ctx context.Context) error {
			_, err := a.svc.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: b.id, Name: "X", Email: "x@iso.example", Password: testPassword})
			return err
		},
		"RenamePlatform": func(ctx context.Context) error { _, err := a.svc.RenamePlatform(ctx, b.id, "Mine"); return err },
		"SetPool": func(ctx context.Context) error {
			_, err := a.svc.SetPool(ctx, b.id, tenancy.ResourceBotSlots, 1)
			return err
		},
	}
	for name, call := range mutationsOn(a.svc, b.id, b) {
		forbidden[name] = call
	}
	for name, call := range forbidden {
		covered[name] = true
		require.ErrorIs(t, call(ctxA), tenancy.ErrForbidden, name)
	}

	// The host itself, on A's platform, naming B's records: they do not
	// exist (ChangePassword refuses the host before looking: only users
	// change their own password).
	for name, call := range mutationsOn(a.svc, a.id, b) {
		want := tenancy.ErrNotFound
		if name == "ChangePassword" {
			want = tenancy.ErrForbidden
		}
		require.ErrorIs(t, call(a.sys), want, name)
	}
	reads := map[string]func() error{
		"Account":           func() error { _, err := a.svc.Account(ctxA, a.id, b.acc.ID); return err },
		"AccountByUID":      func() error { _, err := a.svc.AccountByUID(ctxA, a.id, b.acc.UID); return err },
		"AccountByNickname": func() error { _, err := a.svc.AccountByNickname(ctxA, a.id, "only-on-b"); return err },
		"User":              func() error { _, err := a.svc.User(ctxA, a.id, b.customer.ID); return err },
		"UserByEmail":       func() error { _, err := a.svc.UserByEmail(ctxA, a.id, b.customer.Email); return err },
		"VerifySSOLink": func() error {
			_, err := a.svc.VerifySSOLink(context.Background(), a.id, tenancy.SignSSOLink([]byte("k"), tenancy.SSOLink{AccountUID: b.acc.UID, Expires: rulesEpoch.Add(time.Minute)}))
			if errors.Is(err, tenancy.ErrInvalidCredentials) {
				return tenancy.ErrNotFound // refused without saying why, as it must
			}
			return err
		},
		"MaySendLinks":  func() error { _, err := a.svc.MaySendLinks(ctxA, a.id, b.acc.ID); return err },
		"CountActivity": func() error { return a.svc.CountActivity(context.Background(), a.id, b.acc.ID, "messages", 1) },
		"UseQuota": func() error {
			_, err := a.svc.UseQuota(context.Background(), a.id, b.acc.ID, tenancy.ResourceTeamMembers, 1)
			if errors.Is(err, tenancy.ErrQuotaExceeded) {
				return tenancy.ErrNotFound // no allocation of that account here
			}
			return err
		},
		"UsePasswordToken": func() error {
			_, err := a.svc.UsePasswordToken(context.Background(), a.id, bTok.Token, "taken over password")
			return err
		},
	}
	for name, call := range reads {
		covered[name] = true
		require.ErrorIs(t, call(), tenancy.ErrNotFound, name)
	}

	// Listings and logins on A show nothing of B.
	covered["Members"], covered["Memberships"], covered["ListAccounts"], covered["ListUsers"] = true, true, true, true
	covered["Pools"], covered["Allocations"], covered["Assignments"], covered["Grants"] = true, true, true, true
	covered["SharedResources"], covered["Activity"], covered["Can"] = true, true, true
	pools, err := a.svc.Pools(ctxA, a.id)
	require.NoError(t, err)
	assert.Empty(t, pools)
	allocs, err := a.svc.Allocations(ctxA, a.id, b.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, allocs)
	assigned, err := a.svc.Assignments(ctxA, a.id, b.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, assigned)
	grants, err := a.svc.Grants(ctxA, tenancy.GrantQuery{PlatformID: a.id, AccountID: b.acc.ID})
	require.NoError(t, err)
	assert.Empty(t, grants)
	shared, err := a.svc.SharedResources(ctxA, a.id, b.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, shared)
	series, err := a.svc.Activity(ctxA, a.id, b.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, series)
	can, err := a.svc.Can(ctxA, a.id, b.acc.ID, b.customer.ID, tenancy.PermBilling)
	require.NoError(t, err)
	assert.False(t, can)
	ms, err := a.svc.Members(ctxA, a.id, b.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, ms)
	mss, err := a.svc.Memberships(ctxA, a.id, b.customer.ID)
	require.NoError(t, err)
	assert.Empty(t, mss)
	page, err := a.svc.ListAccounts(ctxA, tenancy.ListAccountsParams{PlatformID: a.id, IncludeLocked: true, Limit: tenancy.MaxPageSize})
	require.NoError(t, err)
	for _, acc := range page.Accounts {
		assert.Equal(t, a.id, acc.PlatformID)
	}
	users, err := a.svc.ListUsers(ctxA, tenancy.ListUsersParams{PlatformID: a.id, IncludeDisabled: true, Limit: tenancy.MaxPageSize})
	require.NoError(t, err)
	for _, u := range users.Users {
		assert.Equal(t, a.id, u.PlatformID)
	}
	covered["Authenticate"], covered["RequestPasswordReset"] = true, true
	_, err = a.login(b.customer.Email, testPassword, "")
	require.ErrorIs(t, err, tenancy.ErrInvalidCredentials)
	reset, err := a.svc.RequestPasswordReset(context.Background(), a.id, b.customer.Email)
	require.NoError(t, err)
	assert.Empty(t, reset.Token)

	// B is untouched.
	acc, err := b.svc.Account(b.sys, b.id, b.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, b.acc.Version, acc.Version)
	_, err = b.login(b.customer.Email, testPassword, "")
	require.NoError(t, err)

	svc := reflect.TypeOf(a.svc)
	for i := range svc.NumMethod() {
		name := svc.Method(i).Name
		if _, ok := isolationExempt[name]; !ok {
			assert.True(t, covered[name], "Service.%s is not tried across platforms", name)
		}
	}
}

// mutationsOn returns every Service call that changes a record, made on
// platformID with the records of platform b.
func mutationsOn(svc *tenancy.Service, platformID string, b *platform) map[string]func(ctx context.Context) error {
	acc, user := b.acc.ID, b.customer.ID
	flag := func(fn func(context.Context, string, string) (tenancy.Account, error)) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := fn(ctx, platformID, acc); return err }
	}
	toggle := func(fn func(context.Context, string, string, bool) (tenancy.Account, error)) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := fn(ctx, platformID, acc, true); return err }
	}
	userCall := func(fn func(context.Context, string, string) (tenancy.User, error)) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := fn(ctx, platformID, user); return err }
	}
	return map[string]func(ctx context.Context) error{
		"UpdateAccount": func(ctx context.Context) error {
			_, err := svc.UpdateAccount(ctx, platformID, acc, tenancy.AccountEdit{Note: ptr("x")})
			return err
		},
		"DisableAccount":  flag(svc.DisableAccount),
		"EnableAccount":   flag(svc.EnableAccount),
		"LockAccount":     flag(svc.LockAccount),
		"UnlockAccount":   flag(svc.UnlockAccount),
		"SetSecure":       toggle(svc.SetSecure),
		"SetTemplate":     toggle(svc.SetTemplate),
		"SetLinksAllowed": toggle(svc.SetLinksAllowed),
		"CompleteOnboardingStep": func(ctx context.Context) error {
			_, err := svc.CompleteOnboardingStep(ctx, platformID, acc, "widget")
			return err
		},
		"MarkSetupComplete": flag(svc.MarkSetupComplete),
		"DeleteAccount": func(ctx context.Context) error {
			_, err := svc.DeleteAccount(ctx, platformID, acc)
			return err
		},
		"AddMember": func(ctx context.Context) error {
			_, err := svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: platformID, AccountID: acc, UserID: user})
			return err
		},
		"RemoveMember": func(ctx context.Context) error { return svc.RemoveMember(ctx, platformID, acc, b.owner.ID) },
		"SetRole": func(ctx context.Context) error {
			_, err := svc.SetRole(ctx, platformID, user, tenancy.RoleOwner)
			return err
		},
		"DisableUser": userCall(svc.DisableUser),
		"EnableUser":  userCall(svc.EnableUser),
		"UpdateUser": func(ctx context.Context) error {
			_, err := svc.UpdateUser(ctx, tenancy.UpdateUserParams{PlatformID: platformID, UserID: user, Name: ptr("Mallory")})
			return err
		},
		"SetPassword": func(ctx context.Context) error { return svc.SetPassword(ctx, platformID, user, "taken over password") },
		"ChangePassword": func(ctx context.Context) error {
			return svc.ChangePassword(ctx, tenancy.ChangePasswordParams{PlatformID: platformID, UserID: user, Current: testPassword, New: "taken over password"})
		},
		"IssuePasswordToken": func(ctx context.Context) error {
			_, err := svc.IssuePasswordToken(ctx, platformID, user, tenancy.TokenResetPassword)
			return err
		},
		"SetPermissions": func(ctx context.Context) error {
			_, err := svc.SetPermissions(ctx, tenancy.AddMemberParams{PlatformID: platformID, AccountID: acc, UserID: user})
			return err
		},
		"Allocate": func(ctx context.Context) error {
			_, err := svc.Allocate(ctx, platformID, acc, tenancy.ResourceBotSlots, 1)
			return err
		},
		"Release": func(ctx context.Context) error {
			_, err := svc.Release(ctx, platformID, acc, tenancy.ResourceTeamMembers, 1)
			return err
		},
		"Resize": func(ctx context.Context) error {
			_, err := svc.Resize(ctx, platformID, acc, tenancy.ResourceTeamMembers, 99)
			return err
		},
		"ExtendTest": func(ctx context.Context) error {
			_, err := svc.ExtendTest(ctx, platformID, acc, rulesEpoch.Add(time.Hour))
			return err
		},
		"ConvertTest": flag(svc.ConvertTest),
		"CreateFromTemplate": func(ctx context.Context) error {
			_, err := svc.CreateFromTemplate(ctx, tenancy.CreateFromTemplateParams{PlatformID: platformID, TemplateID: acc,
				Accounts: []tenancy.NewFromTemplate{{Name: "Copy", Email: "copy@iso.example"}}})
			return err
		},
		"AssignAccounts": func(ctx context.Context) error { return svc.AssignAccounts(ctx, platformID, b.oper.ID, []string{acc}) },
		"UnassignAccounts": func(ctx context.Context) error {
			return svc.UnassignAccounts(ctx, platformID, b.oper.ID, []string{acc})
		},
		"GrantAccess": func(ctx context.Context) error {
			_, err := svc.GrantAccess(ctx, tenancy.GrantParams{PlatformID: platformID, AccountID: acc, ResourceID: "bot-1", UserID: user})
			return err
		},
		"RevokeAccess": func(ctx context.Context) error {
			return svc.RevokeAccess(ctx, tenancy.GrantParams{PlatformID: platformID, AccountID: acc, ResourceID: "bot-1", UserID: user})
		},
		"RotateSSOSecret": func(ctx context.Context) error { _, err := svc.RotateSSOSecret(ctx, platformID, acc); return err },
		"SSOSecret":       func(ctx context.Context) error { _, err := svc.SSOSecret(ctx, platformID, acc); return err },
	}
}
