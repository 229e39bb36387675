package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertUser adds u. An existing ID, or an email held by a user of the
// platform that is not deleted, is tenancy.ErrConflict; a missing platform
// tenancy.ErrNotFound.
func (s *Store) InsertUser(ctx context.Context, u tenancy.User, ev audit.Event) error {
	const op = "insert user"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, u.PlatformID)
	if err != nil {
		return err
	}
	if err := pd.checkNewUser(op, u); err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd.putUser(cloneUser(u))
	return nil
}

// GetUser returns the user, deleted ones included, or tenancy.ErrNotFound.
func (s *Store) GetUser(_ context.Context, platformID, userID string) (tenancy.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if u, ok := pd.users[userID]; ok {
			return u, nil
		}
	}
	return tenancy.User{}, failf("get user", tenancy.ErrNotFound, "user %q", userID)
}

// GetUserByEmail returns the user that is not deleted with this canonical
// email or, when there is none, the most recently updated deleted one (the
// greater ID on a tie); tenancy.ErrNotFound when neither exists.
func (s *Store) GetUserByEmail(_ context.Context, platformID, email string) (tenancy.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if id, ok := pd.emails[email]; ok {
			return pd.users[id], nil
		}
		if u, ok := pd.lastDeleted(email); ok {
			return u, nil
		}
	}
	return tenancy.User{}, failf("get user by email", tenancy.ErrNotFound, "email %q", email)
}

// UpdateUser writes u's email, name, role, status, password hash, UpdatedAt
// and Version if the stored version is still u.Version-1.
// tenancy.ErrNotFound when the user is missing, tenancy.ErrStale when its
// version moved, tenancy.ErrConflict when the email is held by another user
// that is not deleted.
func (s *Store) UpdateUser(ctx context.Context, u tenancy.User, ev audit.Event) error {
	const op = "update user"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, u.PlatformID)
	if err != nil {
		return err
	}
	old, ok := pd.users[u.ID]
	switch {
	case !ok:
		return failf(op, tenancy.ErrNotFound, "user %q", u.ID)
	case old.Version != u.Version-1:
		return failf(op, tenancy.ErrStale, "user %q is at version %d, not %d", u.ID, old.Version, u.Version-1)
	case u.Status != tenancy.UserDeleted && pd.emailHeld(u.Email, u.ID):
		return failf(op, tenancy.ErrConflict, "email %q taken", u.Email)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	u = cloneUser(u)
	old.Email, old.Name, old.Role, old.Status = u.Email, u.Name, u.Role, u.Status
	old.PasswordHash, old.UpdatedAt, old.Version = u.PasswordHash, u.UpdatedAt, u.Version
	pd.putUser(old)
	return nil
}

// ListUsers returns up to q.Limit users matching q (every match when
// q.Limit <= 0), ordered by email then ID, strictly after q.After when set.
func (s *Store) ListUsers(_ context.Context, q tenancy.UserQuery) ([]tenancy.User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = []tenancy.UserStatus{tenancy.UserActive, tenancy.UserDisabled}
	}
	search := strings.ToLower(q.Search)
	var out []tenancy.User
	for _, u := range pd.users {
		switch {
		case len(q.Roles) > 0 && !slices.Contains(q.Roles, u.Role),
			!slices.Contains(statuses, u.Status),
			search != "" && !containsFold(search, u.Email, u.Name),
			q.AccountID != "" && !pd.isMember(q.AccountID, u.ID),
			q.After != nil && compareUser(u, q.After.Email, q.After.ID) <= 0:
			continue
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b tenancy.User) int { return compareUser(a, b.Email, b.ID) })
	return limit(out, q.Limit), nil
}

// compareUser orders u against the position (email, id) in the users order.
func compareUser(u tenancy.User, email, id string) int {
	return cmp.Or(strings.Compare(u.Email, email), strings.Compare(u.ID, id))
}

// checkNewUser refuses u when its ID exists or its email is held.
func (pd *platformData) checkNewUser(op string, u tenancy.User) error {
	if _, ok := pd.users[u.ID]; ok {
		return failf(op, tenancy.ErrConflict, "user %q exists", u.ID)
	}
	if u.Status != tenancy.UserDeleted && pd.emailHeld(u.Email, "") {
		return failf(op, tenancy.ErrConflict, "email %q taken", u.Email)
	}
	return nil
}

// emailHeld reports whether a user that is not deleted, other than
// exceptID, holds email.
func (pd *platformData) emailHeld(email, exceptID string) bool {
	id, ok := pd.emails[email]
	return ok && id != exceptID
}

// putUser stores u (already cloned) and keeps the email index in step.
func (pd *platformData) putUser(u tenancy.User) {
	if old, ok := pd.users[u.ID]; ok && pd.emails[old.Email] == u.ID {
		delete(pd.emails, old.Email)
	}
	pd.users[u.ID] = u
	if u.Status != tenancy.UserDeleted {
		pd.emails[u.Email] = u.ID
	}
}

// lastDeleted returns the most recently updated deleted user with email.
func (pd *platformData) lastDeleted(email string) (tenancy.User, bool) {
	var best tenancy.User
	found := false
	for _, u := range pd.users {
		if u.Status != tenancy.UserDeleted || u.Email != email {
			continue
		}
		if !found || cmp.Or(u.UpdatedAt.Compare(best.UpdatedAt), strings.Compare(u.ID, best.ID)) > 0 {
			best, found = u, true
		}
	}
	return best, found
}

// containsFold reports whether any of fields contains lowerNeedle, ignoring
// case.
func containsFold(lowerNeedle string, fields ...string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), lowerNeedle) {
			return true
		}
	}
	return false
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
