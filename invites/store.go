package invites

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Store persists invitations. It holds no rules and never reads the clock
// nor makes IDs or tokens: Service computes every value first. Every method
// is scoped by platform; another platform's invitation is ErrNotFound.
// Every change writes its audit event in the same transaction; a call that
// fails writes nothing. The token itself never reaches a Store: only its
// hash.
//
// Implementations: invites/memstore and invites/sqlstore; both pass
// invites/storetest.
type Store interface {
	// Insert adds inv. An invitation stored Pending of the same platform,
	// kind, email, account and resource is ErrConflict — also one past its
	// expiry, which Service records as Expired first (releasing its seat) —
	// and so is a token hash in use; the database decides when inserts
	// race.
	Insert(ctx context.Context, inv Invitation, ev audit.Event) error
	// Get returns the invitation, or ErrNotFound.
	Get(ctx context.Context, platformID, id string) (Invitation, error)
	// GetByToken returns the invitation whose current token has this hash,
	// or ErrNotFound.
	GetByToken(ctx context.Context, platformID, tokenHash string) (Invitation, error)
	// Update writes inv (status, token hash, expiry, sent and decided
	// fields) if the stored version is still inv.Version-1; ErrStale
	// otherwise, ErrNotFound when missing, ErrConflict when the token hash
	// is another invitation's.
	Update(ctx context.Context, inv Invitation, ev audit.Event) error
	// Claim marks the invitation with r.TokenHash accepted by r.UserID at
	// r.Now, only if it is stored Pending and not expired at r.Now: of many
	// concurrent claims, exactly one succeeds and gets the updated
	// invitation; the others get ErrUsed (or ErrNotFound, ErrExpired,
	// ErrRevoked, ErrDeclined for an invitation in that state). The event is
	// written with the claim.
	Claim(ctx context.Context, r Claim) (Invitation, error)
	// List returns up to q.Limit invitations matching q, newest first
	// (CreatedAt then ID, descending), strictly after q.After when set.
	List(ctx context.Context, q Query) ([]Invitation, error)
	// CountSince counts the platform's invitations created at or after
	// since, by inviterID when it is not empty (for rate limits).
	CountSince(ctx context.Context, platformID, inviterID string, since time.Time) (int, error)
}

// Claim is what Store.Claim needs.
type Claim struct {
	PlatformID string
	TokenHash  string
	UserID     string
	Now        time.Time
	Event      audit.Event
}

// Query selects invitations of one platform; empty fields match all.
type Query struct {
	PlatformID string
	// Status keeps invitations stored in that state.
	Status Status
	// PendingAt, when set, keeps invitations stored Pending that have not
	// expired at that instant (Status is then ignored).
	PendingAt  time.Time
	Kind       Kind
	InviterID  string
	AccountID  string
	ResourceID string
	Email      string
	After      *Cursor
	Limit      int
}

// Cursor is a keyset position in the newest-first order.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}
