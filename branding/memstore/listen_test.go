package memstore_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/memstore"
	"github.com/tenantry/tenantry/internal/conformance"
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
	conformance.Listening(t, func(ctx context.Context, ready func()) error { return s.ListenChanges(ctx, ready, fn) })
}

func TestChangesHeard(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	var r, r2 conformance.Recorder[string]
	listen(t, s, r.Hear)
	listen(t, s, r2.Hear)

	a := domain("p1", "a.example.com")
	a.VerifiedAt, a.Primary = t0, true
	require.NoError(t, s.InsertDomain(ctx, a, ev("p1")))
	b := domain("p1", "b.example.com")
	require.NoError(t, s.InsertDomain(ctx, b, ev("p1")))
	require.Equal(t, []string{"p1", "p1"}, r.Take())

	b.VerifiedAt, b.Primary, b.Version = t0, true, 2 // demotes a: one change
	require.NoError(t, s.UpdateDomain(ctx, b, ev("p1")))
	require.Equal(t, []string{"p1"}, r.Take())

	require.NoError(t, s.InsertDomain(ctx, domain("p2", "c.example.com"), ev("p2")))
	require.NoError(t, s.DeleteDomain(ctx, "p1", a.Host, ev("p1")))
	require.Equal(t, []string{"p2", "p1"}, r.Take())

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
	require.Empty(t, r.Take())

	require.Equal(t, []string{"p1", "p1", "p1", "p2", "p1"}, r2.Take(), "every listener hears every change")
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
