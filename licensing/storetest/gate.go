package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/licensing"
)

// requireFacts checks that got holds license, plan and overrides (in any
// order).
func requireFacts(t *testing.T, what string, license *licensing.License, plan *licensing.Plan, overrides []licensing.Override, got licensing.Facts) {
	t.Helper()
	if license == nil {
		require.Nil(t, got.License, "%s: no license", what)
	} else {
		require.NotNil(t, got.License, "%s: license", what)
		requireLicense(t, *license, *got.License)
	}
	if plan == nil {
		require.Nil(t, got.Plan, "%s: no plan", what)
	} else {
		require.NotNil(t, got.Plan, "%s: plan", what)
		requirePlan(t, *plan, *got.Plan)
	}
	if len(overrides) == 0 {
		require.Empty(t, got.Overrides, "%s: no overrides", what)
		return
	}
	byFeature := func(a, b licensing.Override) int { return strings.Compare(a.Feature, b.Feature) }
	gotOverrides := slices.Clone(got.Overrides)
	slices.SortFunc(gotOverrides, byFeature)
	want := slices.Clone(overrides)
	slices.SortFunc(want, byFeature)
	for _, o := range gotOverrides {
		conformance.RequireUTC(t, what+": override "+o.Feature, o.UpdatedAt)
	}
	require.Equal(t, want, gotOverrides, "%s: overrides", what)
}

// testGateFacts reads an account's license, plan and overrides in every
// combination: all three, none, overrides alone, a license whose plan is
// missing, and the license AccountLicense prefers.
func testGateFacts(t *testing.T, h Harness) {
	e := setup(t, h)
	facts := func(acct string) licensing.Facts {
		t.Helper()
		f, err := e.s.GateFacts(e.ctx, e.pid, acct)
		require.NoError(t, err, "gate facts of %s", acct)
		return f
	}
	pro := e.plan("Pro")
	basic := e.plan("Basic", func(p *licensing.Plan) { p.Features, p.Limits = nil, nil })
	onPlan := func(p licensing.Plan, s licensing.Status, updated time.Time) func(*licensing.License) {
		return func(l *licensing.License) { l.PlanID, l.Status, l.UpdatedAt = p.ID, s, updated }
	}

	// Everything.
	x := newID()
	lx := e.license(x, onPlan(pro, licensing.Active, at(day)))
	e.license(x, onPlan(basic, licensing.Revoked, at(2*day))) // newer, but not Active
	ox := []licensing.Override{
		e.setOverride(e.override(x, "webhooks", true)),
		e.setOverride(e.override(x, "analytics", false)),
	}
	e.setOverride(e.override(newID(), "sms", true)) // another account's
	requireFacts(t, "licensed account", &lx, &pro, ox, facts(x))

	// Nothing.
	requireFacts(t, "unknown account", nil, nil, nil, facts(newID()))

	// Overrides alone.
	y := newID()
	oy := []licensing.Override{e.setOverride(e.override(y, "live_chat", true))}
	requireFacts(t, "account with overrides only", nil, nil, oy, facts(y))

	// A license whose plan does not exist.
	z := newID()
	lz := e.license(z, func(l *licensing.License) { l.PlanID = newID() })
	requireFacts(t, "license of a missing plan", &lz, nil, nil, facts(z))

	// No Active license: the most recently updated, and its plan.
	w := newID()
	e.license(w, onPlan(pro, licensing.Expired, at(day)))
	lw := e.license(w, onPlan(basic, licensing.Inactive, at(3*day)))
	e.license(w, onPlan(pro, licensing.Revoked, at(2*day)))
	requireFacts(t, "account without Active license", &lw, &basic, nil, facts(w))

	// Facts follow changes.
	lw2 := e.update(lw, licensing.PlanChanged, func(l *licensing.License) { l.PlanID, l.Status = pro.ID, licensing.Active })
	ow := e.setOverride(e.override(w, "sms", false))
	requireFacts(t, "account after changes", &lw2, &pro, []licensing.Override{ow}, facts(w))
	pro2 := pro
	pro2.Features, pro2.Version = []string{"sms"}, pro.Version+1
	require.NoError(t, e.s.UpdatePlan(e.ctx, pro2, e.event("plan.update", "", "plan", pro.ID)))
	requireFacts(t, "account after a plan change", &lw2, &pro2, []licensing.Override{ow}, facts(w))
}

// recorder collects a ChangeListener's notifications.
type recorder struct {
	mu     sync.Mutex
	got    [][2]string
	signal chan struct{}
}

func newRecorder() *recorder { return &recorder{signal: make(chan struct{}, 1)} }

// add records one notification; it never blocks.
func (r *recorder) add(platformID, accountID string) {
	r.mu.Lock()
	r.got = append(r.got, [2]string{platformID, accountID})
	r.mu.Unlock()
	select {
	case r.signal <- struct{}{}:
	default:
	}
}

// mark returns the number of notifications so far.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// has reports whether (platformID, accountID) was notified since mark.
func (r *recorder) has(from int, platformID, accountID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.got[from:], [2]string{platformID, accountID})
}

// notifyTimeout bounds every wait for a notification; nothing sleeps.
const notifyTimeout = 10 * time.Second

// wait waits until (platformID, accountID) was notified since mark, and
// fails after notifyTimeout.
func (r *recorder) wait(t *testing.T, what string, from int, platformID, accountID string) {
	t.Helper()
	timeout := time.After(notifyTimeout)
	for !r.has(from, platformID, accountID) {
		select {
		case <-r.signal:
		case <-timeout:
			t.Fatalf("%s: no notification for account %s of platform %s within %v", what, accountID, platformID, notifyTimeout)
		}
	}
}

// testChangeListener checks, when the store implements
// licensing.ChangeListener, that license writes, override changes and
// NotifyChange reach a listener with the platform and account concerned,
// and that the listener stops when its context ends.
func testChangeListener(t *testing.T, h Harness) {
	cl, ok := h.Store.(licensing.ChangeListener)
	if !ok {
		t.Skip("the store does not implement licensing.ChangeListener")
	}
	e := setup(t, h)
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	rec := newRecorder()
	ready := make(chan struct{})
	var readyCalls atomic.Int32
	done := make(chan error, 1)
	go func() {
		done <- cl.ListenChanges(ctx, func() {
			if readyCalls.Add(1) == 1 {
				close(ready)
			}
		}, rec.add)
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("ListenChanges returned before it was ready: %v", err)
	case <-time.After(notifyTimeout):
		t.Fatalf("ListenChanges not ready within %v", notifyTimeout)
	}

	// A license issued to an account.
	a := newID()
	m := rec.mark()
	l := e.license(a)
	rec.wait(t, "license issued", m, e.pid, a)

	// A license moved: both accounts' facts changed.
	b := newID()
	m = rec.mark()
	e.update(l, licensing.Moved, func(l *licensing.License) { l.AccountID = b })
	rec.wait(t, "license moved (to)", m, e.pid, b)
	rec.wait(t, "license moved (from)", m, e.pid, a)

	// Overrides set and deleted.
	c := newID()
	m = rec.mark()
	o := e.setOverride(e.override(c, "live_chat", true))
	rec.wait(t, "override set", m, e.pid, c)
	m = rec.mark()
	require.NoError(t, e.s.DeleteOverride(e.ctx, o, e.event("feature.reset", c, "feature", o.Feature)))
	rec.wait(t, "override deleted", m, e.pid, c)

	// Changes made elsewhere, on two platforms.
	d := newID()
	other := e.other()
	m = rec.mark()
	require.NoError(t, cl.NotifyChange(e.ctx, e.pid, d))
	require.NoError(t, cl.NotifyChange(e.ctx, other.pid, d))
	rec.wait(t, "NotifyChange", m, e.pid, d)
	rec.wait(t, "NotifyChange on another platform", m, other.pid, d)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			require.ErrorIs(t, err, context.Canceled, "ListenChanges returns nil or the context's error")
		}
	case <-time.After(notifyTimeout):
		t.Fatalf("ListenChanges did not return within %v of its context ending", notifyTimeout)
	}
	require.Equal(t, int32(1), readyCalls.Load(), "ready is called once")
}
