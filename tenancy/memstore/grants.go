package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// grantKey identifies a grant within its account.
type grantKey struct{ resource, user string }

// InsertGrant adds g. An existing (account, resource, user) grant is
// tenancy.ErrConflict; a missing platform, account or user
// tenancy.ErrNotFound.
func (s *Store) InsertGrant(ctx context.Context, g tenancy.Grant, ev audit.Event) error {
	const op = "insert grant"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, g.PlatformID)
	if err != nil {
		return err
	}
	k := grantKey{g.ResourceID, g.UserID}
	switch {
	case !hasKey(pd.accounts, g.AccountID):
		return failf(op, tenancy.ErrNotFound, "account %q", g.AccountID)
	case !hasKey(pd.users, g.UserID):
		return failf(op, tenancy.ErrNotFound, "user %q", g.UserID)
	case hasKey(pd.grants[g.AccountID], k):
		return failf(op, tenancy.ErrConflict, "user %q already has resource %q of account %q", g.UserID, g.ResourceID, g.AccountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	if pd.grants[g.AccountID] == nil {
		pd.grants[g.AccountID] = map[grantKey]tenancy.Grant{}
	}
	g.CreatedAt = micro(g.CreatedAt)
	pd.grants[g.AccountID][k] = g
	return nil
}

// DeleteGrant removes the grant of g's account, resource and user;
// tenancy.ErrNotFound if missing.
func (s *Store) DeleteGrant(ctx context.Context, g tenancy.Grant, ev audit.Event) error {
	const op = "delete grant"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, g.PlatformID)
	if err != nil {
		return err
	}
	k := grantKey{g.ResourceID, g.UserID}
	if !hasKey(pd.grants[g.AccountID], k) {
		return failf(op, tenancy.ErrNotFound, "grant of resource %q of account %q to user %q", g.ResourceID, g.AccountID, g.UserID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.grants[g.AccountID], k)
	if len(pd.grants[g.AccountID]) == 0 {
		delete(pd.grants, g.AccountID)
	}
	return nil
}

// Grants lists the grants matching q (empty fields match all) by account,
// resource, then user; an unknown platform has none (nil, no error).
func (s *Store) Grants(_ context.Context, q tenancy.GrantQuery) ([]tenancy.Grant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Grant
	for accountID, byKey := range pd.grants {
		if q.AccountID != "" && accountID != q.AccountID {
			continue
		}
		for k, g := range byKey {
			if (q.ResourceID == "" || k.resource == q.ResourceID) && (q.UserID == "" || k.user == q.UserID) {
				out = append(out, g)
			}
		}
	}
	slices.SortFunc(out, func(a, b tenancy.Grant) int {
		return cmp.Or(
			strings.Compare(a.AccountID, b.AccountID),
			strings.Compare(a.ResourceID, b.ResourceID),
			strings.Compare(a.UserID, b.UserID))
	})
	return out, nil
}
