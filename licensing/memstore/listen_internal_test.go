package memstore

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/licensing"
)

// listen registers fn until the test ends, and returns once it is
// registered.
func listen(t *testing.T, s *Store, fn func(platformID, accountID string)) {
	t.Helper()
	conformance.Listening(t, func(ctx context.Context, ready func()) error { return s.ListenChanges(ctx, ready, fn) })
}

// recorder collects what a listener hears, as "platform/account".
type recorder struct{ conformance.Recorder[string] }

func (r *recorder) fn(platformID, accountID string) { r.Hear(platformID + "/" + accountID) }

func TestChangesHeard(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var r recorder
	listen(t, s, r.fn)

	l := license("l1", "N1", "a1", licensing.Active)
	require.NoError(t, write(t, s, insert(l, licensing.Issued)))
	require.Equal(t, []string{"p1/a1"}, r.Take())

	moved := l
	moved.AccountID = "a2"
	require.NoError(t, write(t, s, update(moved, licensing.Moved, "a1")))
	require.Equal(t, []string{"p1/a1", "p1/a2"}, r.Take(), "the old account first, as stored")

	unassigned := moved
	unassigned.AccountID, unassigned.Version = "", 2
	c := update(unassigned, licensing.Unassigned, "a2")
	c.History[0].AccountID = ""
	require.NoError(t, write(t, s, c))
	require.Equal(t, []string{"p1/a2"}, r.Take())

	require.NoError(t, s.InsertPlan(ctx, licensing.Plan{PlatformID: pid, ID: "plan1", Name: "Pro", Version: 1, CreatedAt: t0, UpdatedAt: t0}, ev("plan.create")))
	require.Empty(t, r.Take(), "a new plan is no account's yet")
	require.NoError(t, s.UpdatePlan(ctx, licensing.Plan{PlatformID: pid, ID: "plan1", Name: "Pro+", Version: 2, CreatedAt: t0, UpdatedAt: t0}, ev("plan.update")))
	require.Equal(t, []string{"p1/*"}, r.Take())

	o := licensing.Override{PlatformID: pid, AccountID: "a3", Feature: "chat", Enabled: true, UpdatedAt: t0}
	require.NoError(t, s.SetOverride(ctx, o, ev("override.set")))
	require.NoError(t, s.DeleteOverride(ctx, o, ev("override.delete")))
	require.ErrorIs(t, s.DeleteOverride(ctx, o, ev("override.delete")), licensing.ErrNotFound)
	require.NoError(t, s.SetHiddenFeatures(ctx, pid, []string{"x"}, ev("hidden.set")))
	require.NoError(t, s.NotifyChange(ctx, "p2", "a9"))
	require.Equal(t, []string{"p1/a3", "p1/a3", "p2/a9"}, r.Take())
}

func TestListenerMayUseTheStore(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var facts atomic.Pointer[licensing.Facts]
	listen(t, s, func(platformID, accountID string) {
		f, err := s.GateFacts(ctx, platformID, accountID) // outside the lock: no deadlock
		if err == nil {
			facts.Store(&f)
		}
	})
	require.NoError(t, write(t, s, insert(license("l1", "N1", "a1", licensing.Active), licensing.Issued)))
	require.NotNil(t, facts.Load(), "called before the write returned")
	require.Equal(t, "l1", facts.Load().License.ID, "called after the change is applied")
}
