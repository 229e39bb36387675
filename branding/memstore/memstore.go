package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/fanout"
)

// Store is an in-memory branding.Store and branding.ChangeListener, safe
// for concurrent use. The zero value is not ready: use New.
type Store struct {
	events audit.Store
	listen fanout.Hub[string]

	mu sync.RWMutex
	// platforms holds each platform's records, created on its first
	// write; nothing of one platform is reachable through another's ID.
	platforms map[string]*platformData
	// hosts maps every stored host to the platform holding it: the one
	// index across platforms, since a host belongs to one platform only.
	hosts map[string]string
}

var (
	_ branding.Store          = (*Store)(nil)
	_ branding.ChangeListener = (*Store)(nil)
)

// New returns an empty Store that writes the audit events it is given to
// events, or to a new in-memory audit store (audit/memstore) when events is
// nil.
func New(events audit.Store) *Store {
	if events == nil {
		events = auditmem.New()
	}
	return &Store{events: events, platforms: map[string]*platformData{}, hosts: map[string]string{}}
}

// Audit returns the audit store the Store writes its events to.
func (s *Store) Audit() audit.Store { return s.events }

// platformData is one platform's records and their indexes.
type platformData struct {
	// themes and logos map an account ID ("" for the platform's own) to
	// its theme and logo.
	themes map[string]branding.Theme
	logos  map[string]branding.Logo
	// domains maps host to domain; primary is the host of the primary
	// domain, "" when none.
	domains map[string]branding.Domain
	primary string
	// settings are the login settings, nil until first put.
	settings *branding.LoginSettings
	// providers maps ID to provider; names maps each provider's folded
	// name (foldName) to its ID.
	providers map[string]branding.StoredProvider
	names     map[string]string
}

// writable returns the records of platform id, creating them when missing.
// The caller holds the write lock and has checked everything, since an
// empty platform created here stays.
func (s *Store) writable(id string) *platformData {
	pd := s.platforms[id]
	if pd == nil {
		pd = &platformData{
			themes:    map[string]branding.Theme{},
			logos:     map[string]branding.Logo{},
			domains:   map[string]branding.Domain{},
			providers: map[string]branding.StoredProvider{},
			names:     map[string]string{},
		}
		s.platforms[id] = pd
	}
	return pd
}

// record writes ev to the audit store. The caller holds the write lock and
// has checked everything else, so a nil result means the change can be
// applied.
func (s *Store) record(ctx context.Context, op string, ev audit.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	err := s.events.Insert(ctx, ev)
	switch {
	case errors.Is(err, audit.ErrConflict):
		return fmt.Errorf("memstore: %s: %w: event %q: %w", op, branding.ErrConflict, ev.ID, err)
	case err != nil:
		return fmt.Errorf("memstore: %s: write event %q: %w", op, ev.ID, err)
	}
	return nil
}

// failf returns an error wrapping sentinel with the operation and details:
// "memstore: op: sentinel: details".
func failf(op string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("memstore: %s: %w: %s", op, sentinel, fmt.Sprintf(format, args...))
}

// checkVersion returns nil when a record stored at version cur (exists
// false when there is none) may be written at version next: an insert
// (next 1) of a missing record, or an update from the version before.
func checkVersion(op, what string, exists bool, cur, next int64) error {
	switch {
	case next == 1 && exists:
		return failf(op, branding.ErrConflict, "%s exists", what)
	case next != 1 && !exists:
		return failf(op, branding.ErrNotFound, "%s", what)
	case next != 1 && cur != next-1:
		return failf(op, branding.ErrStale, "%s is at version %d, not %d", what, cur, next-1)
	}
	return nil
}

// foldName is a provider name as the uniqueness rule compares it.
func foldName(name string) string { return strings.ToLower(name) }

// cloneTheme brings a theme's time to UTC at microsecond precision, as the
// SQL stores keep it. A Theme holds no slice, so the copy is already the
// caller's own.
func cloneTheme(th branding.Theme) branding.Theme {
	th.UpdatedAt = micro(th.UpdatedAt)
	return th
}

// cloneLogo copies a logo's bytes, so that neither the caller nor the
// store sees the other's later changes, and brings its time to UTC at
// microsecond precision. It serves on the way in and on the way out.
func cloneLogo(l branding.Logo) branding.Logo {
	l.Data = slices.Clone(l.Data)
	l.UpdatedAt = micro(l.UpdatedAt)
	return l
}

// cloneDomain brings a domain's times to UTC at microsecond precision.
func cloneDomain(d branding.Domain) branding.Domain {
	d.CreatedAt, d.VerifiedAt = micro(d.CreatedAt), micro(d.VerifiedAt)
	return d
}

// cloneSettings brings login settings' time to UTC at microsecond
// precision.
func cloneSettings(ls branding.LoginSettings) branding.LoginSettings {
	ls.UpdatedAt = micro(ls.UpdatedAt)
	return ls
}

// cloneProvider copies a provider's Scopes and SealedSecret, drops the
// secret in clear (stores hold it sealed only), and brings its times to
// UTC at microsecond precision. Empty Scopes become nil. It serves on the
// way in and on the way out.
func cloneProvider(p branding.StoredProvider) branding.StoredProvider {
	p.ClientSecret = ""
	if len(p.Scopes) == 0 {
		p.Scopes = nil
	} else {
		p.Scopes = slices.Clone(p.Scopes)
	}
	p.SealedSecret = slices.Clone(p.SealedSecret)
	p.CreatedAt, p.UpdatedAt = micro(p.CreatedAt), micro(p.UpdatedAt)
	return p
}

// micro returns t in UTC truncated to microseconds, with no monotonic
// reading; the zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
