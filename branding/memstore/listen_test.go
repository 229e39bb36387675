package memstore_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/memstore"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 6789, time.UTC)

// evN counts the events the tests make, for unique IDs.
var evN atomic.Int64

func ev(pid string) audit.Event {
	return audit.Event{PlatformID: pid, ID: "e" + strconv.FormatInt(evN.Add(1), 10), At: t0, ActorID: "system:test", Action: "branding.test"}
}

func domain(pid, host string) branding.Domain {
	return branding.Domain{PlatformID: pid, Host: host, VerificationToken: "tok", CreatedAt: t0, Version: 1}
}

// listen registers fn until the test ends, and returns once it is
// registered.
func listen(t *testing.T, s *memstore.Store, fn func(platformID string)) {
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

func (r *recorder) fn(platformID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, platformID)
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
	s := memstore.New(nil)
	var r, r2 recorder
	listen(t, s, r.fn)
	listen(t, s, r2.fn)

	a := domain("p1", "a.example.com")
	a.VerifiedAt, a.Primary = t0, true
	require.NoError(t, s.InsertDomain(ctx, a, ev("p1")))
	b := domain("p1", "b.example.com")
	require.NoError(t, s.InsertDomain(ctx, b, ev("p1")))
	require.Equal(t, []string{"p1", "p1"}, r.take())

	b.VerifiedAt, b.Primary, b.Version = t0, true, 2 // demotes a: one change
	require.NoError(t, s.UpdateDomain(ctx, b, ev("p1")))
	require.Equal(t, []string{"p1"}, r.take())

	require.NoError(t, s.InsertDomain(ctx, domain("p2", "c.example.com"), ev("p2")))
	require.NoError(t, s.DeleteDomain(ctx, "p1", a.Host, ev("p1")))
	require.Equal(t, []string{"p2", "p1"}, r.take())

	// Failed writes change nothing, and are heard of by no one.
	require.ErrorIs(t, s.InsertDomain(ctx, domain("p3", b.Host), ev("p3")), branding.ErrConflict)
	require.ErrorIs(t, s.UpdateDomain(ctx, b, ev("p1")), branding.ErrStale)
	require.ErrorIs(t, s.DeleteDomain(ctx, "p1", a.Host, ev("p1")), branding.ErrNotFound)
	require.ErrorIs(t, s.UpdateDomain(ctx, domain("p2", b.Host), ev("p2")), branding.ErrNotFound)
	// Nor are the other records.
	require.NoError(t, s.PutTheme(ctx, branding.Theme{PlatformID: "p1", Version: 1, UpdatedAt: t0}, ev("p1")))
	require.NoError(t, s.PutLogo(ctx, branding.Logo{PlatformID: "p1", Data: []byte{1}, UpdatedAt: t0}, ev("p1")))
	require.NoError(t, s.PutLoginSettings(ctx, branding.LoginSettings{PlatformID: "p1", Version: 1, UpdatedAt: t0}, ev("p1")))
	require.NoError(t, s.InsertProvider(ctx, branding.StoredProvider{Provider: branding.Provider{PlatformID: "p1", ID: "x", Name: "X", Version: 1}}, ev("p1")))
	require.Empty(t, r.take())

	require.Equal(t, []string{"p1", "p1", "p1", "p2", "p1"}, r2.take(), "every listener hears every change")
}

func TestListenerMayUseTheStore(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	var route atomic.Pointer[branding.Route]
	listen(t, s, func(platformID string) {
		r, err := s.LookupHost(ctx, "a.example.com") // outside the lock: no deadlock
		if err == nil {
			route.Store(&r)
		}
	})
	require.NoError(t, s.InsertDomain(ctx, domain("p1", "a.example.com"), ev("p1")))
	require.NotNil(t, route.Load(), "called before the write returned, after the change")
	require.Equal(t, "p1", route.Load().Domain.PlatformID)
}

func TestListenEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := memstore.New(nil)
	called := false
	require.ErrorIs(t, s.ListenChanges(ctx, func() { called = true }, func(string) { called = true }), context.Canceled)
	require.NoError(t, s.InsertDomain(context.Background(), domain("p1", "a.example.com"), ev("p1")))
	require.False(t, called)
}

func TestNoCallAfterListenReturns(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	lctx, cancel := context.WithCancel(ctx)
	entered, release := make(chan struct{}), make(chan struct{})
	var after atomic.Bool
	returned := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		err := s.ListenChanges(lctx, func() { close(ready) }, func(string) {
			if after.Load() {
				t.Error("called after ListenChanges returned")
			}
			close(entered)
			<-release
		})
		after.Store(true)
		returned <- err
	}()
	<-ready
	written := make(chan error, 1)
	go func() { written <- s.InsertDomain(ctx, domain("p1", "a.example.com"), ev("p1")) }()
	<-entered
	cancel()
	select {
	case <-returned:
		t.Fatal("ListenChanges returned while its listener was running")
	default:
	}
	close(release)
	require.NoError(t, <-written)
	require.ErrorIs(t, <-returned, context.Canceled)
	require.NoError(t, s.InsertDomain(ctx, domain("p1", "b.example.com"), ev("p1")), "nobody listens any more")
}

func TestPanickingListenerReleasesOthers(t *testing.T) {
	s := memstore.New(nil)
	var r recorder
	listen(t, s, r.fn)
	listen(t, s, func(string) { panic("boom") })
	require.Panics(t, func() {
		_ = s.InsertDomain(context.Background(), domain("p1", "a.example.com"), ev("p1"))
	})
	// The cleanups of listen cancel both and wait for them to return: a
	// listener left counted as running would hang the test here.
}
