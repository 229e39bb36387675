package memstore

import (
	"context"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
)

// GetTheme returns the platform's theme (accountID "") or an account's,
// or branding.ErrNotFound.
func (s *Store) GetTheme(_ context.Context, platformID, accountID string) (branding.Theme, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if th, ok := pd.themes[accountID]; ok {
			return th, nil
		}
	}
	return branding.Theme{}, failf("get theme", branding.ErrNotFound, "theme of account %q", accountID)
}

// PutTheme inserts t with ev when t.Version is 1 (branding.ErrConflict if
// one exists), otherwise replaces it if the stored version is t.Version-1
// (branding.ErrStale otherwise, branding.ErrNotFound when missing).
func (s *Store) PutTheme(ctx context.Context, t branding.Theme, ev audit.Event) error {
	const op = "put theme"
	t = cloneTheme(t)
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur branding.Theme
	ok := false
	if pd := s.platforms[t.PlatformID]; pd != nil {
		cur, ok = pd.themes[t.AccountID]
	}
	if err := checkVersion(op, "theme of account "+quote(t.AccountID), ok, cur.Version, t.Version); err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(t.PlatformID).themes[t.AccountID] = t
	return nil
}

// DeleteTheme removes a theme with ev; branding.ErrNotFound when missing.
func (s *Store) DeleteTheme(ctx context.Context, platformID, accountID string, ev audit.Event) error {
	const op = "delete theme"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return failf(op, branding.ErrNotFound, "theme of account %q", accountID)
	}
	if _, ok := pd.themes[accountID]; !ok {
		return failf(op, branding.ErrNotFound, "theme of account %q", accountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.themes, accountID)
	return nil
}

// GetLogo returns the platform's logo (accountID "") or an account's, or
// branding.ErrNotFound. Its Data is the caller's own copy.
func (s *Store) GetLogo(_ context.Context, platformID, accountID string) (branding.Logo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if l, ok := pd.logos[accountID]; ok {
			return cloneLogo(l), nil
		}
	}
	return branding.Logo{}, failf("get logo", branding.ErrNotFound, "logo of account %q", accountID)
}

// PutLogo inserts or replaces the logo with ev, keeping its own copy of
// the bytes.
func (s *Store) PutLogo(ctx context.Context, l branding.Logo, ev audit.Event) error {
	const op = "put logo"
	l = cloneLogo(l)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(l.PlatformID).logos[l.AccountID] = l
	return nil
}

// DeleteLogo removes the logo with ev; branding.ErrNotFound when missing.
func (s *Store) DeleteLogo(ctx context.Context, platformID, accountID string, ev audit.Event) error {
	const op = "delete logo"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return failf(op, branding.ErrNotFound, "logo of account %q", accountID)
	}
	if _, ok := pd.logos[accountID]; !ok {
		return failf(op, branding.ErrNotFound, "logo of account %q", accountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.logos, accountID)
	return nil
}

// quote quotes an account ID for messages.
func quote(id string) string { return `"` + id + `"` }
