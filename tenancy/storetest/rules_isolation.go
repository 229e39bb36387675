package storetest

import (
	"context"
	"reflect"
	"testing"

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
	}
}
