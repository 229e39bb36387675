package impersonation

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Store persists sessions. It holds no rules and never reads the clock nor
// makes IDs or tokens: Service computes every value first. Every method is
// scoped by platform; another platform's session is ErrNotFound. Every
// change writes its audit events in the same transaction; a call that fails
// writes nothing. The token itself never reaches a Store: only its hash.
//
// Implementations: impersonation/memstore and impersonation/sqlstore; both
// pass impersonation/storetest.
type Store interface {
	// Insert adds s and writes ev with it. A session ID or token hash
	// already used on the platform is ErrConflict.
	Insert(ctx context.Context, s Session, ev audit.Event) error
	// Get returns the session, or ErrNotFound.
	Get(ctx context.Context, platformID, id string) (Session, error)
	// GetByToken returns the session whose token has this hash, ended or
	// not, or ErrNotFound.
	GetByToken(ctx context.Context, platformID, tokenHash string) (Session, error)
	// End ends session e.ID at e.At for e.Reason and writes e.Event, only
	// if it has not ended yet: of many concurrent calls exactly one
	// succeeds and gets the ended session; the others get ErrEnded.
	// ErrNotFound when missing.
	End(ctx context.Context, e End) (Session, error)
	// EndAll ends, at e.At for e.Reason, every session of the platform not
	// ended yet that matches e (all of them when e names no account and no
	// user), writing e.Event(session) for each, all in one transaction, and
	// returns them (ended) in StartedAt then ID order. With e.Limit, the
	// first Limit sessions in that order are ended.
	EndAll(ctx context.Context, e EndAll) ([]Session, error)
	// List returns up to q.Limit sessions matching q, newest first
	// (StartedAt then ID, descending), strictly after q.After when set.
	List(ctx context.Context, q Query) ([]Session, error)
	// Record writes an event alone: a refused start or action, which
	// changes no session.
	Record(ctx context.Context, ev audit.Event) error
}

// End is what Store.End needs.
type End struct {
	PlatformID string
	ID         string
	At         time.Time
	Reason     EndReason
	Event      audit.Event
}

// EndAll selects the sessions Store.EndAll ends. AccountID and UserID,
// when set, must both match; UserID matches the actor or the subject.
type EndAll struct {
	PlatformID string
	AccountID  string
	UserID     string
	// ExpiredOnly keeps only sessions whose ExpiresAt is at or before At
	// (the sweeper); otherwise expired and live sessions both match.
	ExpiredOnly bool
	// Limit bounds how many are ended; 0 means all.
	Limit  int
	At     time.Time
	Reason EndReason
	// Event builds the audit event of each session ended (already ended,
	// with EndedAt and EndReason set). It must be a pure function that does
	// not call the Store: a store may call it under its lock, or more than
	// once when it retries a transaction.
	Event func(Session) audit.Event
}

// Query selects sessions of one platform; empty fields match all.
type Query struct {
	PlatformID string
	AccountID  string
	ActorID    string
	SubjectID  string
	// ActiveAt, when set, keeps sessions not ended and not expired at that
	// instant.
	ActiveAt time.Time
	After    *Cursor
	Limit    int
}

// Cursor is a keyset position in the newest-first order.
type Cursor struct {
	StartedAt time.Time
	ID        string
}
