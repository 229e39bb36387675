package memstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/internal/fanout"
	"github.com/tenantry/tenantry/licensing"
)

// Store is an in-memory licensing.Store and licensing.ChangeListener, safe
// for concurrent use. The zero value is not ready: use New.
type Store struct {
	events audit.Store

	mu sync.RWMutex
	// platforms holds each platform's records, created on its first write;
	// nothing of one platform is reachable through another's ID.
	platforms map[string]*platformData

	// listen holds the functions registered by ListenChanges; it has its
	// own lock, never held together with mu.
	listen fanout.Hub[accountRef]
}

var (
	_ licensing.Store          = (*Store)(nil)
	_ licensing.ChangeListener = (*Store)(nil)
)

// New returns an empty Store that writes the audit events it is given to
// events, or to a new in-memory audit store (audit/memstore) when events is
// nil.
func New(events audit.Store) *Store {
	if events == nil {
		events = auditmem.New()
	}
	return &Store{events: events, platforms: map[string]*platformData{}}
}

// Audit returns the audit store the Store writes its events to.
func (s *Store) Audit() audit.Store { return s.events }

// platformData is one platform's records and their indexes.
type platformData struct {
	// licenses maps ID to license; numbers maps each number to its
	// license's ID; active maps an account to the ID of its one license
	// stored Active (unassigned licenses are not in it).
	licenses map[string]licensing.License
	numbers  map[string]string
	active   map[string]string
	// history maps a license ID to its entries, in the order written;
	// historyIDs holds every entry ID of the platform.
	history    map[string][]licensing.HistoryEntry
	historyIDs map[string]struct{}

	// plans maps ID to plan; planNames maps each name to its plan's ID.
	plans     map[string]licensing.Plan
	planNames map[string]string
	// overrides maps account ID, then feature, to the override.
	overrides map[string]map[string]licensing.Override
	// hidden lists the features the platform hides, sorted.
	hidden []string

	// balances maps account ID, then kind, to the balance; credits maps
	// account ID to its entries in the order written; creditIDs holds
	// every entry ID of the platform; idem maps (account, key) to the entry
	// that used the idempotency key.
	balances  map[string]map[string]int64
	credits   map[string][]licensing.CreditEntry
	creditIDs map[string]struct{}
	idem      map[idemKey]licensing.CreditEntry
}

// idemKey scopes an idempotency key to an account.
type idemKey struct{ account, key string }

func newPlatformData() *platformData {
	return &platformData{
		licenses:   map[string]licensing.License{},
		numbers:    map[string]string{},
		active:     map[string]string{},
		history:    map[string][]licensing.HistoryEntry{},
		historyIDs: map[string]struct{}{},
		plans:      map[string]licensing.Plan{},
		planNames:  map[string]string{},
		overrides:  map[string]map[string]licensing.Override{},
		balances:   map[string]map[string]int64{},
		credits:    map[string][]licensing.CreditEntry{},
		creditIDs:  map[string]struct{}{},
		idem:       map[idemKey]licensing.CreditEntry{},
	}
}

// writable returns the records of platform id, creating them when missing.
// The caller holds the write lock and has checked everything, since an
// empty platform created here stays.
func (s *Store) writable(id string) *platformData {
	pd := s.platforms[id]
	if pd == nil {
		pd = newPlatformData()
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
		return fmt.Errorf("memstore: %s: %w: event %q: %w", op, licensing.ErrConflict, ev.ID, err)
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

// The clone functions copy a record's slices and maps, so that neither the
// caller nor the store sees the other's later changes, and bring its times
// to UTC at microsecond precision, as the SQL stores keep them. Empty
// slices and maps become nil. They serve on the way in and on the way out.

func cloneLicense(l licensing.License) licensing.License {
	l.StartsAt, l.EndsAt = micro(l.StartsAt), micro(l.EndsAt)
	l.PaymentFailedAt = micro(l.PaymentFailedAt)
	l.CreatedAt, l.UpdatedAt = micro(l.CreatedAt), micro(l.UpdatedAt)
	return l
}

func cloneHistory(h licensing.HistoryEntry) licensing.HistoryEntry {
	h.At = micro(h.At)
	return h
}

func clonePlan(p licensing.Plan) licensing.Plan {
	p.Features = cloneStrings(p.Features)
	if len(p.Limits) == 0 {
		p.Limits = nil
	} else {
		p.Limits = maps.Clone(p.Limits)
	}
	p.CreatedAt, p.UpdatedAt = micro(p.CreatedAt), micro(p.UpdatedAt)
	return p
}

func cloneOverride(o licensing.Override) licensing.Override {
	o.UpdatedAt = micro(o.UpdatedAt)
	return o
}

func cloneCredit(e licensing.CreditEntry) licensing.CreditEntry {
	e.At = micro(e.At)
	return e
}

func cloneStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// micro returns t in UTC truncated to microseconds, with no monotonic
// reading; the zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// limit cuts sorted to n records (none cut when n <= 0); it returns nil
// when there are none.
func limit[T any](sorted []T, n int) []T {
	if n > 0 && len(sorted) > n {
		sorted = sorted[:n]
	}
	if len(sorted) == 0 {
		return nil
	}
	return sorted
}
