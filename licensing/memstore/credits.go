package memstore

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
)

// ApplyCredit adds e.Delta to the account's balance of e.Kind and records
// e with Balance set to the new balance, atomically, and returns it.
//
// When e.IdempotencyKey was used before for the account (whatever the
// kind), nothing is applied nor recorded and the earlier entry is returned
// with applied false. Otherwise a balance that would fall below zero is
// licensing.ErrInsufficientCredits, one that would overflow int64 is
// licensing.ErrInvalid, and an entry ID already used on the platform is
// licensing.ErrConflict; nothing is written then. Credits are not gate
// facts: listeners hear nothing.
func (s *Store) ApplyCredit(ctx context.Context, e licensing.CreditEntry, ev audit.Event) (licensing.CreditEntry, bool, error) {
	const op = "apply credit"
	s.mu.Lock()
	defer s.mu.Unlock()
	e = cloneCredit(e)
	var cur int64
	if pd := s.platforms[e.PlatformID]; pd != nil {
		if e.IdempotencyKey != "" {
			if earlier, ok := pd.idem[idemKey{e.AccountID, e.IdempotencyKey}]; ok {
				return earlier, false, nil
			}
		}
		if hasKey(pd.creditIDs, e.ID) {
			return licensing.CreditEntry{}, false, failf(op, licensing.ErrConflict, "credit entry %q exists", e.ID)
		}
		cur = pd.balances[e.AccountID][e.Kind]
	}
	switch {
	case e.Delta > 0 && cur > math.MaxInt64-e.Delta:
		return licensing.CreditEntry{}, false, failf(op, &licensing.InvalidError{Field: "Delta", Reason: "balance would overflow"}, "account %q, %q", e.AccountID, e.Kind)
	case cur+e.Delta < 0:
		return licensing.CreditEntry{}, false, failf(op, licensing.ErrInsufficientCredits, "account %q has %d %q, cannot take %d", e.AccountID, cur, e.Kind, -e.Delta)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return licensing.CreditEntry{}, false, err
	}
	e.Balance = cur + e.Delta
	pd := s.writable(e.PlatformID)
	byKind := pd.balances[e.AccountID]
	if byKind == nil {
		byKind = map[string]int64{}
		pd.balances[e.AccountID] = byKind
	}
	byKind[e.Kind] = e.Balance
	pd.credits[e.AccountID] = append(pd.credits[e.AccountID], e)
	pd.creditIDs[e.ID] = struct{}{}
	if e.IdempotencyKey != "" {
		pd.idem[idemKey{e.AccountID, e.IdempotencyKey}] = e
	}
	return e, true, nil
}

// Balances returns the account's balance of every kind it has had an
// entry of (zero balances included); an account with none has an empty,
// non-nil map.
func (s *Store) Balances(_ context.Context, platformID, accountID string) (map[string]int64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := map[string]int64{}
	if pd := s.platforms[platformID]; pd != nil {
		maps.Copy(out, pd.balances[accountID])
	}
	return out, nil
}

// CreditHistory returns up to q.Limit entries (every match when
// q.Limit <= 0) of the account, of q.Kind when set, newest first (At, then
// ID, descending), strictly after q.After when set.
func (s *Store) CreditHistory(_ context.Context, q licensing.CreditQuery) ([]licensing.CreditEntry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var after licensing.CreditEntry
	if q.After != nil {
		after = licensing.CreditEntry{At: micro(q.After.At), ID: q.After.ID}
	}
	var out []licensing.CreditEntry
	for _, e := range pd.credits[q.AccountID] {
		if (q.Kind == "" || e.Kind == q.Kind) && (q.After == nil || newestCredit(e, after) > 0) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, newestCredit)
	return limit(out, q.Limit), nil
}

// newestCredit orders entries newest first: At then ID, both descending.
func newestCredit(a, b licensing.CreditEntry) int {
	return cmp.Or(b.At.Compare(a.At), strings.Compare(b.ID, a.ID))
}
