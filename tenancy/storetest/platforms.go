package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

func testPlatformRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	p := tenancy.Platform{
		ID:        newID(),
		Name:      "Ünïcode Reseller — 'quoted'",
		CreatedAt: at(999999 * time.Microsecond),
		UpdatedAt: at(time.Hour + time.Microsecond),
	}
	ev := eventOn(p.ID, "platform.create")
	require.NoError(t, e.s.InsertPlatform(e.ctx, p, ev))
	e.requireEvent(ev)

	got, err := e.s.GetPlatform(e.ctx, p.ID)
	require.NoError(t, err)
	conformance.RequireUTC(t, "platform", got.CreatedAt, got.UpdatedAt)
	require.Equal(t, p, got)
}

func testPlatformDuplicate(t *testing.T, h Harness) {
	e := setup(t, h)
	orig, err := e.s.GetPlatform(e.ctx, e.pid)
	require.NoError(t, err)

	again := tenancy.Platform{ID: e.pid, Name: "Second", CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
	ev := e.event("platform.create")
	err = e.s.InsertPlatform(e.ctx, again, ev)
	require.ErrorIs(t, err, tenancy.ErrConflict)
	e.requireNoEvent(ev.ID)

	got, err := e.s.GetPlatform(e.ctx, e.pid)
	require.NoError(t, err)
	require.Equal(t, orig, got, "the first platform stays")
}

func testPlatformUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	p, err := e.s.GetPlatform(e.ctx, e.pid)
	require.NoError(t, err)

	changed := p
	changed.Name = "Renamed platform"
	changed.UpdatedAt = at(2*time.Hour + 654321*time.Microsecond)
	ev := e.event("platform.update")
	require.NoError(t, e.s.UpdatePlatform(e.ctx, changed, ev))
	e.requireEvent(ev)

	got, err := e.s.GetPlatform(e.ctx, e.pid)
	require.NoError(t, err)
	require.Equal(t, changed, got)
}

func testPlatformNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	missing := newID()
	_, err := e.s.GetPlatform(e.ctx, missing)
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	ev := eventOn(missing, "platform.update")
	err = e.s.UpdatePlatform(e.ctx, tenancy.Platform{ID: missing, Name: "x", CreatedAt: base, UpdatedAt: base}, ev)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
	e.requireNoEventOn(missing, ev.ID)

	_, err = e.s.GetPlatform(e.ctx, missing)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "a failed update creates nothing")
}
