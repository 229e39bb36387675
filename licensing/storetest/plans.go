package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// testPlanRoundTrip inserts a plan with features and limits (a zero limit
// and one an int64 holds but a float64 does not) and reads it back.
func testPlanRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.newPlan("Pro")
	p.Version = 3
	p.Limits["custom_ünïcode"] = -1
	e.insertPlan(p)
	e.requirePlanStored(p)

	_, err := e.s.GetPlan(e.ctx, e.pid, newID())
	require.ErrorIs(t, err, licensing.ErrNotFound, "unknown plan")
}

// testPlanEmptyIsNil stores plans without features or limits, given as nil
// and as empty values: both come back nil.
func testPlanEmptyIsNil(t *testing.T, h Harness) {
	e := setup(t, h)
	empty := e.plan("Empty", func(p *licensing.Plan) { p.Features, p.Limits = []string{}, map[string]int64{} })
	none := e.plan("None", func(p *licensing.Plan) { p.Features, p.Limits = nil, nil })
	for _, p := range []licensing.Plan{empty, none} {
		got, err := e.s.GetPlan(e.ctx, e.pid, p.ID)
		require.NoError(t, err)
		require.Nil(t, got.Features, "plan %s: no features is nil", p.Name)
		require.Nil(t, got.Limits, "plan %s: no limits is nil", p.Name)
		p.Features, p.Limits = nil, nil
		requirePlan(t, p, got)
	}
	plans, err := e.s.Plans(e.ctx, e.pid)
	require.NoError(t, err)
	require.Len(t, plans, 2)
	for _, p := range plans {
		require.Nil(t, p.Features, "Plans: plan %s: no features is nil", p.Name)
		require.Nil(t, p.Limits, "Plans: plan %s: no limits is nil", p.Name)
	}

	// Emptied by an update, too.
	full := e.plan("Full")
	emptied := full
	emptied.Features, emptied.Limits, emptied.Version = []string{}, map[string]int64{}, full.Version+1
	require.NoError(t, e.s.UpdatePlan(e.ctx, emptied, e.event("plan.update", "", "plan", full.ID)))
	emptied.Features, emptied.Limits = nil, nil
	e.requirePlanStored(emptied)
}

// testPlanNameTaken inserts a plan under a name already used on the
// platform; another platform may use it.
func testPlanNameTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	pro := e.plan("Pro")
	dup := e.newPlan("Pro")
	ev := e.event("plan.create", "", "plan", dup.ID)
	require.ErrorIs(t, e.s.InsertPlan(e.ctx, dup, ev), licensing.ErrConflict)
	e.requireNoEvent(ev)
	_, err := e.s.GetPlan(e.ctx, e.pid, dup.ID)
	require.ErrorIs(t, err, licensing.ErrNotFound, "the conflicting plan is not stored")
	e.requirePlanStored(pro)

	e.other().plan("Pro")
}

// testPlanUpdate changes every field of a plan twice.
func testPlanUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.plan("Basic")
	p2 := p
	p2.Name = "Basic 2"
	p2.Features = []string{"analytics", "sms"}
	p2.Limits = map[string]int64{licensing.LimitSeats: 50, "storage_gb": 1 << 40}
	p2.Version = p.Version + 1
	p2.UpdatedAt = p.UpdatedAt.Add(time.Hour + time.Microsecond)
	ev := e.event("plan.update", "", "plan", p.ID)
	require.NoError(t, e.s.UpdatePlan(e.ctx, p2, ev))
	e.requirePlanStored(p2)
	e.requireEvent(ev)

	p3 := p2
	p3.Name = "Basic" // its own former name is free
	p3.Features = []string{"webhooks"}
	p3.Limits = map[string]int64{licensing.LimitBots: 3}
	p3.Version++
	p3.UpdatedAt = p3.UpdatedAt.Add(time.Hour)
	ev = e.event("plan.update", "", "plan", p.ID)
	require.NoError(t, e.s.UpdatePlan(e.ctx, p3, ev))
	e.requirePlanStored(p3)
	e.requireEvent(ev)
}

// testPlanUpdateStale updates a plan with every version but the next one.
func testPlanUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.plan("Basic")
	for _, v := range []int64{p.Version, p.Version + 2, p.Version + 10} {
		s := p
		s.Name, s.Version = "Stale", v
		ev := e.event("plan.update", "", "plan", p.ID)
		require.ErrorIs(t, e.s.UpdatePlan(e.ctx, s, ev), licensing.ErrStale, "version %d over stored %d", v, p.Version)
		e.requireNoEvent(ev)
		e.requirePlanStored(p)
	}
}

// testPlanUpdateNotFound updates a plan that was never stored.
func testPlanUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	e.plan("Basic")
	missing := e.newPlan("Missing")
	for _, v := range []int64{1, 2} {
		missing.Version = v
		ev := e.event("plan.update", "", "plan", missing.ID)
		require.ErrorIs(t, e.s.UpdatePlan(e.ctx, missing, ev), licensing.ErrNotFound, "version %d", v)
		e.requireNoEvent(ev)
	}
	_, err := e.s.GetPlan(e.ctx, e.pid, missing.ID)
	require.ErrorIs(t, err, licensing.ErrNotFound)
}

// testPlanUpdateNameTaken renames a plan to another plan's name.
func testPlanUpdateNameTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	basic := e.plan("Basic")
	pro := e.plan("Pro")
	r := pro
	r.Name, r.Version = basic.Name, pro.Version+1
	ev := e.event("plan.update", "", "plan", pro.ID)
	require.ErrorIs(t, e.s.UpdatePlan(e.ctx, r, ev), licensing.ErrConflict)
	e.requireNoEvent(ev)
	e.requirePlanStored(basic)
	e.requirePlanStored(pro)
}

// testPlansByName lists a platform's plans by name.
func testPlansByName(t *testing.T, h Harness) {
	e := setup(t, h)
	empty, err := e.s.Plans(e.ctx, e.pid)
	require.NoError(t, err)
	require.Empty(t, empty, "no plans yet")

	pro := e.plan("Pro")
	basic := e.plan("Basic", func(p *licensing.Plan) { p.Features = []string{"live_chat"} })
	enterprise := e.plan("Enterprise", func(p *licensing.Plan) { p.Limits = map[string]int64{licensing.LimitSeats: 1000} })
	e.other().plan("Agency")

	got, err := e.s.Plans(e.ctx, e.pid)
	require.NoError(t, err)
	want := []licensing.Plan{basic, enterprise, pro}
	require.Len(t, got, len(want))
	for i := range want {
		requirePlan(t, want[i], got[i])
	}
}

// testOverrides sets, replaces, lists and deletes per-account overrides.
func testOverrides(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := newID(), newID()
	e.requireOverrides(x)

	chat := e.setOverride(e.override(x, "live_chat", true))
	analytics := e.setOverride(e.override(x, "analytics", false))
	web := e.setOverride(e.override(x, "webhooks", true))
	yChat := e.setOverride(e.override(y, "live_chat", false))
	e.requireOverrides(x, analytics, chat, web)
	e.requireOverrides(y, yChat)

	// Replace: one row per feature, the latest value.
	chat2 := e.setOverride(e.override(x, "live_chat", false))
	analytics2 := e.setOverride(e.override(x, "analytics", true))
	e.requireOverrides(x, analytics2, chat2, web)
	e.requireOverrides(y, yChat)

	// Delete.
	ev := e.event("feature.reset", x, "feature", "webhooks")
	require.NoError(t, e.s.DeleteOverride(e.ctx, web, ev))
	e.requireEvent(ev)
	e.requireOverrides(x, analytics2, chat2)

	for _, o := range []licensing.Override{web, e.override(x, "sms", true), e.override(newID(), "live_chat", true)} {
		ev := e.event("feature.reset", o.AccountID, "feature", o.Feature)
		require.ErrorIs(t, e.s.DeleteOverride(e.ctx, o, ev), licensing.ErrNotFound, "delete %s of %s", o.Feature, o.AccountID)
		e.requireNoEvent(ev)
	}
	e.requireOverrides(x, analytics2, chat2)
	e.requireOverrides(y, yChat)

	// Set again after a delete.
	web2 := e.setOverride(e.override(x, "webhooks", false))
	e.requireOverrides(x, analytics2, chat2, web2)
}

// testHiddenFeatures sets and replaces the features a platform hides.
func testHiddenFeatures(t *testing.T, h Harness) {
	e := setup(t, h)
	hidden := func(want ...string) {
		t.Helper()
		got, err := e.s.HiddenFeatures(e.ctx, e.pid)
		require.NoError(t, err)
		if len(want) == 0 {
			require.Empty(t, got)
			return
		}
		require.Equal(t, want, got)
	}
	set := func(keys ...string) {
		t.Helper()
		ev := e.event("feature.hide", "", "platform", e.pid)
		require.NoError(t, e.s.SetHiddenFeatures(e.ctx, e.pid, keys, ev))
		e.requireEvent(ev)
	}
	hidden()
	set("webhooks", "analytics")
	hidden("analytics", "webhooks")
	set("live_chat", "analytics", "sms")
	hidden("analytics", "live_chat", "sms")
	set("sms")
	hidden("sms")
	set()
	hidden()
	set("webhooks")
	hidden("webhooks")

	o := e.other()
	got, err := o.s.HiddenFeatures(o.ctx, o.pid)
	require.NoError(t, err)
	require.Empty(t, got, "another platform hides nothing")
}
