package audit

import (
	"context"
	"time"
)

// Store persists events. Implementations: audit/memstore and
// audit/sqlstore; both pass audit/storetest.
//
// Arguments are checked by Service before they reach a Store.
type Store interface {
	// Insert adds one event; an existing (PlatformID, ID) is ErrConflict.
	Insert(ctx context.Context, e Event) error
	// List returns up to limit events of q.PlatformID matching q, newest
	// first (At, then ID, descending), strictly after the cursor when
	// after is non-nil.
	List(ctx context.Context, q StoreQuery) ([]Event, error)
	// PurgeBefore deletes at most limit events (of any platform) with At
	// before cutoff, oldest first, and returns how many it deleted.
	PurgeBefore(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// StoreQuery is a Query checked and decoded by Service for a Store.
//
// ActorID matches events whose ActorID or OnBehalfOfID equals it; Since is
// inclusive and Until exclusive; IDs compare as byte strings (on
// PostgreSQL, in the "C" collation), so that ties on At order the same in
// every store.
type StoreQuery struct {
	PlatformID string
	AccountID  string
	ActorID    string
	Action     string
	Since      time.Time
	Until      time.Time
	// After is the decoded cursor; nil for the first page.
	After *Cursor
	// Limit is the number of events to return (already bounded).
	Limit int
}
