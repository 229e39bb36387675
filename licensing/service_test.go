package licensing_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
)

var catalog = []licensing.Feature{{Key: "live_chat", Name: "Live chat"}, {Key: "analytics", Name: "Analytics"}, {Key: "sms", Name: "SMS"}}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type fixture struct {
	svc   *licensing.Service
	store *memstore.Store
	clock *clock
	ctx   context.Context
	plan  licensing.Plan
	state map[string]licensing.AccountState
	mu    sync.Mutex
}

func newFixture(t testing.TB, cfg *licensing.Config) *fixture {
	f := &fixture{store: memstore.New(nil), clock: &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)},
		ctx: audit.WithPrincipal(context.Background(), audit.System("test")), state: map[string]licensing.AccountState{}}
	c := licensing.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.Now, c.Features = f.clock.Now, catalog
	c.AccountState = func(_ context.Context, _, accountID string) (licensing.AccountState, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.state[accountID], nil
	}
	f.svc = licensing.New(f.store, &c)
	var err error
	f.plan, err = f.svc.CreatePlan(f.ctx, licensing.PlanParams{PlatformID: "p1", ID: "basic", Name: "Basic",
		Features: []string{"live_chat"}, Limits: map[string]int64{licensing.LimitBots: 2}})
	require.NoError(t, err)
	return f
}

func (f *fixture) issue(t *testing.T, account string, grace time.Duration) licensing.License {
	l, err := f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: account,
		EndsAt: f.clock.Now().Add(30 * 24 * time.Hour), Grace: grace})
	require.NoError(t, err)
	return l
}

func (f *fixture) check(t *testing.T, account, feature string) licensing.Decision {
	d, err := f.svc.Gate().Check(context.Background(), "p1", account, feature)
	require.NoError(t, err)
	return d
}

func TestGateFollowsLicenseAndClock(t *testing.T) {
	f := newFixture(t, nil)
	assert.Equal(t, licensing.ReasonNoLicense, f.check(t, "a1", "").Reason)
	l := f.issue(t, "a1", 48*time.Hour)
	assert.True(t, f.check(t, "a1", "live_chat").Allowed, "the issue is seen at once")
	assert.Equal(t, licensing.ReasonFeatureOff, f.check(t, "a1", "analytics").Reason)
	d, err := f.svc.Gate().CheckLimit(context.Background(), "p1", "a1", licensing.LimitBots, 2)
	require.NoError(t, err)
	assert.Equal(t, licensing.ReasonLimitReached, d.Reason)
	d, _ = f.svc.Gate().CheckLimit(context.Background(), "p1", "a1", licensing.LimitBots, 1)
	assert.True(t, d.Allowed)

	// Overrides switch features per account, at once.
	require.NoError(t, f.svc.SetOverride(f.ctx, "p1", "a1", "analytics", true))
	assert.True(t, f.check(t, "a1", "analytics").Allowed)
	require.NoError(t, f.svc.SetOverride(f.ctx, "p1", "a1", "live_chat", false))
	assert.Equal(t, licensing.ReasonFeatureOff, f.check(t, "a1", "live_chat").Reason)
	require.NoError(t, f.svc.ClearOverride(f.ctx, "p1", "a1", "live_chat"))
	assert.True(t, f.check(t, "a1", "live_chat").Allowed)

	// A missed payment: allowed through the grace period, then not — with
	// no sweeper and nothing forgotten, only the clock moving.
	_, err = f.svc.RecordPaymentFailed(f.ctx, "p1", l.ID)
	require.NoError(t, err)
	assert.True(t, f.check(t, "a1", "").Allowed)
	f.clock.Advance(48 * time.Hour)
	assert.Equal(t, licensing.ReasonLicenseInactive, f.check(t, "a1", "").Reason)
	_, err = f.svc.RecordPayment(f.ctx, "p1", l.ID)
	require.NoError(t, err)
	assert.True(t, f.check(t, "a1", "").Allowed)

	// Past the end: no at once, before any sweeper runs.
	f.clock.Advance(30 * 24 * time.Hour)
	assert.Equal(t, licensing.ReasonLicenseExpired, f.check(t, "a1", "").Reason)
	res, err := f.svc.Sweep(f.ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, licensing.SweepResult{Expired: 1}, res)
	res, err = f.svc.Sweep(f.ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, licensing.SweepResult{}, res, "recorded once")
	hist, err := f.svc.History(context.Background(), "p1", l.ID)
	require.NoError(t, err)
	var kinds []licensing.EventKind
	for _, h := range hist {
		kinds = append(kinds, h.Kind)
	}
	assert.Equal(t, []licensing.EventKind{licensing.Issued, licensing.Assigned, licensing.PaymentFailed, licensing.Lapsed,
		licensing.Reactivated, licensing.ExpiredEvent}, kinds)
	_, err = f.svc.Renew(f.ctx, "p1", l.ID, f.clock.Now().Add(24*time.Hour))
	require.NoError(t, err)
	assert.True(t, f.check(t, "a1", "").Allowed)
	_, err = f.svc.Revoke(f.ctx, "p1", l.ID)
	require.NoError(t, err)
	assert.Equal(t, licensing.ReasonLicenseRevoked, f.check(t, "a1", "").Reason)
}

func TestGateAccountState(t *testing.T) {
	f := newFixture(t, nil)
	f.issue(t, "a1", 0)
	assert.True(t, f.check(t, "a1", "").Allowed)
	for _, tc := range []struct {
		state licensing.AccountState
		want  licensing.Reason
	}{
		{licensing.AccountState{Locked: true, Disabled: true}, licensing.ReasonAccountLocked},
		{licensing.AccountState{Disabled: true}, licensing.ReasonAccountDisabled},
		{licensing.AccountState{Missing: true}, licensing.ReasonAccountDeleted},
		{licensing.AccountState{TestExpired: true}, licensing.ReasonTestExpired},
	} {
		f.mu.Lock()
		f.state["a1"] = tc.state
		f.mu.Unlock()
		require.NoError(t, f.svc.Gate().Invalidate(context.Background(), "p1", "a1"))
		assert.Equal(t, tc.want, f.check(t, "a1", "").Reason)
	}
}

func TestOneActiveLicensePerAccount(t *testing.T) {
	f := newFixture(t, nil)
	first := f.issue(t, "a1", 0)
	_, err := f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "a1", EndsAt: f.clock.Now().Add(time.Hour)})
	require.ErrorIs(t, err, licensing.ErrConflict)
	spare := f.issue(t, "", 0)
	_, err = f.svc.Assign(f.ctx, "p1", spare.ID, "a1")
	require.ErrorIs(t, err, licensing.ErrConflict)
	// Once the first has ended, the spare can take over, and the first's
	// expiry is recorded on the way.
	f.clock.Advance(31 * 24 * time.Hour)
	spare, err = f.svc.Renew(f.ctx, "p1", spare.ID, f.clock.Now().Add(24*time.Hour))
	require.NoError(t, err)
	_, err = f.svc.Assign(f.ctx, "p1", spare.ID, "a1")
	require.NoError(t, err)
	old, err := f.svc.License(context.Background(), "p1", first.ID)
	require.NoError(t, err)
	assert.Equal(t, licensing.Expired, old.Status)
	assert.True(t, f.check(t, "a1", "").Allowed)
	// Moving a license moves the right to be served.
	_, err = f.svc.Move(f.ctx, "p1", spare.ID, "a2")
	require.NoError(t, err)
	assert.Equal(t, licensing.ReasonLicenseExpired, f.check(t, "a1", "").Reason)
	assert.True(t, f.check(t, "a2", "").Allowed)
}

func TestBadInputWritesNothing(t *testing.T) {
	f := newFixture(t, nil)
	now := f.clock.Now()
	cases := map[string]error{
		"unknown plan": errOf(f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "gold", EndsAt: now.Add(time.Hour)})),
		"end before start": errOf(f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic",
			StartsAt: now, EndsAt: now.Add(-time.Hour)})),
		"negative grace":           errOf(f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", EndsAt: now.Add(time.Hour), Grace: -1})),
		"unknown feature":          errOf(f.svc.CreatePlan(f.ctx, licensing.PlanParams{PlatformID: "p1", Name: "X", Features: []string{"teleport"}})),
		"negative limit":           errOf(f.svc.CreatePlan(f.ctx, licensing.PlanParams{PlatformID: "p1", Name: "X", Limits: map[string]int64{"bots": -1}})),
		"override unknown feature": f.svc.SetOverride(f.ctx, "p1", "a1", "teleport", true),
		"negative credit":          errOf(f.svc.GrantCredits(f.ctx, licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS, Amount: -5})),
		"zero debit":               errOf(f.svc.DebitCredits(f.ctx, licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS})),
		"bad credit kind":          errOf(f.svc.GrantCredits(f.ctx, licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: "SMS!", Amount: 5})),
		"renew into the past":      errOf(f.svc.Renew(f.ctx, "p1", "x", now.Add(-time.Hour))),
		"unknown status filter":    errOf(f.svc.ListLicenses(context.Background(), licensing.ListLicensesParams{PlatformID: "p1", Status: "zombie"})),
	}
	for name, err := range cases {
		require.ErrorIs(t, err, licensing.ErrInvalid, name)
		var ie *licensing.InvalidError
		require.ErrorAs(t, err, &ie, name)
		assert.NotEmpty(t, ie.Field, name)
	}
	page, err := f.svc.ListLicenses(context.Background(), licensing.ListLicensesParams{PlatformID: "p1"})
	require.NoError(t, err)
	assert.Empty(t, page.Licenses)
	plans, err := f.svc.Plans(context.Background(), "p1")
	require.NoError(t, err)
	assert.Len(t, plans, 1)
	bal, err := f.svc.Balances(context.Background(), "p1", "a1")
	require.NoError(t, err)
	assert.Empty(t, bal)
	events, err := f.store.Audit().List(context.Background(), audit.StoreQuery{PlatformID: "p1", Limit: 100})
	require.NoError(t, err)
	assert.Len(t, events, 1, "only the plan of the fixture")
}

func errOf[T any](_ T, err error) error { return err }

func TestCredits(t *testing.T) {
	f := newFixture(t, nil)
	grant := licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS, Amount: 50, Reason: "top-up"}
	r, err := f.svc.GrantCredits(f.ctx, grant)
	require.NoError(t, err)
	assert.True(t, r.Applied)
	assert.EqualValues(t, 50, r.Entry.Balance)
	debit := licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS, Amount: 1, IdempotencyKey: "msg-1"}
	for range 3 {
		r, err = f.svc.DebitCredits(f.ctx, debit)
		require.NoError(t, err)
	}
	assert.False(t, r.Applied, "a retry applies once")
	bal, err := f.svc.Balances(context.Background(), "p1", "a1")
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{licensing.CreditSMS: 49}, bal)
	_, err = f.svc.DebitCredits(f.ctx, licensing.CreditParams{PlatformID: "p1", AccountID: "a1", Kind: licensing.CreditSMS, Amount: 50})
	require.ErrorIs(t, err, licensing.ErrInsufficientCredits)
	page, err := f.svc.CreditHistory(context.Background(), "p1", "a1", "", "", 1)
	require.NoError(t, err)
	require.Len(t, page.Entries, 1)
	assert.EqualValues(t, -1, page.Entries[0].Delta)
	page, err = f.svc.CreditHistory(context.Background(), "p1", "a1", "", page.Next, 1)
	require.NoError(t, err)
	assert.EqualValues(t, 50, page.Entries[0].Delta)
	assert.Empty(t, page.Next)
}

func TestAuthorize(t *testing.T) {
	f := newFixture(t, &licensing.Config{Authorize: func(_ context.Context, a licensing.Action) error {
		if a.Principal.IsSystem() {
			return nil
		}
		return errors.New("only the host manages licenses here")
	}})
	user := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "u1"})
	_, err := f.svc.Issue(user, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", EndsAt: f.clock.Now().Add(time.Hour)})
	require.ErrorIs(t, err, licensing.ErrForbidden)
	_, err = f.svc.Issue(context.Background(), licensing.IssueParams{PlatformID: "p1", PlanID: "basic", EndsAt: f.clock.Now().Add(time.Hour)})
	require.ErrorIs(t, err, licensing.ErrForbidden, "no principal")
	other := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p2", UserID: "u1"})
	require.ErrorIs(t, f.svc.SetOverride(other, "p1", "a1", "sms", true), licensing.ErrForbidden)
}

func TestPartnerView(t *testing.T) {
	f := newFixture(t, nil)
	f.issue(t, "a1", 0)
	require.NoError(t, f.svc.SetHiddenFeatures(f.ctx, "p1", []string{"sms"}))
	require.NoError(t, f.svc.SetOverride(f.ctx, "p1", "a1", "sms", true))
	client, err := f.svc.Features(context.Background(), "p1", "a1", false)
	require.NoError(t, err)
	partner, err := f.svc.Features(context.Background(), "p1", "a1", true)
	require.NoError(t, err)
	assert.Len(t, client, 2)
	require.Len(t, partner, 3)
	assert.Equal(t, licensing.FeatureView{Feature: catalog[2], Enabled: true, Overridden: true, Hidden: true}, partner[2])
	assert.True(t, partner[0].Enabled, "live chat from the plan")
	assert.False(t, partner[1].Enabled)
}

// TestMissingAccountRefused: a license, credits or an override for an
// account the host reports missing is refused as not found and nothing is
// written; taking credits back and revoking stay possible.
func TestMissingAccountRefused(t *testing.T) {
	f := newFixture(t, nil)
	f.state["gone"] = licensing.AccountState{Missing: true}
	_, err := f.svc.Issue(f.ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "gone", EndsAt: f.clock.Now().Add(time.Hour)})
	require.ErrorIs(t, err, licensing.ErrNotFound)
	free := f.issue(t, "", 0)
	_, err = f.svc.Assign(f.ctx, "p1", free.ID, "gone")
	require.ErrorIs(t, err, licensing.ErrNotFound)
	held := f.issue(t, "a1", 0)
	_, err = f.svc.Move(f.ctx, "p1", held.ID, "gone")
	require.ErrorIs(t, err, licensing.ErrNotFound)
	_, err = f.svc.GrantCredits(f.ctx, licensing.CreditParams{PlatformID: "p1", AccountID: "gone", Kind: licensing.CreditSMS, Amount: 5})
	require.ErrorIs(t, err, licensing.ErrNotFound)
	require.ErrorIs(t, f.svc.SetOverride(f.ctx, "p1", "gone", "live_chat", true), licensing.ErrNotFound)

	page, err := f.svc.ListLicenses(f.ctx, licensing.ListLicensesParams{PlatformID: "p1", AccountID: "gone"})
	require.NoError(t, err)
	require.Empty(t, page.Licenses, "nothing landed on the missing account")
	got, err := f.svc.License(f.ctx, "p1", held.ID)
	require.NoError(t, err)
	require.Equal(t, "a1", got.AccountID, "the move was refused whole")

	f.state["a1"] = licensing.AccountState{Missing: true} // deleted since
	_, err = f.svc.Revoke(f.ctx, "p1", held.ID)
	require.NoError(t, err, "a deleted account's license can still be revoked")
}
