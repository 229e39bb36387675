package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertMember adds r.Member and, when r.Quota is set, uses that much of
// the account's allocation of r.Quota.Resource (its UpdatedAt set to the
// member's CreatedAt). An existing (account, user) pair is
// tenancy.ErrConflict; a missing platform, account or user
// tenancy.ErrNotFound; a missing allocation, or one without room,
// tenancy.ErrQuotaExceeded. Nothing is written then.
func (s *Store) InsertMember(ctx context.Context, r tenancy.NewMember) error {
	const op = "insert member"
	s.mu.Lock()
	defer s.mu.Unlock()
	m := r.Member
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
	var alloc tenancy.Allocation
	if q := r.Quota; q != nil {
		var ok bool
		alloc, ok = pd.allocation(m.AccountID, q.Resource)
		if err := checkUse(op, alloc, ok, q.N); err != nil {
			return err
		}
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return err
	}
	m = cloneMember(m)
	pd.putMember(m)
	if r.Quota != nil {
		pd.use(alloc, r.Quota.N, m.CreatedAt)
	}
	return nil
}

// UpdateMember writes m's permissions; tenancy.ErrNotFound if the member
// is missing.
func (s *Store) UpdateMember(ctx context.Context, m tenancy.Member, ev audit.Event) error {
	const op = "update member"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, m.PlatformID)
	if err != nil {
		return err
	}
	old, ok := pd.members[m.AccountID][m.UserID]
	if !ok {
		return failf(op, tenancy.ErrNotFound, "user %q is not a member of account %q", m.UserID, m.AccountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	old.Permissions = cloneStrings(m.Permissions)
	pd.putMember(old)
	return nil
}

// DeleteMember removes the member and, when r.Quota is set, gives that
// many units back to the account's allocation of r.Quota.Resource (its
// UpdatedAt set to the event's time). What is given back stops at zero
// used, and a missing allocation is left missing: removing a member never
// fails for want of quota. tenancy.ErrNotFound if the member is missing.
func (s *Store) DeleteMember(ctx context.Context, r tenancy.RemoveMember) error {
	const op = "delete member"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return err
	}
	if !pd.isMember(r.AccountID, r.UserID) {
		return failf(op, tenancy.ErrNotFound, "user %q is not a member of account %q", r.UserID, r.AccountID)
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return err
	}
	pd.dropMember(r.AccountID, r.UserID)
	if q := r.Quota; q != nil && q.N > 0 {
		if a, ok := pd.allocation(r.AccountID, q.Resource); ok && a.Used > 0 {
			pd.use(a, -min(q.N, a.Used), r.Event.At)
		}
	}
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
