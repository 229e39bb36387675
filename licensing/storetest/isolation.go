package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/licensing"
)

// testPlatformIsolation calls every method with another platform's ID on
// platform A's records: each is ErrNotFound or finds nothing, writes
// nothing, and A's records stay as they were.
func testPlatformIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	x := newID()
	plan := a.plan("Pro")
	lic := a.license(x, func(l *licensing.License) { l.PlanID = plan.ID })
	hist := a.history(lic.ID)
	ov := a.setOverride(a.override(x, "live_chat", true))
	hiddenA := []string{"analytics", "webhooks"}
	require.NoError(t, a.s.SetHiddenFeatures(a.ctx, a.pid, hiddenA, a.event("feature.hide", "", "platform", a.pid)))
	g := a.credit(x, licensing.CreditSMS, 10)
	g.IdempotencyKey = "key-" + newID()
	grant := a.apply(g, 10)

	b := a.other()
	b.license(newID()) // B is not empty
	b.plan("Basic")
	b.setOverride(b.override(newID(), "sms", true))
	b.apply(b.credit(newID(), licensing.CreditSMS, 1), 1)

	// Reach for A's records from another platform, and from none.
	conformance.OtherPlatforms(t, b.pid, newID(), func(t *testing.T, pid string) {
		ctx, s := a.ctx, a.s
		var evs []audit.Event
		ev := func(action string) audit.Event {
			e := audit.Event{PlatformID: pid, ID: newID(), At: base, ActorID: actor, Action: action}
			evs = append(evs, e)
			return e
		}
		notFound := func(err error, what string) {
			t.Helper()
			require.ErrorIs(t, err, licensing.ErrNotFound, what)
		}

		_, err := s.GetLicense(ctx, pid, lic.ID)
		notFound(err, "GetLicense")
		_, err = s.GetLicenseByNumber(ctx, pid, lic.Number)
		notFound(err, "GetLicenseByNumber")
		_, err = s.AccountLicense(ctx, pid, x)
		notFound(err, "AccountLicense")
		hs, err := s.History(ctx, pid, lic.ID)
		if err != nil {
			notFound(err, "History")
		} else {
			require.Empty(t, hs, "History")
		}
		for _, q := range []licensing.LicenseQuery{
			{}, {AccountID: x}, {Number: lic.Number}, {PlanID: plan.ID}, {Status: licensing.Active},
		} {
			q.PlatformID, q.Limit = pid, listAll
			got, err := s.ListLicenses(ctx, q)
			require.NoError(t, err, "ListLicenses")
			for _, l := range got {
				require.Equal(t, pid, l.PlatformID, "ListLicenses %+v", q)
				require.NotEqual(t, lic.ID, l.ID, "ListLicenses %+v", q)
			}
		}
		up := lic
		up.PlatformID, up.Version, up.Status = pid, lic.Version+1, licensing.Revoked
		notFound(s.WriteLicenses(ctx, []licensing.LicenseChange{{
			License: up, History: []licensing.HistoryEntry{entry(up, licensing.RevokedEvent, at(time.Hour))},
		}}, ev("license.revoke")), "WriteLicenses update")

		_, err = s.GetPlan(ctx, pid, plan.ID)
		notFound(err, "GetPlan")
		p := plan
		p.PlatformID, p.Version, p.Name = pid, plan.Version+1, "Hijacked"
		notFound(s.UpdatePlan(ctx, p, ev("plan.update")), "UpdatePlan")
		plans, err := s.Plans(ctx, pid)
		require.NoError(t, err, "Plans")
		for _, p := range plans {
			require.Equal(t, pid, p.PlatformID, "Plans")
			require.NotEqual(t, plan.ID, p.ID, "Plans")
		}

		ovs, err := s.Overrides(ctx, pid, x)
		require.NoError(t, err, "Overrides")
		require.Empty(t, ovs, "Overrides")
		o := ov
		o.PlatformID = pid
		notFound(s.DeleteOverride(ctx, o, ev("feature.reset")), "DeleteOverride")
		hidden, err := s.HiddenFeatures(ctx, pid)
		require.NoError(t, err, "HiddenFeatures")
		require.NotEqual(t, hiddenA, hidden, "HiddenFeatures")

		bal, err := s.Balances(ctx, pid, x)
		require.NoError(t, err, "Balances")
		require.Empty(t, bal, "Balances")
		ch, err := s.CreditHistory(ctx, licensing.CreditQuery{PlatformID: pid, AccountID: x, Limit: listAll})
		require.NoError(t, err, "CreditHistory")
		require.Empty(t, ch, "CreditHistory")
		debit := grant
		debit.PlatformID, debit.ID, debit.Delta, debit.IdempotencyKey = pid, newID(), -1, ""
		_, _, err = s.ApplyCredit(ctx, debit, ev("credit.apply"))
		require.ErrorIs(t, err, licensing.ErrInsufficientCredits, "ApplyCredit debit")

		f, err := s.GateFacts(ctx, pid, x)
		require.NoError(t, err, "GateFacts")
		require.Nil(t, f.License, "GateFacts license")
		require.Nil(t, f.Plan, "GateFacts plan")
		require.Empty(t, f.Overrides, "GateFacts overrides")

		a.with(t).requireNoEvent(evs...)
	})

	// A's records are as they were.
	a.requireStored(lic)
	a.requireHistory(lic.ID, hist...)
	a.requirePlanStored(plan)
	a.requireOverrides(x, ov)
	hidden, err := a.s.HiddenFeatures(a.ctx, a.pid)
	require.NoError(t, err)
	require.Equal(t, hiddenA, hidden)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 10}, a.balances(x))
	a.requireCreditHistory(x, "", grant)
	f, err := a.s.GateFacts(a.ctx, a.pid, x)
	require.NoError(t, err)
	requireFacts(t, "platform A", &lic, &plan, []licensing.Override{ov}, f)
}

// testPlatformSameIDs stores on platform B records with the IDs, numbers,
// names, accounts and idempotency keys of platform A's: keys are per
// platform, so none conflicts and each platform reads its own.
func testPlatformSameIDs(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	x := newID()

	planA := a.plan("Pro")
	planB := planA
	planB.PlatformID, planB.Features = b.pid, []string{"sms"}
	b.insertPlan(planB)

	licA := a.newLicense(x)
	licA.PlanID = planA.ID
	changeA := insertChange(licA)
	require.NoError(t, a.s.WriteLicenses(a.ctx, []licensing.LicenseChange{changeA}, a.licenseEvent("license.issue", licA)))
	licB := licA
	licB.PlatformID, licB.EndsAt = b.pid, licA.EndsAt.Add(day) // Active for the same account
	changeB := insertChange(licB)
	changeB.History[0].ID = changeA.History[0].ID
	require.NoError(t, b.s.WriteLicenses(b.ctx, []licensing.LicenseChange{changeB}, b.licenseEvent("license.issue", licB)))

	ovA := a.setOverride(a.override(x, "live_chat", true))
	ovB := b.setOverride(b.override(x, "live_chat", false))

	key := "key-" + newID()
	ca := a.credit(x, licensing.CreditSMS, 10)
	ca.IdempotencyKey = key
	creditA := a.apply(ca, 10)
	cb := ca
	cb.PlatformID, cb.Delta = b.pid, 4
	creditB := b.apply(cb, 4)

	// A license of B whose PlanID names a plan of A only: no plan on B.
	y := newID()
	onlyA := a.plan("Only on A")
	licBy := b.license(y, func(l *licensing.License) { l.PlanID = onlyA.ID })

	for _, side := range []struct {
		e    *env
		lic  licensing.License
		hist []licensing.HistoryEntry
		plan licensing.Plan
		ov   licensing.Override
		c    licensing.CreditEntry
	}{
		{a, licA, changeA.History, planA, ovA, creditA},
		{b, licB, changeB.History, planB, ovB, creditB},
	} {
		e := side.e
		e.requireStored(side.lic)
		got, err := e.s.GetLicenseByNumber(e.ctx, e.pid, side.lic.Number)
		require.NoError(t, err)
		requireLicense(t, side.lic, got)
		got, err = e.s.AccountLicense(e.ctx, e.pid, x)
		require.NoError(t, err)
		requireLicense(t, side.lic, got)
		e.requireHistory(side.lic.ID, side.hist...)
		e.requirePlanStored(side.plan)
		e.requireOverrides(x, side.ov)
		require.Equal(t, map[string]int64{licensing.CreditSMS: side.c.Balance}, e.balances(x))
		e.requireCreditHistory(x, "", side.c)
		f, err := e.s.GateFacts(e.ctx, e.pid, x)
		require.NoError(t, err)
		requireFacts(t, "platform "+e.pid, &side.lic, &side.plan, []licensing.Override{side.ov}, f)
	}
	f, err := b.s.GateFacts(b.ctx, b.pid, y)
	require.NoError(t, err)
	requireFacts(t, "plan of another platform", &licBy, nil, nil, f)
}
