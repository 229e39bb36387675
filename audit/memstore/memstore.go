package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Store is an in-memory audit.Store, safe for concurrent use. The zero
// value is not ready: use New.
type Store struct {
	mu sync.RWMutex
	// byPlatform holds each platform's events by ID.
	byPlatform map[string]map[string]audit.Event
}

var _ audit.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{byPlatform: map[string]map[string]audit.Event{}}
}

// Insert adds e; an existing (PlatformID, ID) is audit.ErrConflict.
func (s *Store) Insert(_ context.Context, e audit.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	events := s.byPlatform[e.PlatformID]
	if events == nil {
		events = map[string]audit.Event{}
		s.byPlatform[e.PlatformID] = events
	}
	if _, ok := events[e.ID]; ok {
		return audit.ErrConflict
	}
	events[e.ID] = clone(e)
	return nil
}

// List returns up to q.Limit events of q.PlatformID matching q, newest
// first, after q.After when set.
func (s *Store) List(_ context.Context, q audit.StoreQuery) ([]audit.Event, error) {
	s.mu.RLock()
	var out []audit.Event
	for _, e := range s.byPlatform[q.PlatformID] {
		if matches(q, e) {
			out = append(out, e)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, newestFirst)
	out = out[:min(len(out), q.Limit)]
	for i := range out {
		out[i] = clone(out[i])
	}
	return out, nil
}

// PurgeBefore deletes at most limit events of any platform with At before
// cutoff, oldest first, and returns how many it deleted.
func (s *Store) PurgeBefore(_ context.Context, cutoff time.Time, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old []audit.Event
	for _, events := range s.byPlatform {
		for _, e := range events {
			if e.At.Before(cutoff) {
				old = append(old, e)
			}
		}
	}
	slices.SortFunc(old, func(a, b audit.Event) int { return -newestFirst(a, b) })
	old = old[:min(len(old), max(limit, 0))]
	for _, e := range old {
		delete(s.byPlatform[e.PlatformID], e.ID)
		if len(s.byPlatform[e.PlatformID]) == 0 {
			delete(s.byPlatform, e.PlatformID)
		}
	}
	return len(old), nil
}

func matches(q audit.StoreQuery, e audit.Event) bool {
	switch {
	case q.AccountID != "" && e.AccountID != q.AccountID,
		q.ActorID != "" && e.ActorID != q.ActorID && e.OnBehalfOfID != q.ActorID,
		q.Action != "" && e.Action != q.Action,
		!q.Since.IsZero() && e.At.Before(q.Since),
		!q.Until.IsZero() && !e.At.Before(q.Until):
		return false
	case q.After != nil:
		// Strictly after the cursor in newest-first order.
		return e.At.Before(q.After.At) || e.At.Equal(q.After.At) && e.ID < q.After.ID
	}
	return true
}

// newestFirst orders by At, then ID, descending.
func newestFirst(a, b audit.Event) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	return strings.Compare(b.ID, a.ID)
}

// clone copies e so that neither the caller nor the store sees the other's
// later changes to Changes.
func clone(e audit.Event) audit.Event {
	if len(e.Changes) == 0 {
		e.Changes = nil
	} else {
		e.Changes = slices.Clone(e.Changes)
	}
	return e
}
