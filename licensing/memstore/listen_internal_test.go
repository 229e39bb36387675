package memstore

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// listen registers fn until the test ends, and returns once it is
// registered.
func listen(t *testing.T, s *Store, fn func(platformID, accountID string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- s.ListenChanges(ctx, func() { close(ready) }, fn) }()
	<-ready
	t.Cleanup(func() {
		cancel()
		require.ErrorIs(t, <-done, context.Canceled)
	})
}

// recorder collects what a listener hears.
type recorder struct {
	mu    sync.Mutex
	heard []string
}

func (r *recorder) fn(platformID, accountID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, platformID+"/"+accountID)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.heard
	r.heard = nil
	return h
}

func TestChangesHeard(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	var r recorder
	listen(t, s, r.fn)

	l := license("l1", "N1", "a1", licensing.Active)
	require.NoError(t, write(t, s, insert(l, licensing.Issued)))
	require.Equal(t, []string{"p1/a1"}, r.take())

	moved := l
	moved.AccountID = "a2"
	require.NoError(t, write(t, s, update(moved, licensing.Moved, "a1")))
	require.Equal(t, []string{"p1/a1", "p1/a2"}, r.take(), "the old account first, as stored")

	unassigned := moved
	unassigned.AccountID, unassigned.Version = "", 2
	c := update(unassigned, licensing.Unassigned, "a2")
	c.History[0].AccountID = ""
	require.NoError(t, write(t, s, c))
	require.Equal(t, []string{"p1/a2"}, r.take())

	require.NoError(t, s.InsertPlan(ctx, licensing.Plan{PlatformID: pid, ID: "plan1", Name: "Pro", Version: 1, CreatedAt: t0, UpdatedAt: t0}, ev("plan.create")))
	require.Empty(t, r.take(), "a new plan is no account's yet")
	require.NoError(t, s.UpdatePlan(ctx, licensing.Plan{PlatformID: pid, ID: "plan1", Name: "Pro+", Version: 2, CreatedAt: t0, UpdatedAt: t0}, ev("plan.update")))
	require.Equal(t, []string{"p1/*"}, r.take())

	o := licensing.Override{PlatformID: pid, AccountID: "a3", Feature: "chat", Enabled: true, UpdatedAt: t0}
	require.NoError(t, s.SetOverride(ctx, o, ev("override.set")))
	require.NoError(t, s.DeleteOverride(ctx, o, ev("override.delete")))
	require.ErrorIs(t, s.DeleteOverride(ctx, o, ev("override.delete")), licensing.ErrNotFound)
	require.NoError(t, s.SetHiddenFeatures(ctx, pid, []string{"x"}, ev("hidden.set")))
	require.NoError(t, s.NotifyChange(ctx, "p2", "a9"))
	require.Equal(t, []string{"p1/a3", "p1/a3", "p2/a9"}, r.take())
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

func TestNoCallAfterListenReturns(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	lctx, cancel := context.WithCancel(ctx)
	entered, release := make(chan struct{}), make(chan struct{})
	var after atomic.Bool
	returned := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		returned <- s.ListenChanges(lctx, func() { close(ready) }, func(string, string) {
			if after.Load() {
				t.Error("called after ListenChanges returned")
			}
			close(entered)
			<-release
		})
		after.Store(true)
	}()
	<-ready
	notified := make(chan error, 1)
	go func() { notified <- s.NotifyChange(ctx, pid, "a1") }()
	<-entered
	cancel()
	select {
	case <-returned:
		t.Fatal("ListenChanges returned while its listener was running")
	default:
	}
	close(release)
	require.NoError(t, <-notified)
	require.ErrorIs(t, <-returned, context.Canceled)
	require.NoError(t, s.NotifyChange(ctx, pid, "a1"), "nobody listens any more")
}

func TestPanickingListenerReleasesOthers(t *testing.T) {
	s, _ := newStore(t)
	var r recorder
	listen(t, s, r.fn)
	listen(t, s, func(string, string) { panic("boom") })
	require.Panics(t, func() { _ = s.NotifyChange(context.Background(), pid, "a1") })
	// The cleanups of listen cancel both and wait for them to return: a
	// listener left counted as running would hang the test here.
}
