package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertMember adds m. An existing (account, user) pair is
// tenancy.ErrConflict; a missing platform, account or user
// tenancy.ErrNotFound.
func (s *Store) InsertMember(ctx context.Context, m tenancy.Member, ev audit.Event) error {
	const op = "insert member"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, m.PlatformID)
	if err != nil {
		return err
	}
	switch {
	case !hasKey(pd.accounts, m.AccountID):
		return failf(op, tenancy.ErrNotFound, "account %q", m.AccountID)
	case !hasKey(pd.users, m.UserID):
		return failf(op, tenancy.ErrNotFound, "user %q", m.UserID)
	case pd.isMember(m.AccountID, m.UserID):
		return failf(op, tenancy.ErrConflict, "user %q is already a member of account %q", m.UserID, m.AccountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd.putMember(cloneMember(m))
	return nil
}

// DeleteMember removes the member; tenancy.ErrNotFound if missing.
func (s *Store) DeleteMember(ctx context.Context, platformID, accountID, userID string, ev audit.Event) error {
	const op = "delete member"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, platformID)
	if err != nil {
		return err
	}
	if !pd.isMember(accountID, userID) {
		return failf(op, tenancy.ErrNotFound, "user %q is not a member of account %q", userID, accountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd.dropMember(accountID, userID)
	return nil
}

// Members lists an account's members, the primary first, then by CreatedAt
// and user ID. An unknown account has none (nil, no error).
func (s *Store) Members(_ context.Context, platformID, accountID string) ([]tenancy.Member, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Member
	for _, m := range pd.members[accountID] {
		out = append(out, cloneMember(m))
	}
	slices.SortFunc(out, func(a, b tenancy.Member) int {
		return cmp.Or(
			-compareBool(a.Primary, b.Primary),
			a.CreatedAt.Compare(b.CreatedAt),
			strings.Compare(a.UserID, b.UserID))
	})
	return out, nil
}

// Memberships lists a user's places with their accounts, ordered by the
// member's CreatedAt and account ID. An unknown user has none (nil, no
// error).
func (s *Store) Memberships(_ context.Context, platformID, userID string) ([]tenancy.Membership, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Membership
	for accountID := range pd.places[userID] {
		out = append(out, tenancy.Membership{
			Member:  cloneMember(pd.members[accountID][userID]),
			Account: cloneAccount(pd.accounts[accountID]),
		})
	}
	slices.SortFunc(out, func(a, b tenancy.Membership) int {
		return cmp.Or(
			a.Member.CreatedAt.Compare(b.Member.CreatedAt),
			strings.Compare(a.Member.AccountID, b.Member.AccountID))
	})
	return out, nil
}

// isMember reports whether userID is a member of accountID.
func (pd *platformData) isMember(accountID, userID string) bool {
	return hasKey(pd.members[accountID], userID)
}

// putMember stores m (already cloned) in both membership indexes.
func (pd *platformData) putMember(m tenancy.Member) {
	if pd.members[m.AccountID] == nil {
		pd.members[m.AccountID] = map[string]tenancy.Member{}
	}
	pd.members[m.AccountID][m.UserID] = m
	if pd.places[m.UserID] == nil {
		pd.places[m.UserID] = map[string]struct{}{}
	}
	pd.places[m.UserID][m.AccountID] = struct{}{}
}

// dropMember removes a member from both membership indexes.
func (pd *platformData) dropMember(accountID, userID string) {
	delete(pd.members[accountID], userID)
	if len(pd.members[accountID]) == 0 {
		delete(pd.members, accountID)
	}
	delete(pd.places[userID], accountID)
	if len(pd.places[userID]) == 0 {
		delete(pd.places, userID)
	}
}

// compareBool orders false before true.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
