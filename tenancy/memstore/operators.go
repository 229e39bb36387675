package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/tenancy"
)

// Assign puts every account of r.AccountIDs in the operator's care, created
// at r.Now; accounts already assigned to them keep their assignment, and an
// account named twice is assigned once. tenancy.ErrNotFound when the
// platform, the operator (a user of the platform) or an account is
// missing; nothing is written then.
func (s *Store) Assign(ctx context.Context, r tenancy.Assign) error {
	const op = "assign"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return err
	}
	if !hasKey(pd.users, r.OperatorID) {
		return failf(op, tenancy.ErrNotFound, "operator %q", r.OperatorID)
	}
	for _, id := range r.AccountIDs {
		if !hasKey(pd.accounts, id) {
			return failf(op, tenancy.ErrNotFound, "account %q", id)
		}
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return err
	}
	for _, id := range r.AccountIDs {
		if hasKey(pd.assigned[id], r.OperatorID) {
			continue
		}
		if pd.assigned[id] == nil {
			pd.assigned[id] = map[string]tenancy.Assignment{}
		}
		pd.assigned[id][r.OperatorID] = tenancy.Assignment{
			PlatformID: r.PlatformID, AccountID: id, OperatorID: r.OperatorID, CreatedAt: micro(r.Now),
		}
	}
	return nil
}

// Unassign takes the accounts of r.AccountIDs out of the operator's care;
// accounts (or operators) that are not assigned or do not exist are
// skipped. tenancy.ErrNotFound when the platform is missing.
func (s *Store) Unassign(ctx context.Context, r tenancy.Assign) error {
	const op = "unassign"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return err
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return err
	}
	for _, id := range r.AccountIDs {
		delete(pd.assigned[id], r.OperatorID)
		if len(pd.assigned[id]) == 0 {
			delete(pd.assigned, id)
		}
	}
	return nil
}

// Assignments lists the operators of the given accounts, by account then
// operator. No accounts, or unknown ones, have none (nil, no error).
func (s *Store) Assignments(_ context.Context, platformID string, accountIDs []string) ([]tenancy.Assignment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Assignment
	for _, id := range dedupe(accountIDs) {
		for _, a := range pd.assigned[id] {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b tenancy.Assignment) int {
		return cmp.Or(strings.Compare(a.AccountID, b.AccountID), strings.Compare(a.OperatorID, b.OperatorID))
	})
	return out, nil
}

// isAssigned reports whether accountID is in operatorID's care.
func (pd *platformData) isAssigned(accountID, operatorID string) bool {
	return hasKey(pd.assigned[accountID], operatorID)
}

// dedupe returns ids without repeats, in the order first seen.
func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
