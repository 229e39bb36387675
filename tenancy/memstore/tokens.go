package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertToken adds t after deleting the user's other tokens of the same
// purpose, so only the newest link works. A missing platform or user is
// tenancy.ErrNotFound; a hash held by another token that stays is
// tenancy.ErrConflict.
func (s *Store) InsertToken(ctx context.Context, t tenancy.PasswordToken, ev audit.Event) error {
	const op = "insert token"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, t.PlatformID)
	if err != nil {
		return err
	}
	if err := pd.checkNewToken(op, t, t.PlatformID, hasKey(pd.users, t.UserID)); err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd.putToken(cloneToken(t))
	return nil
}

// UseToken spends a token atomically. If the token with r.Hash exists, is
// of one of r.Purposes and has not expired at r.Now, it is deleted with
// every other token of its user and purpose, the user's password hash is
// set to r.PasswordHash (version bumped, UpdatedAt set to r.Now), the event
// is written with TargetID and ActorID set to the user's ID where empty,
// and the updated user returned. An expired token (r.Now at or past its
// ExpiresAt) is deleted and reported as tenancy.ErrExpired; an unknown one,
// or one of another purpose, is tenancy.ErrNotFound.
func (s *Store) UseToken(ctx context.Context, r tenancy.UseToken) (tenancy.User, error) {
	const op = "use token"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[r.PlatformID]
	var t tenancy.PasswordToken
	ok := false
	if pd != nil {
		t, ok = pd.tokens[r.Hash]
	}
	if !ok || !slices.Contains(r.Purposes, t.Purpose) {
		return tenancy.User{}, failf(op, tenancy.ErrNotFound, "no such token")
	}
	if !r.Now.Before(t.ExpiresAt) {
		delete(pd.tokens, r.Hash)
		return tenancy.User{}, failf(op, tenancy.ErrExpired, "token expired at %s", t.ExpiresAt)
	}
	u, ok := pd.users[t.UserID]
	if !ok {
		return tenancy.User{}, failf(op, tenancy.ErrNotFound, "user %q", t.UserID)
	}
	ev := r.Event
	ev.TargetID = cmp.Or(ev.TargetID, u.ID)
	ev.ActorID = cmp.Or(ev.ActorID, u.ID)
	if err := s.record(ctx, op, ev); err != nil {
		return tenancy.User{}, err
	}
	pd.dropTokens(u.ID, &t.Purpose)
	u.PasswordHash, u.UpdatedAt, u.Version = r.PasswordHash, micro(r.Now), u.Version+1
	pd.putUser(u)
	return u, nil
}

// checkNewToken refuses t when it is of another platform than platformID,
// its user is not known, or its hash is held by a token that putToken
// would not replace.
func (pd *platformData) checkNewToken(op string, t tenancy.PasswordToken, platformID string, userKnown bool) error {
	if t.PlatformID != platformID || !userKnown {
		return failf(op, tenancy.ErrNotFound, "user %q", t.UserID)
	}
	if old, ok := pd.tokens[t.Hash]; ok && (old.UserID != t.UserID || old.Purpose != t.Purpose) {
		return failf(op, tenancy.ErrConflict, "token hash exists")
	}
	return nil
}

// putToken stores t (already cloned) after deleting its user's other tokens
// of its purpose.
func (pd *platformData) putToken(t tenancy.PasswordToken) {
	pd.dropTokens(t.UserID, &t.Purpose)
	pd.tokens[t.Hash] = t
}

// dropTokens deletes userID's tokens of purpose, or all of them when
// purpose is nil.
func (pd *platformData) dropTokens(userID string, purpose *tenancy.TokenPurpose) {
	for hash, t := range pd.tokens {
		if t.UserID == userID && (purpose == nil || t.Purpose == *purpose) {
			delete(pd.tokens, hash)
		}
	}
}
