package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// testTeamQuota: every account may have 10 team members by default; the
// 11th is refused, removing one frees a place, and the quota can be raised.
func testTeamQuota(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.customer) // the primary admin builds the team
	var members []tenancy.User
	for i := range tenancy.DefaultTeamMembers {
		u := p.user(tenancy.RoleNone)
		_, err := p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: u.ID, Permissions: []string{tenancy.PermLiveChat}})
		require.NoError(t, err, "member %d", i)
		members = append(members, u)
	}
	extra := p.user(tenancy.RoleNone)
	_, err := p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: extra.ID})
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded)
	require.NoError(t, p.svc.RemoveMember(ctx, p.id, p.acc.ID, members[0].ID))
	_, err = p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: extra.ID})
	require.NoError(t, err)
	allocs, err := p.svc.Allocations(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	require.Len(t, allocs, 1)
	assert.Equal(t, tenancy.Allocation{PlatformID: p.id, AccountID: p.acc.ID, Resource: tenancy.ResourceTeamMembers, Limit: 10, Used: 10, UpdatedAt: allocs[0].UpdatedAt}, allocs[0])
	// The primary admin cannot raise their own quota; staff can.
	_, err = p.svc.Allocate(ctx, p.id, p.acc.ID, tenancy.ResourceTeamMembers, 5)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.Allocate(p.as(p.oper), p.id, p.acc.ID, tenancy.ResourceTeamMembers, 5)
	require.NoError(t, err)
	_, err = p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: members[0].ID})
	require.NoError(t, err)
	// Resize never goes below what is used.
	_, err = p.svc.Resize(p.as(p.oper), p.id, p.acc.ID, tenancy.ResourceTeamMembers, 3)
	require.ErrorIs(t, err, tenancy.ErrConflict)
}

// testPoolsAndConversion: the platform's pool bounds allocations; a test
// account converts only with a free bot slot; disabling keeps the
// allocation, deleting frees it.
func testPoolsAndConversion(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	owner := p.as(p.owner)
	_, err := p.svc.SetPool(p.as(p.admin), p.id, tenancy.ResourceBotSlots, 3)
	require.ErrorIs(t, err, tenancy.ErrForbidden, "only owners size pools")
	_, err = p.svc.SetPool(owner, p.id, tenancy.ResourceBotSlots, 3)
	require.NoError(t, err)
	_, err = p.svc.Allocate(owner, p.id, p.acc.ID, tenancy.ResourceBotSlots, 2)
	require.NoError(t, err)
	trial := p.account(tenancy.CreateAccountParams{TestUntil: rulesEpoch.Add(7 * 24 * time.Hour)})
	other := p.account(tenancy.CreateAccountParams{TestUntil: rulesEpoch.Add(7 * 24 * time.Hour)})
	acc, err := p.svc.ConvertTest(owner, p.id, trial.Account.ID)
	require.NoError(t, err)
	assert.False(t, acc.IsTest())
	_, err = p.svc.ConvertTest(owner, p.id, other.Account.ID)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "no free bot slot left")
	still, err := p.svc.Account(owner, p.id, other.Account.ID)
	require.NoError(t, err)
	assert.True(t, still.IsTest(), "nothing changed")
	_, err = p.svc.ConvertTest(owner, p.id, trial.Account.ID)
	require.ErrorIs(t, err, tenancy.ErrConflict, "already regular")

	_, err = p.svc.DisableAccount(owner, p.id, p.acc.ID)
	require.NoError(t, err)
	pools, err := p.svc.Pools(owner, p.id)
	require.NoError(t, err)
	require.Len(t, pools, 1)
	assert.EqualValues(t, 3, pools[0].Allocated, "disable keeps the allocation")
	_, err = p.svc.DeleteAccount(owner, p.id, p.acc.ID)
	require.NoError(t, err)
	pools, err = p.svc.Pools(owner, p.id)
	require.NoError(t, err)
	assert.EqualValues(t, 1, pools[0].Allocated, "delete frees it")
	_, err = p.svc.ConvertTest(owner, p.id, other.Account.ID)
	require.NoError(t, err)
	_, err = p.svc.SetPool(owner, p.id, tenancy.ResourceBotSlots, 1)
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "not below what is allocated")

	// Extending a trial moves its expiry; an expired one is listed as such.
	third := p.account(tenancy.CreateAccountParams{TestUntil: rulesEpoch.Add(24 * time.Hour)})
	p.clock.Advance(48 * time.Hour)
	page, err := p.svc.ListAccounts(owner, tenancy.ListAccountsParams{PlatformID: p.id, Test: tenancy.TestExpired})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1)
	assert.Equal(t, third.Account.ID, page.Accounts[0].ID)
	assert.Zero(t, page.Accounts[0].TestTimeLeft(p.clock.Now()))
	ext, err := p.svc.ExtendTest(owner, p.id, third.Account.ID, p.clock.Now().Add(72*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 72*time.Hour, ext.TestTimeLeft(p.clock.Now()))
	page, err = p.svc.ListAccounts(owner, tenancy.ListAccountsParams{PlatformID: p.id, Test: tenancy.TestRunning})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1)
	_, err = p.login(third.PrimaryAdmin.Email, testPassword, "")
	require.NoError(t, err)
}

// testRaceConvert: one free bot slot, many conversions at once: one wins.
func testRaceConvert(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	owner := p.as(p.owner)
	_, err := p.svc.SetPool(owner, p.id, tenancy.ResourceBotSlots, 1)
	require.NoError(t, err)
	var trials []string
	for range 16 {
		trials = append(trials, p.account(tenancy.CreateAccountParams{TestUntil: rulesEpoch.Add(time.Hour)}).Account.ID)
	}
	errs := conformance.Race(len(trials), func(i int) error {
		_, err := p.svc.ConvertTest(owner, p.id, trials[i])
		return err
	})
	conformance.OneWinner(t, errs, tenancy.ErrQuotaExceeded)
	page, err := p.svc.ListAccounts(owner, tenancy.ListAccountsParams{PlatformID: p.id, Test: tenancy.TestAccounts, Limit: 100})
	require.NoError(t, err)
	assert.Len(t, page.Accounts, len(trials)-1)
}

// testCan: the permission check follows adds, changes and removals at once.
func testCan(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := p.as(p.customer)
	u := p.user(tenancy.RoleNone)
	can := func(userID, perm string) bool {
		ok, err := p.svc.Can(context.Background(), p.id, p.acc.ID, userID, perm)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, can(p.customer.ID, tenancy.PermBilling), "the primary admin may do everything")
	assert.False(t, can(u.ID, tenancy.PermLiveChat), "not a member yet")
	_, err := p.svc.AddMember(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: u.ID, Permissions: []string{tenancy.PermLiveChat, "custom:export"}})
	require.NoError(t, err)
	assert.True(t, can(u.ID, tenancy.PermLiveChat))
	assert.True(t, can(u.ID, "custom:export"))
	assert.False(t, can(u.ID, tenancy.PermBilling))
	_, err = p.svc.SetPermissions(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: u.ID, Permissions: []string{tenancy.PermBilling}})
	require.NoError(t, err)
	assert.False(t, can(u.ID, tenancy.PermLiveChat))
	assert.True(t, can(u.ID, tenancy.PermBilling))
	require.NoError(t, p.svc.RemoveMember(ctx, p.id, p.acc.ID, u.ID))
	assert.False(t, can(u.ID, tenancy.PermBilling))
	_, err = p.svc.SetPermissions(ctx, tenancy.AddMemberParams{PlatformID: p.id, AccountID: p.acc.ID, UserID: p.customer.ID, Permissions: nil})
	require.ErrorIs(t, err, tenancy.ErrForbidden, "the primary admin keeps every permission")
}

// testTemplates: accounts made from a template copy its settings and
// quotas, in bulk, all or nothing.
func testTemplates(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	owner := p.as(p.owner)
	tmpl := p.account(tenancy.CreateAccountParams{Name: "Restaurant template", Tags: []string{"restaurant", "eu"}, Plan: "Pro", Language: "fr", TimeZone: "Europe/Paris"})
	_, err := p.svc.CompleteOnboardingStep(owner, p.id, tmpl.Account.ID, "menu")
	require.NoError(t, err)
	_, err = p.svc.Allocate(owner, p.id, tmpl.Account.ID, tenancy.ResourceBotSlots, 2)
	require.NoError(t, err)
	params := tenancy.CreateFromTemplateParams{PlatformID: p.id, TemplateID: tmpl.Account.ID, Accounts: []tenancy.NewFromTemplate{
		{Name: "Chez Anne", Email: "anne@chez.example"}, {Name: "Chez Bob", Email: "bob@chez.example", Nickname: "chez-bob"},
	}}
	_, err = p.svc.CreateFromTemplate(owner, params)
	require.ErrorIs(t, err, tenancy.ErrConflict, "not a template yet")
	_, err = p.svc.SetTemplate(owner, p.id, tmpl.Account.ID, true)
	require.NoError(t, err)
	created, err := p.svc.CreateFromTemplate(owner, params)
	require.NoError(t, err)
	require.Len(t, created, 2)
	for _, c := range created {
		a, err := p.svc.Account(owner, p.id, c.Account.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"eu", "restaurant"}, a.Tags)
		assert.Equal(t, "Pro", a.Plan)
		assert.Equal(t, "fr", a.Language)
		assert.Equal(t, "Europe/Paris", a.TimeZone)
		assert.Equal(t, []string{"menu"}, a.Onboarding.StepsDone)
		assert.False(t, a.Template)
		assert.NotEmpty(t, c.SetPasswordToken)
		allocs, err := p.svc.Allocations(owner, p.id, a.ID)
		require.NoError(t, err)
		limits := map[string]int64{}
		for _, al := range allocs {
			limits[al.Resource] = al.Limit
		}
		assert.Equal(t, map[string]int64{tenancy.ResourceBotSlots: 2, tenancy.ResourceTeamMembers: 10}, limits)
	}
	// All or nothing: a taken nickname in the batch creates none.
	_, err = p.svc.CreateFromTemplate(owner, tenancy.CreateFromTemplateParams{PlatformID: p.id, TemplateID: tmpl.Account.ID, Accounts: []tenancy.NewFromTemplate{
		{Name: "Chez Carl", Email: "carl@chez.example"}, {Name: "Chez Bob 2", Email: "bob2@chez.example", Nickname: "chez-bob"},
	}})
	require.ErrorIs(t, err, tenancy.ErrConflict)
	_, err = p.svc.UserByEmail(owner, p.id, "carl@chez.example")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	// A pool without room for all of them creates none either.
	_, err = p.svc.SetPool(owner, p.id, tenancy.ResourceBotSlots, 9)
	require.NoError(t, err)
	var many []tenancy.NewFromTemplate
	for i := range 2 {
		many = append(many, tenancy.NewFromTemplate{Name: fmt.Sprintf("Pool %d", i), Email: fmt.Sprintf("pool%d@chez.example", i)})
	}
	_, err = p.svc.CreateFromTemplate(owner, tenancy.CreateFromTemplateParams{PlatformID: p.id, TemplateID: tmpl.Account.ID, Accounts: many})
	require.ErrorIs(t, err, tenancy.ErrQuotaExceeded, "6 allocated + 4 asked > 9")
	_, err = p.svc.UserByEmail(owner, p.id, "pool0@chez.example")
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

// testOperatorsAndGrants: "my accounts" and shared resources.
func testOperatorsAndGrants(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	owner := p.as(p.owner)
	a1 := p.account(tenancy.CreateAccountParams{}).Account
	a2 := p.account(tenancy.CreateAccountParams{}).Account
	require.NoError(t, p.svc.AssignAccounts(owner, p.id, p.oper.ID, []string{a1.ID, a2.ID, a1.ID}))
	require.ErrorIs(t, p.svc.AssignAccounts(owner, p.id, p.customer.ID, []string{a1.ID}), tenancy.ErrInvalid, "only operators")
	mine, err := p.svc.ListAccounts(p.as(p.oper), tenancy.ListAccountsParams{PlatformID: p.id, OperatorID: p.oper.ID})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a1.ID, a2.ID}, accountIDs(mine.Accounts))
	require.NoError(t, p.svc.UnassignAccounts(owner, p.id, p.oper.ID, []string{a2.ID}))
	mine, err = p.svc.ListAccounts(p.as(p.oper), tenancy.ListAccountsParams{PlatformID: p.id, OperatorID: p.oper.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{a1.ID}, accountIDs(mine.Accounts))
	_, err = p.svc.SetSecure(owner, p.id, a2.ID, true)
	require.NoError(t, err)
	require.ErrorIs(t, p.svc.AssignAccounts(p.as(p.secure), p.id, p.oper.ID, []string{a2.ID}), tenancy.ErrForbidden, "secure accounts go to secure operators")
	require.NoError(t, p.svc.AssignAccounts(p.as(p.secure), p.id, p.secure.ID, []string{a2.ID}))

	manager := p.user(tenancy.RoleNone)
	g := tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: manager.ID}
	_, err = p.svc.GrantAccess(p.as(manager), g)
	require.ErrorIs(t, err, tenancy.ErrForbidden)
	_, err = p.svc.GrantAccess(p.as(p.customer), g)
	require.NoError(t, err)
	_, err = p.svc.GrantAccess(p.as(p.customer), g)
	require.ErrorIs(t, err, tenancy.ErrConflict)
	second := p.user(tenancy.RoleNone)
	_, err = p.svc.GrantAccess(p.as(p.customer), tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: second.ID})
	require.NoError(t, err, "several managers")
	shared, err := p.svc.SharedResources(owner, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"bot-1"}, shared)
	byUser, err := p.svc.Grants(owner, tenancy.GrantQuery{PlatformID: p.id, UserID: manager.ID})
	require.NoError(t, err)
	require.Len(t, byUser, 1)
	assert.Equal(t, p.customer.ID, byUser[0].GrantedBy)
	require.NoError(t, p.svc.RevokeAccess(p.as(manager), g), "a manager may leave")
	require.NoError(t, p.svc.RevokeAccess(p.as(p.customer), tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: second.ID}))
	shared, err = p.svc.SharedResources(owner, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, shared)
}

// testActivityAndFigures: counters per day, the 3-month series, and the
// page's figures in one batch.
func testActivityAndFigures(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := context.Background()
	require.NoError(t, p.svc.CountActivity(ctx, p.id, p.acc.ID, "messages", 5))
	p.clock.Advance(24 * time.Hour)
	require.NoError(t, p.svc.CountActivity(ctx, p.id, p.acc.ID, "messages", 2))
	require.NoError(t, p.svc.CountActivity(ctx, p.id, p.acc.ID, "subscribers", 40))
	require.ErrorIs(t, p.svc.CountActivity(ctx, p.id, p.acc.ID, "Bad Metric", 1), tenancy.ErrInvalid)
	series, err := p.svc.Activity(ctx, p.id, p.acc.ID, "messages", "bookings")
	require.NoError(t, err)
	require.Len(t, series, 2)
	msgs := series[0]
	assert.Equal(t, "messages", msgs.Metric)
	n := len(msgs.Days)
	assert.Equal(t, int(tenancy.ActivityWindow/(24*time.Hour))+1, n)
	assert.Equal(t, []int64{5, 2}, msgs.Days[n-2:])
	assert.Equal(t, int64(0), series[1].Days[n-1], "a metric with no counts is all zero")

	other := p.account(tenancy.CreateAccountParams{})
	page, err := p.svc.ListAccounts(p.as(p.owner), tenancy.ListAccountsParams{PlatformID: p.id, WithFigures: true})
	require.NoError(t, err)
	require.Len(t, page.Figures, 2)
	f := page.Figures[p.acc.ID]
	assert.EqualValues(t, 1, f.Users)
	assert.Equal(t, map[string]int64{"messages": 7, "subscribers": 40}, f.Totals)
	assert.EqualValues(t, 1, page.Figures[other.Account.ID].Users)
	assert.Empty(t, page.Figures[other.Account.ID].Totals)
}

// testLinkScreening: no external links for 30 days unless lifted.
func testLinkScreening(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	ctx := context.Background()
	ok, err := p.svc.MaySendLinks(ctx, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.False(t, ok)
	p.clock.Advance(tenancy.DefaultLinkScreening - time.Microsecond)
	ok, _ = p.svc.MaySendLinks(ctx, p.id, p.acc.ID)
	assert.False(t, ok)
	p.clock.Advance(time.Microsecond)
	ok, _ = p.svc.MaySendLinks(ctx, p.id, p.acc.ID)
	assert.True(t, ok)
	fresh := p.account(tenancy.CreateAccountParams{})
	_, err = p.svc.SetLinksAllowed(p.as(p.oper), p.id, fresh.Account.ID, true)
	require.NoError(t, err)
	ok, _ = p.svc.MaySendLinks(ctx, p.id, fresh.Account.ID)
	assert.True(t, ok, "an operator lifted the screening")
	_, err = p.svc.MaySendLinks(ctx, p.id, uuid.NewString())
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

// testDeleteDropsGrants: a manager whose only account is deleted loses the
// access they held to other accounts' resources, and the "Shared" badge
// goes with it.
func testDeleteDropsGrants(t *testing.T, h Harness) {
	p := newPlatform(t, h, nil)
	owner := p.as(p.owner)
	manager := p.account(tenancy.CreateAccountParams{})
	_, err := p.svc.GrantAccess(p.as(p.customer), tenancy.GrantParams{PlatformID: p.id, AccountID: p.acc.ID, ResourceID: "bot-1", UserID: manager.PrimaryAdmin.ID})
	require.NoError(t, err)
	_, err = p.svc.DeleteAccount(owner, p.id, manager.Account.ID)
	require.NoError(t, err)
	grants, err := p.svc.Grants(owner, tenancy.GrantQuery{PlatformID: p.id, UserID: manager.PrimaryAdmin.ID})
	require.NoError(t, err)
	assert.Empty(t, grants)
	shared, err := p.svc.SharedResources(owner, p.id, p.acc.ID)
	require.NoError(t, err)
	assert.Empty(t, shared)
}
