package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
)

// GetLoginSettings returns the platform's settings, or
// branding.ErrNotFound before the first PutLoginSettings.
func (s *Store) GetLoginSettings(_ context.Context, platformID string) (branding.LoginSettings, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil && pd.settings != nil {
		return *pd.settings, nil
	}
	return branding.LoginSettings{}, failf("get login settings", branding.ErrNotFound, "platform %q has none", platformID)
}

// PutLoginSettings inserts ls with ev when ls.Version is 1
// (branding.ErrConflict if they exist), otherwise replaces them if the
// stored version is ls.Version-1 (branding.ErrStale otherwise,
// branding.ErrNotFound when missing).
func (s *Store) PutLoginSettings(ctx context.Context, ls branding.LoginSettings, ev audit.Event) error {
	const op = "put login settings"
	ls = cloneSettings(ls)
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur *branding.LoginSettings
	if pd := s.platforms[ls.PlatformID]; pd != nil {
		cur = pd.settings
	}
	var curVersion int64
	if cur != nil {
		curVersion = cur.Version
	}
	if err := checkVersion(op, "login settings", cur != nil, curVersion, ls.Version); err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(ls.PlatformID).settings = &ls
	return nil
}

// InsertProvider adds p with ev; an ID, or a name in any case, already
// used on the platform is branding.ErrConflict. The clear ClientSecret is
// not kept.
func (s *Store) InsertProvider(ctx context.Context, p branding.StoredProvider, ev audit.Event) error {
	const op = "insert provider"
	p = cloneProvider(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if pd := s.platforms[p.PlatformID]; pd != nil {
		if _, ok := pd.providers[p.ID]; ok {
			return failf(op, branding.ErrConflict, "provider %q exists", p.ID)
		}
		if id, ok := pd.names[foldName(p.Name)]; ok {
			return failf(op, branding.ErrConflict, "name %q is provider %q's", p.Name, id)
		}
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd := s.writable(p.PlatformID)
	pd.providers[p.ID] = p
	pd.names[foldName(p.Name)] = p.ID
	return nil
}

// GetProvider returns the provider, or branding.ErrNotFound. Its slices
// are the caller's own copies.
func (s *Store) GetProvider(_ context.Context, platformID, id string) (branding.StoredProvider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if p, ok := pd.providers[id]; ok {
			return cloneProvider(p), nil
		}
	}
	return branding.StoredProvider{}, failf("get provider", branding.ErrNotFound, "provider %q", id)
}

// UpdateProvider writes every field of p but its ID and CreatedAt, with
// ev, if the stored version is p.Version-1 (branding.ErrStale otherwise,
// branding.ErrNotFound when missing); a name another provider of the
// platform holds, in any case, is branding.ErrConflict.
func (s *Store) UpdateProvider(ctx context.Context, p branding.StoredProvider, ev audit.Event) error {
	const op = "update provider"
	p = cloneProvider(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[p.PlatformID]
	var cur branding.StoredProvider
	ok := false
	if pd != nil {
		cur, ok = pd.providers[p.ID]
	}
	switch {
	case !ok:
		return failf(op, branding.ErrNotFound, "provider %q", p.ID)
	case cur.Version != p.Version-1:
		return failf(op, branding.ErrStale, "provider %q is at version %d, not %d", p.ID, cur.Version, p.Version-1)
	}
	if id, taken := pd.names[foldName(p.Name)]; taken && id != p.ID {
		return failf(op, branding.ErrConflict, "name %q is provider %q's", p.Name, id)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	p.CreatedAt = cur.CreatedAt
	delete(pd.names, foldName(cur.Name))
	pd.providers[p.ID] = p
	pd.names[foldName(p.Name)] = p.ID
	return nil
}

// DeleteProvider removes the provider with ev; branding.ErrNotFound when
// missing.
func (s *Store) DeleteProvider(ctx context.Context, platformID, id string, ev audit.Event) error {
	const op = "delete provider"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[platformID]
	var cur branding.StoredProvider
	ok := false
	if pd != nil {
		cur, ok = pd.providers[id]
	}
	if !ok {
		return failf(op, branding.ErrNotFound, "provider %q", id)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.providers, id)
	delete(pd.names, foldName(cur.Name))
	return nil
}

// Providers lists the platform's providers by name, case-insensitively
// (then by name and ID, for a stable order). An unknown platform has none.
func (s *Store) Providers(_ context.Context, platformID string) ([]branding.StoredProvider, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil || len(pd.providers) == 0 {
		return nil, nil
	}
	out := make([]branding.StoredProvider, 0, len(pd.providers))
	for _, p := range pd.providers {
		out = append(out, cloneProvider(p))
	}
	slices.SortFunc(out, func(a, b branding.StoredProvider) int {
		return cmp.Or(
			strings.Compare(foldName(a.Name), foldName(b.Name)),
			strings.Compare(a.Name, b.Name),
			strings.Compare(a.ID, b.ID),
		)
	})
	return out, nil
}
