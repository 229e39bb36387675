package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/licensing"
)

// GetLicense returns the license, or licensing.ErrNotFound.
func (s *Store) GetLicense(_ context.Context, platformID, id string) (licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if l, ok := pd.licenses[id]; ok {
			return l, nil
		}
	}
	return licensing.License{}, failf("get license", licensing.ErrNotFound, "license %q", id)
}

// GetLicenseByNumber returns the license with that number (compared
// exactly), or licensing.ErrNotFound.
func (s *Store) GetLicenseByNumber(_ context.Context, platformID, number string) (licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if id, ok := pd.numbers[number]; ok {
			return pd.licenses[id], nil
		}
	}
	return licensing.License{}, failf("get license by number", licensing.ErrNotFound, "number %q", number)
}

// AccountLicense returns the account's license stored Active, or else its
// most recently updated license (ties: greater ID), or
// licensing.ErrNotFound.
func (s *Store) AccountLicense(_ context.Context, platformID, accountID string) (licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if l, ok := s.accountLicense(platformID, accountID); ok {
		return l, nil
	}
	return licensing.License{}, failf("account license", licensing.ErrNotFound, "account %q has no license", accountID)
}

// AccountLicenses is AccountLicense for many accounts at once.
func (s *Store) AccountLicenses(_ context.Context, platformID string, accountIDs []string) (map[string]licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]licensing.License, len(accountIDs))
	for _, id := range accountIDs {
		if l, ok := s.accountLicense(platformID, id); ok {
			out[id] = l
		}
	}
	return out, nil
}

// accountLicense is AccountLicense for a caller holding the lock. The
// active index answers at once; the fallback scans the platform.
func (s *Store) accountLicense(platformID, accountID string) (licensing.License, bool) {
	pd := s.platforms[platformID]
	if pd == nil || accountID == "" {
		return licensing.License{}, false
	}
	if id, ok := pd.active[accountID]; ok {
		return pd.licenses[id], true
	}
	var best licensing.License
	found := false
	for _, l := range pd.licenses {
		if l.AccountID != accountID {
			continue
		}
		if !found || cmp.Or(l.UpdatedAt.Compare(best.UpdatedAt), strings.Compare(l.ID, best.ID)) > 0 {
			best, found = l, true
		}
	}
	return best, found
}

// ListLicenses returns up to q.Limit licenses matching q (every match when
// q.Limit <= 0), newest first (CreatedAt then ID, descending), strictly
// after q.After when set. An unknown platform has none.
func (s *Store) ListLicenses(_ context.Context, q licensing.LicenseQuery) ([]licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	var after licensing.License
	if q.After != nil {
		after = licensing.License{CreatedAt: micro(q.After.CreatedAt), ID: q.After.ID}
	}
	number := strings.ToLower(q.Number)
	var out []licensing.License
	for _, l := range pd.licenses {
		if matchLicense(q, number, l) && (q.After == nil || newestLicense(l, after) > 0) {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, newestLicense)
	return limit(out, q.Limit), nil
}

// matchLicense reports whether l passes every filter of q; number is
// q.Number lowercased.
func matchLicense(q licensing.LicenseQuery, number string, l licensing.License) bool {
	switch {
	case q.Status != "" && l.Status != q.Status,
		q.AccountID != "" && l.AccountID != q.AccountID,
		q.Unassigned && l.AccountID != "",
		q.PlanID != "" && l.PlanID != q.PlanID,
		number != "" && !strings.Contains(strings.ToLower(l.Number), number):
		return false
	}
	return true
}

// newestLicense orders licenses newest first: CreatedAt then ID, both
// descending.
func newestLicense(a, b licensing.License) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID, a.ID))
}

// History lists a license's entries, oldest first (At, then ID); a license
// with none, or unknown on the platform, has none (nil, no error).
func (s *Store) History(_ context.Context, platformID, licenseID string) ([]licensing.HistoryEntry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	out := slices.Clone(pd.history[licenseID])
	slices.SortFunc(out, func(a, b licensing.HistoryEntry) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	return limit(out, 0), nil
}

// DueLicenses lists, across platforms, up to limit licenses (every one when
// n <= 0) whose stored status no longer holds at now: Active ones past
// their end or their grace deadline, Inactive ones past their end. They
// come oldest end first, ties by platform then ID.
func (s *Store) DueLicenses(_ context.Context, now time.Time, n int) ([]licensing.License, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []licensing.License
	for _, pd := range s.platforms {
		for _, l := range pd.licenses {
			if (l.Status == licensing.Active || l.Status == licensing.Inactive) && l.StatusAt(now) != l.Status {
				out = append(out, l)
			}
		}
	}
	slices.SortFunc(out, func(a, b licensing.License) int {
		return cmp.Or(a.EndsAt.Compare(b.EndsAt), strings.Compare(a.PlatformID, b.PlatformID), strings.Compare(a.ID, b.ID))
	})
	return limit(out, n), nil
}
