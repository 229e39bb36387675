package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/invites"
)

// Store is an in-memory invites.Store, safe for concurrent use. The zero
// value is not ready: use New.
type Store struct {
	events audit.Store

	mu sync.RWMutex
	// platforms holds each platform's invitations, created on its first
	// write; nothing of one platform is reachable through another's ID.
	platforms map[string]*platformData
}

var _ invites.Store = (*Store)(nil)

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

// platformData is one platform's invitations and their indexes.
type platformData struct {
	// invitations maps ID to invitation; tokens maps each non-empty token
	// hash to its invitation's ID; pending maps a person and place to the
	// IDs of the invitations stored Pending for it, expired or not.
	invitations map[string]invites.Invitation
	tokens      map[string]string
	pending     map[placeKey]map[string]struct{}
}

// placeKey is what the pending-duplicate rule compares: one person invited
// to one place.
type placeKey struct {
	kind                     invites.Kind
	email, account, resource string
}

func keyOf(inv invites.Invitation) placeKey {
	return placeKey{inv.Kind, inv.Email, inv.AccountID, inv.ResourceID}
}

func newPlatformData() *platformData {
	return &platformData{
		invitations: map[string]invites.Invitation{},
		tokens:      map[string]string{},
		pending:     map[placeKey]map[string]struct{}{},
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

// put stores inv, replacing the stored invitation of its ID if any, and
// keeps the indexes right. The caller holds the write lock.
func (pd *platformData) put(inv invites.Invitation) {
	if old, ok := pd.invitations[inv.ID]; ok {
		if old.TokenHash != "" && pd.tokens[old.TokenHash] == old.ID {
			delete(pd.tokens, old.TokenHash)
		}
		if old.Status == invites.Pending {
			k := keyOf(old)
			delete(pd.pending[k], old.ID)
			if len(pd.pending[k]) == 0 {
				delete(pd.pending, k)
			}
		}
	}
	pd.invitations[inv.ID] = inv
	if inv.TokenHash != "" {
		pd.tokens[inv.TokenHash] = inv.ID
	}
	if inv.Status == invites.Pending {
		k := keyOf(inv)
		if pd.pending[k] == nil {
			pd.pending[k] = map[string]struct{}{}
		}
		pd.pending[k][inv.ID] = struct{}{}
	}
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
		return fmt.Errorf("memstore: %s: %w: event %q: %w", op, invites.ErrConflict, ev.ID, err)
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

// clone copies an invitation's slices, so that neither the caller nor the
// store sees the other's later changes, and brings its times to UTC at
// microsecond precision, as the SQL stores keep them. An empty Permissions
// becomes nil. It serves on the way in and on the way out.
func clone(inv invites.Invitation) invites.Invitation {
	if len(inv.Permissions) == 0 {
		inv.Permissions = nil
	} else {
		inv.Permissions = slices.Clone(inv.Permissions)
	}
	inv.ExpiresAt, inv.SentAt = micro(inv.ExpiresAt), micro(inv.SentAt)
	inv.CreatedAt, inv.DecidedAt = micro(inv.CreatedAt), micro(inv.DecidedAt)
	return inv
}

// micro returns t in UTC truncated to microseconds, with no monotonic
// reading; the zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
