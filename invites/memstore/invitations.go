package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
)

// Insert adds inv with ev. An ID or a token hash already used on the
// platform is invites.ErrConflict, and so is an invitation stored Pending
// (expired or not) for the same kind, email, account and resource.
func (s *Store) Insert(ctx context.Context, inv invites.Invitation, ev audit.Event) error {
	const op = "insert"
	inv = clone(inv)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pd := s.platforms[inv.PlatformID]; pd != nil {
		if _, ok := pd.invitations[inv.ID]; ok {
			return failf(op, invites.ErrConflict, "invitation %q exists", inv.ID)
		}
		if inv.TokenHash != "" {
			if _, ok := pd.tokens[inv.TokenHash]; ok {
				return failf(op, invites.ErrConflict, "token hash in use")
			}
		}
		for id := range pd.pending[keyOf(inv)] {
			return failf(op, invites.ErrConflict, "invitation %q is pending for %q", id, inv.Email)
		}
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(inv.PlatformID).put(inv)
	return nil
}

// Get returns the invitation, or invites.ErrNotFound.
func (s *Store) Get(_ context.Context, platformID, id string) (invites.Invitation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if inv, ok := pd.invitations[id]; ok {
			return clone(inv), nil
		}
	}
	return invites.Invitation{}, failf("get", invites.ErrNotFound, "invitation %q", id)
}

// GetByToken returns the invitation whose current token has this hash, or
// invites.ErrNotFound (always for the empty hash).
func (s *Store) GetByToken(_ context.Context, platformID, tokenHash string) (invites.Invitation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if inv, ok := s.byToken(platformID, tokenHash); ok {
		return clone(inv), nil
	}
	return invites.Invitation{}, failf("get by token", invites.ErrNotFound, "no invitation has this token")
}

// byToken is GetByToken for a caller holding the lock.
func (s *Store) byToken(platformID, tokenHash string) (invites.Invitation, bool) {
	pd := s.platforms[platformID]
	if pd == nil || tokenHash == "" {
		return invites.Invitation{}, false
	}
	id, ok := pd.tokens[tokenHash]
	if !ok {
		return invites.Invitation{}, false
	}
	return pd.invitations[id], true
}

// Update writes inv's Status, TokenHash, ExpiresAt, SentAt, DecidedAt,
// DecidedBy and Version with ev if the stored version is still inv.Version-1
// (invites.ErrStale otherwise, invites.ErrNotFound when missing); the other
// fields keep their stored values. A token hash another invitation of the
// platform holds is invites.ErrConflict.
func (s *Store) Update(ctx context.Context, inv invites.Invitation, ev audit.Event) error {
	const op = "update"
	inv = clone(inv)
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[inv.PlatformID]
	var cur invites.Invitation
	ok := false
	if pd != nil {
		cur, ok = pd.invitations[inv.ID]
	}
	switch {
	case !ok:
		return failf(op, invites.ErrNotFound, "invitation %q", inv.ID)
	case cur.Version != inv.Version-1:
		return failf(op, invites.ErrStale, "invitation %q is at version %d, not %d", inv.ID, cur.Version, inv.Version-1)
	}
	if inv.TokenHash != "" {
		if owner, used := pd.tokens[inv.TokenHash]; used && owner != inv.ID {
			return failf(op, invites.ErrConflict, "token hash in use")
		}
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	next := cur
	next.Status, next.TokenHash, next.ExpiresAt, next.SentAt = inv.Status, inv.TokenHash, inv.ExpiresAt, inv.SentAt
	next.DecidedAt, next.DecidedBy, next.Version = inv.DecidedAt, inv.DecidedBy, inv.Version
	pd.put(next)
	return nil
}

// Claim marks the invitation with r.TokenHash accepted by r.UserID at
// r.Now, with r.Event, if it is stored Pending and not expired at r.Now,
// and returns it updated (its version one more). Otherwise it writes
// nothing and returns invites.ErrNotFound for an unknown token,
// invites.ErrExpired, invites.ErrRevoked or invites.ErrDeclined for an
// invitation in that state, and invites.ErrUsed for one already accepted.
// The check and the change happen under one lock, so of concurrent claims
// exactly one succeeds.
func (s *Store) Claim(ctx context.Context, r invites.Claim) (invites.Invitation, error) {
	const op = "claim"
	now := micro(r.Now)
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.byToken(r.PlatformID, r.TokenHash)
	if !ok {
		return invites.Invitation{}, failf(op, invites.ErrNotFound, "no invitation has this token")
	}
	switch st := cur.StatusAt(now); st {
	case invites.Pending:
	case invites.Expired:
		return invites.Invitation{}, failf(op, invites.ErrExpired, "invitation %q", cur.ID)
	case invites.Revoked:
		return invites.Invitation{}, failf(op, invites.ErrRevoked, "invitation %q", cur.ID)
	case invites.Declined:
		return invites.Invitation{}, failf(op, invites.ErrDeclined, "invitation %q", cur.ID)
	case invites.Accepted:
		return invites.Invitation{}, failf(op, invites.ErrUsed, "invitation %q", cur.ID)
	default:
		return invites.Invitation{}, failf(op, invites.ErrUsed, "invitation %q is %s", cur.ID, st)
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return invites.Invitation{}, err
	}
	next := clone(cur)
	next.Status, next.DecidedAt, next.DecidedBy = invites.Accepted, now, r.UserID
	next.Version++
	s.platforms[r.PlatformID].put(next)
	return clone(next), nil
}

// List returns up to q.Limit invitations matching q (every match when
// q.Limit <= 0), newest first (CreatedAt then ID, descending), strictly
// after q.After when set. An unknown platform has none.
func (s *Store) List(_ context.Context, q invites.Query) ([]invites.Invitation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var after invites.Invitation
	if q.After != nil {
		after = invites.Invitation{CreatedAt: micro(q.After.CreatedAt), ID: q.After.ID}
	}
	pendingAt := micro(q.PendingAt)
	var out []invites.Invitation
	for _, inv := range pd.invitations {
		if match(q, pendingAt, inv) && (q.After == nil || newest(inv, after) > 0) {
			out = append(out, inv)
		}
	}
	slices.SortFunc(out, newest)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	if len(out) == 0 {
		return nil, nil
	}
	for i := range out {
		out[i] = clone(out[i])
	}
	return out, nil
}

// match reports whether inv passes every filter of q; pendingAt is
// q.PendingAt in the store's precision.
func match(q invites.Query, pendingAt time.Time, inv invites.Invitation) bool {
	switch {
	case !pendingAt.IsZero() && inv.StatusAt(pendingAt) != invites.Pending,
		pendingAt.IsZero() && q.Status != "" && inv.Status != q.Status,
		q.Kind != "" && inv.Kind != q.Kind,
		q.InviterID != "" && inv.InviterID != q.InviterID,
		q.AccountID != "" && inv.AccountID != q.AccountID,
		q.ResourceID != "" && inv.ResourceID != q.ResourceID,
		q.Email != "" && inv.Email != q.Email:
		return false
	}
	return true
}

// newest orders invitations newest first: it is negative when a comes
// before b, that is when a was created later, or at the same time with a
// greater ID.
func newest(a, b invites.Invitation) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
}

// CountSince counts the platform's invitations created at or after since,
// by inviterID when it is not empty.
func (s *Store) CountSince(_ context.Context, platformID, inviterID string, since time.Time) (int, error) {
	since = micro(since)
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return 0, nil
	}
	n := 0
	for _, inv := range pd.invitations {
		if !inv.CreatedAt.Before(since) && (inviterID == "" || inv.InviterID == inviterID) {
			n++
		}
	}
	return n, nil
}
