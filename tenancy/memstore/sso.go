package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// SetSSOSecret stores a copy of the account's sealed SSO secret, replacing
// the previous one. tenancy.ErrNotFound when the platform or the account
// is missing.
func (s *Store) SetSSOSecret(ctx context.Context, r tenancy.SetSSOSecret) error {
	const op = "set sso secret"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return err
	}
	if !hasKey(pd.accounts, r.AccountID) {
		return failf(op, tenancy.ErrNotFound, "account %q", r.AccountID)
	}
	if err := s.record(ctx, op, r.Event); err != nil {
		return err
	}
	pd.ssoSecrets[r.AccountID] = slices.Clone(r.Sealed)
	return nil
}

// SSOSecret returns a copy of the account's sealed SSO secret, or
// tenancy.ErrNotFound when it has none.
func (s *Store) SSOSecret(_ context.Context, platformID, accountID string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if sealed, ok := pd.ssoSecrets[accountID]; ok {
			return slices.Clone(sealed), nil
		}
	}
	return nil, failf("sso secret", tenancy.ErrNotFound, "account %q has no sso secret", accountID)
}

// UseSSONonce records nonceHash as spent on the platform until expiresAt.
// tenancy.ErrConflict when it was spent before (and not yet purged),
// tenancy.ErrNotFound when the platform is missing.
func (s *Store) UseSSONonce(_ context.Context, platformID, nonceHash string, expiresAt time.Time) error {
	const op = "use sso nonce"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, platformID)
	if err != nil {
		return err
	}
	if hasKey(pd.nonces, nonceHash) {
		return failf(op, tenancy.ErrConflict, "sso link already used")
	}
	pd.nonces[nonceHash] = micro(expiresAt)
	return nil
}

// PurgeSSONonces deletes, across every platform, at most limit spent
// nonces that expired before cutoff, those that expired first first, and
// returns how many. A limit of zero or less deletes none.
func (s *Store) PurgeSSONonces(_ context.Context, cutoff time.Time, limit int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	type nonce struct {
		pd        *platformData
		hash      string
		expiresAt time.Time
	}
	var due []nonce
	for _, pd := range s.platforms {
		for hash, exp := range pd.nonces {
			if exp.Before(cutoff) {
				due = append(due, nonce{pd, hash, exp})
			}
		}
	}
	slices.SortFunc(due, func(a, b nonce) int {
		return cmp.Or(a.expiresAt.Compare(b.expiresAt), strings.Compare(a.hash, b.hash))
	})
	due = due[:max(0, min(limit, len(due)))]
	for _, n := range due {
		delete(n.pd.nonces, n.hash)
	}
	return len(due), nil
}
