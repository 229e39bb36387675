package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// serviceSuite runs the tenancy Service's rules over a Store: whatever the
// store, the rules must hold.
func serviceSuite(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := conformance.Tests[Harness]{
		{"RaceNickname", testRaceNickname},
		{"RaceEmailCase", testRaceEmailCase},
		{"InvalidInputWritesNothing", testInvalidInputWritesNothing},
		{"PlatformIsolation", testServicePlatformIsolation},
		{"Authenticate", testAuthenticate},
		{"AuthenticateAccountStates", testAuthenticateAccountStates},
		{"AuthenticateDeletedAccount", testAuthenticateDeletedAccount},
		{"SetPasswordAtFirstLogin", testSetPasswordAtFirstLogin},
		{"PasswordReset", testPasswordReset},
		{"UserManagementRules", testUserManagementRules},
		{"OwnerDemotion", testOwnerDemotion},
		{"SecureAccounts", testSecureAccounts},
		{"NoPrincipal", testNoPrincipal},
		{"Impersonated", testImpersonatedPrincipal},
		{"AuditTrail", testAuditTrail},
		{"DisableKeepsData", testDisableKeepsData},
		{"UnicodeNames", testUnicodeNames},
		{"TeamQuota", testTeamQuota},
		{"PoolsAndConversion", testPoolsAndConversion},
		{"RaceConvert", testRaceConvert},
		{"Can", testCan},
		{"Templates", testTemplates},
		{"OperatorsAndGrants", testOperatorsAndGrants},
		{"ActivityAndFigures", testActivityAndFigures},
		{"LinkScreening", testLinkScreening},
		{"SSO", testSSO},
		{"DeleteDropsGrants", testDeleteDropsGrants},
	}
	conformance.Run(t, "Service/", tests, newHarness)
}

func testRaceNickname(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.owner)
	errs := conformance.Race(32, func(i int) error {
		_, err := p.svc.CreateAccount(ctx, tenancy.CreateAccountParams{
			PlatformID: p.id, Name: fmt.Sprintf("Racer %d", i), Email: fmt.Sprintf("racer%d@race.example", i),
			Password: testPassword, Nickname: "the-one",
		})
		return err
	})
	conformance.OneWinner(t, errs, tenancy.ErrConflict)
	page, err := p.svc.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: p.id, Search: "racer", Limit: 100})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1)
	assert.Equal(t, "the-one", page.Accounts[0].Nickname)
	// The losers' primary admins were not left behind either.
	users, err := p.svc.ListUsers(ctx, tenancy.ListUsersParams{PlatformID: p.id, Search: "@race.example", Limit: 100})
	require.NoError(t, err)
	assert.Len(t, users.Users, 1)
}

func testRaceEmailCase(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.owner)
	errs := conformance.Race(32, func(i int) error {
		// Every variant differs only in case: one address.
		email := []byte("same.person@case.example")
		for j := range email {
			if i>>(j%5)&1 == 1 {
				email[j] = strings.ToUpper(string(email[j]))[0]
			}
		}
		_, err := p.svc.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: p.id, Email: string(email), Name: "Same", Password: testPassword})
		return err
	})
	conformance.OneWinner(t, errs, tenancy.ErrConflict)
	u, err := p.svc.UserByEmail(ctx, p.id, "SAME.PERSON@CASE.EXAMPLE")
	require.NoError(t, err)
	assert.Equal(t, "same.person@case.example", u.Email)
}

func testInvalidInputWritesNothing(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.owner)
	before := len(p.events())
	good := tenancy.CreateAccountParams{PlatformID: p.id, Name: "Good", Email: "good@bad-input.example", Password: testPassword}
	cases := []struct {
		field string
		edit  func(*tenancy.CreateAccountParams)
	}{
		{"email", func(c *tenancy.CreateAccountParams) { c.Email = "not-an-email" }},
		{"email", func(c *tenancy.CreateAccountParams) { c.Email = "Ann <ann@example.com>" }},
		{"nickname", func(c *tenancy.CreateAccountParams) { c.Nickname = "has spaces" }},
		{"nickname", func(c *tenancy.CreateAccountParams) { c.Nickname = "UpperCase" }},
		{"nickname", func(c *tenancy.CreateAccountParams) { c.Nickname = strings.Repeat("a", 200) }},
		{"password", func(c *tenancy.CreateAccountParams) { c.Password = "short" }},
		{"time_zone", func(c *tenancy.CreateAccountParams) { c.TimeZone = "Mars/Olympus_Mons" }},
		{"name", func(c *tenancy.CreateAccountParams) { c.Name = "   " }},
		{"language", func(c *tenancy.CreateAccountParams) { c.Language = "not a language" }},
		{"logo_url", func(c *tenancy.CreateAccountParams) { c.LogoURL = "javascript:alert(1)" }},
		{"sites", func(c *tenancy.CreateAccountParams) { c.Sites = []string{"//evil.example"} }},
		{"tags", func(c *tenancy.CreateAccountParams) { c.Tags = []string{""} }},
		{"test_until", func(c *tenancy.CreateAccountParams) { c.TestUntil = rulesEpoch.Add(-time.Hour) }},
	}
	for _, tc := range cases {
		params := good
		tc.edit(&params)
		_, err := p.svc.CreateAccount(ctx, params)
		require.ErrorIs(t, err, tenancy.ErrInvalid, tc.field)
		var ie *tenancy.InvalidError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, tc.field, ie.Field)
		assert.Contains(t, err.Error(), tc.field)
	}
	_, err := p.svc.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: p.id, Email: "x@bad-input.example", Name: "X", Role: "emperor"})
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	_, err = p.svc.UpdateAccount(ctx, p.id, p.acc.ID, tenancy.AccountEdit{Nickname: ptr("Bad Nick")})
	require.ErrorIs(t, err, tenancy.ErrInvalid)

	assert.Len(t, p.events(), before, "no event written")
	page, err := p.svc.ListAccounts(ctx, tenancy.ListAccountsParams{PlatformID: p.id, Search: "bad-input", IncludeLocked: true})
	require.NoError(t, err)
	assert.Empty(t, page.Accounts)
	_, err = p.svc.UserByEmail(ctx, p.id, "good@bad-input.example")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	acc, err := p.svc.Account(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, p.acc.Nickname, acc.Nickname)
}

func ptr[T any](v T) *T { return &v }

func testNoPrincipal(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := context.Background()
	_, err := p.svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: p.id, Name: "X", Email: "x@np.example", Password: testPassword})
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.DisableAccount(ctx, p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.CreatePlatform(p.as(p.owner), tenancy.CreatePlatformParams{Name: "Mine"})
	require.ErrorIs(t, err, tenancy.ErrForbidden, "only the host creates platforms")
	// A principal naming a user that does not exist is refused too.
	ghost := audit.WithPrincipal(ctx, audit.Principal{PlatformID: p.id, UserID: uuid.NewString()})
	_, err = p.svc.DisableAccount(ghost, p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	// A disabled staff user loses their rights at once.
	_, err = p.svc.DisableUser(p.as(p.owner), p.id, p.admin.ID)
	require.NoError(t, err)
	_, err = p.svc.DisableAccount(p.as(p.admin), p.id, p.acc.ID)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
}

func testDisableKeepsData(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.oper)
	_, err := p.svc.UpdateAccount(ctx, p.id, p.acc.ID, tenancy.AccountEdit{Tags: ptr([]string{"vip", "retail"}), Note: ptr("pays late")})
	require.NoError(t, err)
	acc, err := p.svc.DisableAccount(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, tenancy.AccountDisabled, acc.Status)
	_, err = p.svc.Authenticate(context.Background(), tenancy.AuthenticateParams{PlatformID: p.id, Email: p.customer.Email, Password: testPassword})
	require.ErrorIs(t, err, tenancy.ErrAccountDisabled)
	acc, err = p.svc.EnableAccount(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"retail", "vip"}, acc.Tags)
	assert.Equal(t, "pays late", acc.Note)
	members, err := p.svc.Members(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	_, err = p.svc.Authenticate(context.Background(), tenancy.AuthenticateParams{PlatformID: p.id, Email: p.customer.Email, Password: testPassword})
	require.NoError(t, err)
}

func testAuditTrail(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	_, err := p.svc.LockAccount(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	evs := p.events()
	require.NotEmpty(t, evs)
	last := evs[0]
	assert.Equal(t, "account.lock", last.Action)
	assert.Equal(t, p.oper.ID, last.ActorID)
	assert.Equal(t, p.acc.ID, last.AccountID)
	assert.Equal(t, []audit.Change{{Field: "locked", Before: "false", After: "true"}}, last.Changes)
	assert.True(t, last.At.Equal(rulesEpoch.Truncate(time.Microsecond)))
	// Locking again changes nothing and records nothing.
	_, err = p.svc.LockAccount(p.as(p.oper), p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Len(t, p.events(), len(evs))
	// Passwords never reach the trail.
	for _, e := range p.events() {
		for _, c := range e.Changes {
			assert.NotContains(t, c.Before+c.After, testPassword)
			assert.NotContains(t, c.Before+c.After, "argon2id")
		}
	}
}

// testUnicodeNames: names outside ASCII sort and search the same in every
// store (SQLite's own lower() folds only ASCII).
func testUnicodeNames(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	for _, name := range []string{"Zebra", "Österreich Tours", "apple", "Émile Bakery", "émilie", "Ärger"} {
		p.account(tenancy.CreateAccountParams{Name: name})
	}
	var got []string
	after := ""
	for {
		page, err := p.svc.ListAccounts(p.as(p.owner), tenancy.ListAccountsParams{PlatformID: p.id, Sort: tenancy.SortName, Limit: 1, After: after})
		require.NoError(t, err)
		for _, a := range page.Accounts {
			got = append(got, a.Name)
		}
		if after = page.Next; after == "" {
			break
		}
	}
	assert.Equal(t, []string{"Acme", "apple", "Zebra", "Ärger", "Émile Bakery", "émilie", "Österreich Tours"}, got)
	for search, want := range map[string]int{"ÉMIL": 2, "émile b": 1, "österreich": 1, "ärg": 1} {
		page, err := p.svc.ListAccounts(p.as(p.owner), tenancy.ListAccountsParams{PlatformID: p.id, Search: search})
		require.NoError(t, err)
		assert.Len(t, page.Accounts, want, search)
	}
}
