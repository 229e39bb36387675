package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// newSeedEnv opens the portal on a SQLite temp file, for seeding.
func newSeedEnv(t *testing.T) seedEnv {
	t.Helper()
	db, err := tenantry.OpenSQLite(filepath.Join(t.TempDir(), "seed.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	p, err := openPortal(context.Background(), db, &testConfig, nil, nil, nil)
	require.NoError(t, err)
	store, err := sqlstore.New(db)
	require.NoError(t, err)
	return seedEnv{db: db, store: store, portal: p, cfg: &testConfig}
}

// snapshot counts what the demo platform holds: accounts and audit events.
func snapshot(t *testing.T, env seedEnv) (accounts, events int) {
	t.Helper()
	ctx := context.Background()
	store := env.store.(*sqlstore.Store)
	page, err := tenancy.New(store, nil).ListAccounts(ctx, tenancy.ListAccountsParams{
		PlatformID: demoPlatformID, IncludeLocked: true, Limit: tenancy.MaxPageSize,
	})
	require.NoError(t, err)
	evs, err := store.Audit().List(ctx, audit.StoreQuery{PlatformID: demoPlatformID, Limit: 100000})
	require.NoError(t, err)
	return len(page.Accounts), len(evs)
}

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	env := newSeedEnv(t)
	store := env.store
	ctx := context.Background()
	now := time.Now()
	seeded, err := seedDemo(ctx, env, now)
	require.NoError(t, err)
	require.True(t, seeded)
	accounts, events := snapshot(t, env)
	assert.Equal(t, len(demoAccounts), accounts)

	seeded, err = seedDemo(ctx, env, now.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, seeded, "a second start does not seed again")
	a2, e2 := snapshot(t, env)
	assert.Equal(t, accounts, a2)
	assert.Equal(t, events, e2, "and writes nothing")

	svc := tenancy.New(store, &testConfig)
	login, err := svc.Authenticate(ctx, tenancy.AuthenticateParams{PlatformID: demoPlatformID, Email: ownerEmail, Password: ownerPassword})
	require.NoError(t, err, "the owner logs in with the password the log prints")
	assert.Equal(t, tenancy.RoleOwner, login.User.Role)
	op, err := svc.UserByEmail(ctx, demoPlatformID, operatorEmail)
	require.NoError(t, err)
	assert.Equal(t, tenancy.RoleOperator, op.Role)
}

// failingStore refuses the nth CreateAccount, as a crash halfway through
// the first start would leave things.
type failingStore struct {
	tenancy.Store
	n, calls int
}

var errCrash = errors.New("simulated crash")

func (s *failingStore) CreateAccount(ctx context.Context, r tenancy.NewAccount) error {
	if s.calls++; s.calls == s.n {
		return errCrash
	}
	return s.Store.CreateAccount(ctx, r)
}

func TestSeedResumesAfterAnInterruptedStart(t *testing.T) {
	t.Parallel()
	env := newSeedEnv(t)
	ctx := context.Background()
	now := time.Now()
	failing := env
	failing.store = &failingStore{Store: env.store, n: 12}
	_, err := seedDemo(ctx, failing, now)
	require.ErrorIs(t, err, errCrash)
	accounts, _ := snapshot(t, env)
	assert.Equal(t, 11, accounts)

	seeded, err := seedDemo(ctx, env, now.Add(time.Minute))
	require.NoError(t, err)
	assert.True(t, seeded, "the next start finishes the seeding")
	accounts, _ = snapshot(t, env)
	assert.Equal(t, len(demoAccounts), accounts)
	lics, err := env.portal.Licensing.ListLicenses(ctx, licensing.ListLicensesParams{PlatformID: demoPlatformID, Limit: 500})
	require.NoError(t, err)
	assert.Len(t, lics.Licenses, licensedDemoAccounts(), "one license per licensed account, none twice")

	seeded, err = seedDemo(ctx, env, now.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, seeded)
}

// TestSeedStates checks that the seeded accounts are in the states the
// demo data describes, the expired trial included.
func TestSeedStates(t *testing.T) {
	t.Parallel()
	env := newSeedEnv(t)
	ctx := context.Background()
	now := time.Now()
	_, err := seedDemo(ctx, env, now)
	require.NoError(t, err)
	svc := tenancy.New(env.store, &testConfig)
	for _, d := range demoAccounts {
		acc, err := svc.AccountByNickname(ctx, demoPlatformID, d.Nickname)
		require.NoError(t, err, d.Name)
		assert.Equal(t, d.Locked, acc.Locked, d.Name)
		assert.Equal(t, d.Disabled, acc.Status == tenancy.AccountDisabled, d.Name)
		assert.Equal(t, d.Secure, acc.Secure, d.Name)
		assert.Equal(t, d.Template, acc.Template, d.Name)
		assert.Equal(t, d.Complete, !acc.InSetup(), d.Name)
		assert.Len(t, acc.Onboarding.StepsDone, d.StepsDone, d.Name)
		assert.Equal(t, d.TestEndsIn != 0, acc.IsTest(), d.Name)
		assert.Equal(t, d.TestEndsIn < 0, acc.TestExpired(now), d.Name)
		assert.WithinDuration(t, now.Add(-time.Duration(d.DaysAgo)*day), acc.CreatedAt, time.Second, d.Name)
		ms, err := svc.Members(ctx, demoPlatformID, acc.ID)
		require.NoError(t, err)
		assert.Len(t, ms, 1+len(d.Team), d.Name)
	}
}

// licensedDemoAccounts counts the demo accounts the seed licenses.
func licensedDemoAccounts() int {
	n := 0
	for i := range demoAccounts {
		if i%11 != 5 {
			n++
		}
	}
	return n
}

// TestSeedExtras checks licensing, activity and branding.
func TestSeedExtras(t *testing.T) {
	t.Parallel()
	env := newSeedEnv(t)
	ctx := context.Background()
	now := time.Now()
	_, err := seedDemo(ctx, env, now)
	require.NoError(t, err)
	p := env.portal
	statuses := map[licensing.Status]int{}
	lics, err := p.Licensing.ListLicenses(ctx, licensing.ListLicensesParams{PlatformID: demoPlatformID, Limit: 500})
	require.NoError(t, err)
	for _, l := range lics.Licenses {
		statuses[l.StatusAt(now)]++
	}
	assert.Positive(t, statuses[licensing.Active])
	assert.Positive(t, statuses[licensing.Expired])
	assert.Positive(t, statuses[licensing.Revoked])
	acc, err := p.Tenancy.AccountByNickname(ctx, demoPlatformID, "northwind")
	require.NoError(t, err)
	series, err := p.Tenancy.Activity(ctx, demoPlatformID, acc.ID)
	require.NoError(t, err)
	require.NotEmpty(t, series)
	var total int64
	for _, n := range series[0].Days {
		total += n
	}
	assert.Positive(t, total)
	th, err := p.Branding.Theme(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Equal(t, "Demo Chat", th.ProductName)
}
