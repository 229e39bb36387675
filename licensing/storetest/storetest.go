package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/licensing"
)

// Harness is what a Store implementation gives the suite.
type Harness struct {
	// Store is the store under test.
	Store licensing.Store
	// Audit reads back the events the Store wrote (same database or
	// memory).
	Audit audit.Store
}

// Run runs every conformance test against stores made by newHarness.
//
// newHarness is called once per subtest, after t.Parallel; it may return the
// same store, or stores over one shared database, to several subtests.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := conformance.Tests[Harness]{
		{"LicenseRoundTrip", testLicenseRoundTrip},
		{"LicenseGetByNumber", testLicenseGetByNumber},
		{"LicenseWriteInOrder", testLicenseWriteInOrder},
		{"LicenseWriteReplaceActive", testLicenseWriteReplaceActive},
		{"LicenseWriteAllOrNothing", testLicenseWriteAllOrNothing},
		{"LicenseUpdate", testLicenseUpdate},
		{"LicenseUpdateStale", testLicenseUpdateStale},
		{"LicenseUpdateNotFound", testLicenseUpdateNotFound},
		{"LicenseNumberTaken", testLicenseNumberTaken},
		{"LicenseHistoryOrder", testLicenseHistoryOrder},
		{"LicenseOneActivePerAccount", testLicenseOneActivePerAccount},
		{"AccountLicense", testAccountLicense},
		{"ListLicensesFilters", testListLicensesFilters},
		{"ListLicensesNumberLiteral", testListLicensesNumberLiteral},
		{"ListLicensesPagination", testListLicensesPagination},
		{"DueLicenses", testDueLicenses},
		{"DueLicensesBoundaries", testDueLicensesBoundaries},

		{"PlanRoundTrip", testPlanRoundTrip},
		{"PlanEmptyIsNil", testPlanEmptyIsNil},
		{"PlanNameTaken", testPlanNameTaken},
		{"PlanUpdate", testPlanUpdate},
		{"PlanUpdateStale", testPlanUpdateStale},
		{"PlanUpdateNotFound", testPlanUpdateNotFound},
		{"PlanUpdateNameTaken", testPlanUpdateNameTaken},
		{"PlansByName", testPlansByName},
		{"Overrides", testOverrides},
		{"HiddenFeatures", testHiddenFeatures},

		{"CreditGrantAndDebit", testCreditGrantAndDebit},
		{"CreditInsufficient", testCreditInsufficient},
		{"CreditIdempotency", testCreditIdempotency},
		{"CreditAccountsApart", testCreditAccountsApart},
		{"CreditHistoryPagination", testCreditHistoryPagination},

		{"GateFacts", testGateFacts},
		{"ChangeListener", testChangeListener},

		{"PlatformIsolation", testPlatformIsolation},
		{"PlatformSameIDs", testPlatformSameIDs},

		{"RaceAssignActive2", testRaceAssignActive2},
		{"RaceAssignActive16", testRaceAssignActive16},
		{"RaceInsertActive2", testRaceInsertActive2},
		{"RaceInsertActive16", testRaceInsertActive16},
		{"RaceActiveMixed16", testRaceActiveMixed16},
		{"RaceUpdateLicense", testRaceUpdateLicense},
		{"RaceDebits", testRaceDebits},
		{"RaceIdempotencyKey", testRaceIdempotencyKey},
	}
	conformance.Run(t, "", tests, newHarness)
}

// base is the suite's fixed clock. It carries microseconds on purpose, so
// that a store keeping less precision fails the round trips.
var base = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// day is 24 hours.
const day = 24 * time.Hour

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// actor is the ActorID of every event and entry the suite builds.
const actor = "system:storetest"

// listAll is the limit used to list "everything" of a subtest's platform.
const listAll = 500

// newID returns a new UUIDv7 string, as licensing.Service makes IDs.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// newNumber returns a random human-readable license number
// ("LIC-7K4M-9Q2X").
func newNumber() string {
	h := strings.ToUpper(strings.ReplaceAll(uuid.NewString(), "-", ""))
	return "LIC-" + h[:4] + "-" + h[4:8]
}

// env is one subtest's view of the stores: a context, and a platform of its
// own that every builder uses.
type env struct {
	t      *testing.T
	ctx    context.Context
	s      licensing.Store
	a      audit.Store
	pid    string
	planID string // default PlanID of new licenses
	seq    *atomic.Int64
}

// setup checks h and picks a new platform for the subtest.
func setup(t *testing.T, h Harness) *env {
	t.Helper()
	require.NotNil(t, h.Store, "Harness.Store")
	require.NotNil(t, h.Audit, "Harness.Audit")
	return &env{t: t, ctx: t.Context(), s: h.Store, a: h.Audit, pid: newID(), planID: newID(), seq: new(atomic.Int64)}
}

// other returns an env over the same stores on another new platform.
func (e *env) other() *env {
	o := *e
	o.pid = newID()
	return &o
}

// with returns e for subtest t.
func (e *env) with(t *testing.T) *env {
	o := *e
	o.t = t
	return &o
}

// next returns the next number of the subtest's sequence.
func (e *env) next() int64 { return e.seq.Add(1) }

// event returns a valid event of e's platform about target, with one
// change so that stores must keep Changes too.
func (e *env) event(action, accountID, targetType, targetID string) audit.Event {
	return audit.Event{
		PlatformID: e.pid, ID: newID(), At: base, AccountID: accountID,
		ActorID: actor, Action: action, TargetType: targetType, TargetID: targetID,
		Reason:  "storetest",
		Changes: []audit.Change{{Field: "n", Before: "", After: fmt.Sprint(e.next())}},
	}
}

// ---- licenses ----

// newLicense returns a valid Active license of e's platform assigned to
// account (empty: unassigned), with every field but PaymentFailedAt set,
// not stored. Its times are all after base.
func (e *env) newLicense(account string) licensing.License {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 1001*time.Microsecond)
	return licensing.License{
		PlatformID: e.pid,
		ID:         newID(),
		Number:     newNumber(),
		AccountID:  account,
		PlanID:     e.planID,
		Status:     licensing.Active,
		StartsAt:   created,
		EndsAt:     created.Add(365*day + 999999*time.Microsecond),
		Grace:      7*day + 3*time.Microsecond,
		Version:    1,
		CreatedAt:  created,
		UpdatedAt:  created.Add(2 * time.Microsecond),
	}
}

// entry returns a history entry of l of kind at when, not stored.
func entry(l licensing.License, kind licensing.EventKind, when time.Time) licensing.HistoryEntry {
	return licensing.HistoryEntry{
		PlatformID: l.PlatformID, LicenseID: l.ID, ID: newID(), Kind: kind,
		AccountID: l.AccountID, ActorID: actor, Detail: "storetest " + string(kind), At: when,
	}
}

// insertChange returns the change inserting l with its Issued entry.
func insertChange(l licensing.License) licensing.LicenseChange {
	return licensing.LicenseChange{License: l, Insert: true, History: []licensing.HistoryEntry{entry(l, licensing.Issued, l.CreatedAt)}}
}

// updateChange returns the change writing l (whose Version is already the
// new one) with one entry of kind.
func updateChange(l licensing.License, kind licensing.EventKind) licensing.LicenseChange {
	return licensing.LicenseChange{License: l, History: []licensing.HistoryEntry{entry(l, kind, l.UpdatedAt)}}
}

// licenseEvent returns the event of a write of license l.
func (e *env) licenseEvent(action string, l licensing.License) audit.Event {
	return e.event(action, l.AccountID, "license", l.ID)
}

// insert stores ls in one call, each with its Issued entry, and checks
// that the call's event landed.
func (e *env) insert(ls ...licensing.License) []licensing.License {
	e.t.Helper()
	changes := make([]licensing.LicenseChange, len(ls))
	for i, l := range ls {
		changes[i] = insertChange(l)
	}
	ev := e.licenseEvent("license.issue", ls[0])
	require.NoError(e.t, e.s.WriteLicenses(e.ctx, changes, ev), "insert %d licenses", len(ls))
	e.requireEvent(ev)
	return ls
}

// license builds a license of account, applies mods and stores it.
func (e *env) license(account string, mods ...func(*licensing.License)) licensing.License {
	e.t.Helper()
	l := e.newLicense(account)
	for _, m := range mods {
		m(&l)
	}
	return e.insert(l)[0]
}

// update stores l changed by mod with its version bumped and UpdatedAt one
// hour later, with one entry of kind, and returns what was stored.
func (e *env) update(l licensing.License, kind licensing.EventKind, mod func(*licensing.License)) licensing.License {
	e.t.Helper()
	mod(&l)
	l.Version++
	l.UpdatedAt = l.UpdatedAt.Add(time.Hour)
	ev := e.licenseEvent("license.update", l)
	require.NoError(e.t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{updateChange(l, kind)}, ev), "update license %s", l.ID)
	e.requireEvent(ev)
	return l
}

// requireStored checks that each license is stored as given.
func (e *env) requireStored(ls ...licensing.License) {
	e.t.Helper()
	for _, l := range ls {
		got, err := e.s.GetLicense(e.ctx, l.PlatformID, l.ID)
		require.NoError(e.t, err, "get license %s", l.ID)
		requireLicense(e.t, l, got)
	}
}

// requireNoLicense checks that license id does not exist on e's platform.
func (e *env) requireNoLicense(id string) {
	e.t.Helper()
	_, err := e.s.GetLicense(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, licensing.ErrNotFound, "license %s must not exist", id)
}

// history returns the stored history of license id.
func (e *env) history(id string) []licensing.HistoryEntry {
	e.t.Helper()
	hs, err := e.s.History(e.ctx, e.pid, id)
	require.NoError(e.t, err, "history of %s", id)
	return hs
}

// requireNoHistory checks that license id has no history on platform pid
// (ErrNotFound or an empty list).
func (e *env) requireNoHistory(pid, id string) {
	e.t.Helper()
	hs, err := e.s.History(e.ctx, pid, id)
	if err != nil {
		require.ErrorIs(e.t, err, licensing.ErrNotFound, "history of %s", id)
		return
	}
	require.Empty(e.t, hs, "history of %s", id)
}

// requireHistory checks that license id's history is want, in order.
func (e *env) requireHistory(id string, want ...licensing.HistoryEntry) {
	e.t.Helper()
	got := e.history(id)
	for _, h := range got {
		conformance.RequireUTC(e.t, "history entry "+h.ID, h.At)
	}
	if len(want) == 0 {
		require.Empty(e.t, got, "history of %s", id)
		return
	}
	require.Equal(e.t, want, got, "history of %s", id)
}

// list returns the licenses matching q on e's platform.
func (e *env) list(q licensing.LicenseQuery) []licensing.License {
	e.t.Helper()
	q.PlatformID = e.pid
	if q.Limit == 0 {
		q.Limit = listAll
	}
	ls, err := e.s.ListLicenses(e.ctx, q)
	require.NoError(e.t, err, "list licenses %+v", q)
	return ls
}

// requireLicense checks that got is want, field by field.
func requireLicense(t *testing.T, want, got licensing.License) {
	t.Helper()
	conformance.RequireUTC(t, "license "+want.ID, got.StartsAt, got.EndsAt, got.PaymentFailedAt, got.CreatedAt, got.UpdatedAt)
	require.Equal(t, want, got, "license %s", want.ID)
}

// requireLicenses checks that got is want, in order.
func requireLicenses(t *testing.T, want, got []licensing.License) {
	t.Helper()
	require.Equal(t, licenseIDs(want), licenseIDs(got), "license IDs")
	for i := range want {
		requireLicense(t, want[i], got[i])
	}
}

func licenseIDs(ls []licensing.License) []string {
	return conformance.IDs(ls, func(l licensing.License) string { return l.ID })
}

// newestFirst returns ls sorted as ListLicenses orders them.
func newestFirst(ls []licensing.License) []licensing.License {
	ls = slices.Clone(ls)
	slices.SortFunc(ls, func(a, b licensing.License) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return ls
}

// ---- plans ----

// newPlan returns a valid plan of e's platform with features and limits,
// not stored.
func (e *env) newPlan(name string) licensing.Plan {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 3003*time.Microsecond)
	return licensing.Plan{
		PlatformID: e.pid,
		ID:         newID(),
		Name:       name,
		Features:   []string{"analytics", "live_chat", "webhooks"},
		Limits: map[string]int64{
			licensing.LimitSeats:            5,
			licensing.LimitBots:             0,
			licensing.LimitTeamMembers:      10,
			licensing.LimitMessagesPerMonth: 1<<53 + 1, // not exact as a float64
		},
		Version:   1,
		CreatedAt: created,
		UpdatedAt: created.Add(4 * time.Microsecond),
	}
}

// insertPlan stores p and checks its event landed.
func (e *env) insertPlan(p licensing.Plan) licensing.Plan {
	e.t.Helper()
	ev := e.event("plan.create", "", "plan", p.ID)
	require.NoError(e.t, e.s.InsertPlan(e.ctx, p, ev), "insert plan %s", p.Name)
	e.requireEvent(ev)
	return p
}

// plan builds a plan named name, applies mods and stores it.
func (e *env) plan(name string, mods ...func(*licensing.Plan)) licensing.Plan {
	e.t.Helper()
	p := e.newPlan(name)
	for _, m := range mods {
		m(&p)
	}
	return e.insertPlan(p)
}

// requirePlan checks that got is want, field by field.
func requirePlan(t *testing.T, want, got licensing.Plan) {
	t.Helper()
	conformance.RequireUTC(t, "plan "+want.ID, got.CreatedAt, got.UpdatedAt)
	require.Equal(t, want, got, "plan %s", want.ID)
}

// requirePlanStored checks that p is stored as given.
func (e *env) requirePlanStored(p licensing.Plan) {
	e.t.Helper()
	got, err := e.s.GetPlan(e.ctx, p.PlatformID, p.ID)
	require.NoError(e.t, err, "get plan %s", p.ID)
	requirePlan(e.t, p, got)
}

// ---- overrides ----

// override returns account's override of feature, not stored.
func (e *env) override(account, feature string, enabled bool) licensing.Override {
	n := e.next()
	return licensing.Override{
		PlatformID: e.pid, AccountID: account, Feature: feature, Enabled: enabled,
		UpdatedAt: at(time.Duration(n)*time.Second + 5005*time.Microsecond),
	}
}

// setOverride stores o and checks its event landed.
func (e *env) setOverride(o licensing.Override) licensing.Override {
	e.t.Helper()
	ev := e.event("feature.override", o.AccountID, "feature", o.Feature)
	require.NoError(e.t, e.s.SetOverride(e.ctx, o, ev), "set override %s", o.Feature)
	e.requireEvent(ev)
	return o
}

// overrides returns account's stored overrides.
func (e *env) overrides(account string) []licensing.Override {
	e.t.Helper()
	os, err := e.s.Overrides(e.ctx, e.pid, account)
	require.NoError(e.t, err, "overrides of %s", account)
	for _, o := range os {
		conformance.RequireUTC(e.t, "override "+o.Feature, o.UpdatedAt)
	}
	return os
}

// requireOverrides checks that account's overrides are want, by feature.
func (e *env) requireOverrides(account string, want ...licensing.Override) {
	e.t.Helper()
	got := e.overrides(account)
	if len(want) == 0 {
		require.Empty(e.t, got, "overrides of %s", account)
		return
	}
	require.Equal(e.t, want, got, "overrides of %s", account)
}

// ---- credits ----

// credit returns an entry of account changing kind by delta, not applied.
// Its At follows every earlier entry of the subtest.
func (e *env) credit(account, kind string, delta int64) licensing.CreditEntry {
	n := e.next()
	return licensing.CreditEntry{
		PlatformID: e.pid, AccountID: account, Kind: kind, ID: newID(), Delta: delta,
		Reason: fmt.Sprintf("storetest %d", n), ActorID: actor,
		At: at(time.Duration(n)*time.Second + 7007*time.Microsecond),
	}
}

// creditEvent returns the event of applying c.
func (e *env) creditEvent(c licensing.CreditEntry) audit.Event {
	return e.event("credit.apply", c.AccountID, "credit", c.ID)
}

// apply applies c, checks that it was applied with the balance want and
// that its event landed, and returns the stored entry.
func (e *env) apply(c licensing.CreditEntry, want int64) licensing.CreditEntry {
	e.t.Helper()
	ev := e.creditEvent(c)
	got, applied, err := e.s.ApplyCredit(e.ctx, c, ev)
	require.NoError(e.t, err, "apply credit %+d %s", c.Delta, c.Kind)
	require.True(e.t, applied, "credit %s applied", c.ID)
	c.Balance = want
	requireCredit(e.t, c, got)
	e.requireEvent(ev)
	return c
}

// requireCredit checks that got is want, field by field.
func requireCredit(t *testing.T, want, got licensing.CreditEntry) {
	t.Helper()
	conformance.RequireUTC(t, "credit "+want.ID, got.At)
	require.Equal(t, want, got, "credit %s", want.ID)
}

// balances returns account's balances on e's platform.
func (e *env) balances(account string) map[string]int64 {
	e.t.Helper()
	b, err := e.s.Balances(e.ctx, e.pid, account)
	require.NoError(e.t, err, "balances of %s", account)
	return b
}

// creditHistory returns the entries matching q on e's platform.
func (e *env) creditHistory(q licensing.CreditQuery) []licensing.CreditEntry {
	e.t.Helper()
	q.PlatformID = e.pid
	if q.Limit == 0 {
		q.Limit = listAll
	}
	cs, err := e.s.CreditHistory(e.ctx, q)
	require.NoError(e.t, err, "credit history %+v", q)
	return cs
}

// requireCreditHistory checks that account's entries (of kind, if set) are
// want, in order.
func (e *env) requireCreditHistory(account, kind string, want ...licensing.CreditEntry) {
	e.t.Helper()
	got := e.creditHistory(licensing.CreditQuery{AccountID: account, Kind: kind})
	if len(want) == 0 {
		require.Empty(e.t, got, "credit history of %s", account)
		return
	}
	require.Equal(e.t, creditIDs(want), creditIDs(got), "credit history of %s", account)
	for i := range want {
		requireCredit(e.t, want[i], got[i])
	}
}

func creditIDs(cs []licensing.CreditEntry) []string {
	return conformance.IDs(cs, func(c licensing.CreditEntry) string { return c.ID })
}

// newestCreditsFirst returns cs sorted as CreditHistory orders them.
func newestCreditsFirst(cs []licensing.CreditEntry) []licensing.CreditEntry {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b licensing.CreditEntry) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return cs
}

// ---- events ----

// events reads back what the subtest's stores recorded.
func (e *env) events() conformance.Events {
	return conformance.Events{T: e.t, Ctx: e.ctx, Store: e.a, Limit: listAll}
}

// requireEvent checks that each event was recorded as given.
func (e *env) requireEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().Require(evs...)
}

// requireNoEvent checks that none of evs was recorded on its platform.
func (e *env) requireNoEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().RequireNone(evs...)
}
