package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/impersonation"
)

// Store is an in-memory impersonation.Store, safe for concurrent use. The
// zero value is not ready: use New.
type Store struct {
	events audit.Store

	mu sync.RWMutex
	// platforms holds each platform's sessions, created on its first
	// write; nothing of one platform is reachable through another's ID.
	platforms map[string]*platformData
}

var _ impersonation.Store = (*Store)(nil)

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

// platformData is one platform's sessions and their index.
type platformData struct {
	// sessions maps ID to session; tokens maps each non-empty token hash
	// to its session's ID.
	sessions map[string]impersonation.Session
	tokens   map[string]string
}

// writable returns the records of platform id, creating them when missing.
// The caller holds the write lock and has checked everything, since an
// empty platform created here stays.
func (s *Store) writable(id string) *platformData {
	pd := s.platforms[id]
	if pd == nil {
		pd = &platformData{sessions: map[string]impersonation.Session{}, tokens: map[string]string{}}
		s.platforms[id] = pd
	}
	return pd
}

// put stores sess, replacing the stored session of its ID if any, and
// keeps the token index right. The caller holds the write lock.
func (pd *platformData) put(sess impersonation.Session) {
	if old, ok := pd.sessions[sess.ID]; ok && old.TokenHash != "" && pd.tokens[old.TokenHash] == old.ID {
		delete(pd.tokens, old.TokenHash)
	}
	pd.sessions[sess.ID] = sess
	if sess.TokenHash != "" {
		pd.tokens[sess.TokenHash] = sess.ID
	}
}

// record writes events to the audit store, in order. The caller holds the
// write lock and has checked everything else, so a nil result means the
// change can be applied. Two events with one platform and ID are refused
// before any is written.
func (s *Store) record(ctx context.Context, op string, events ...audit.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	if len(events) > 1 {
		type key struct{ platform, id string }
		seen := make(map[key]bool, len(events))
		for _, e := range events {
			k := key{e.PlatformID, e.ID}
			if seen[k] {
				return failf(op, impersonation.ErrConflict, "event %q given twice", e.ID)
			}
			seen[k] = true
		}
	}
	for _, e := range events {
		err := s.events.Insert(ctx, e)
		switch {
		case errors.Is(err, audit.ErrConflict):
			return fmt.Errorf("memstore: %s: %w: event %q: %w", op, impersonation.ErrConflict, e.ID, err)
		case err != nil:
			return fmt.Errorf("memstore: %s: write event %q: %w", op, e.ID, err)
		}
	}
	return nil
}

// failf returns an error wrapping sentinel with the operation and details:
// "memstore: op: sentinel: details".
func failf(op string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("memstore: %s: %w: %s", op, sentinel, fmt.Sprintf(format, args...))
}

// clone brings a session's times to UTC at microsecond precision, as the
// SQL stores keep them. A Session holds no slice or map, so the copy is
// already the caller's own; it serves on the way in.
func clone(sess impersonation.Session) impersonation.Session {
	sess.StartedAt, sess.ExpiresAt, sess.EndedAt = micro(sess.StartedAt), micro(sess.ExpiresAt), micro(sess.EndedAt)
	return sess
}

// micro returns t in UTC truncated to microseconds, with no monotonic
// reading; the zero time stays zero.
func micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
