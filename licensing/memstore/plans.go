package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
)

// InsertPlan adds p, its features sorted; licensing.ErrConflict when its ID
// exists or its name (compared exactly) is used on the platform.
func (s *Store) InsertPlan(ctx context.Context, p licensing.Plan, ev audit.Event) error {
	const op = "insert plan"
	s.mu.Lock()
	defer s.mu.Unlock()
	if pd := s.platforms[p.PlatformID]; pd != nil {
		if hasKey(pd.plans, p.ID) {
			return failf(op, licensing.ErrConflict, "plan %q exists", p.ID)
		}
		if hasKey(pd.planNames, p.Name) {
			return failf(op, licensing.ErrConflict, "plan name %q is taken", p.Name)
		}
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.writable(p.PlatformID).putPlan(p)
	return nil
}

// UpdatePlan writes p, its features sorted, if its stored version is still
// p.Version-1, keeping the stored CreatedAt. licensing.ErrNotFound when it
// is missing, licensing.ErrStale when its version moved,
// licensing.ErrConflict when another plan holds the name.
//
// Once written, listeners hear of every account of the platform, as
// account "*".
func (s *Store) UpdatePlan(ctx context.Context, p licensing.Plan, ev audit.Event) error {
	if err := s.updatePlan(ctx, p, ev); err != nil {
		return err
	}
	s.notify([]accountRef{{p.PlatformID, "*"}})
	return nil
}

func (s *Store) updatePlan(ctx context.Context, p licensing.Plan, ev audit.Event) error {
	const op = "update plan"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[p.PlatformID]
	var old licensing.Plan
	if pd != nil {
		old = pd.plans[p.ID]
	}
	switch {
	case pd == nil || !hasKey(pd.plans, p.ID):
		return failf(op, licensing.ErrNotFound, "plan %q", p.ID)
	case old.Version != p.Version-1:
		return failf(op, licensing.ErrStale, "plan %q is at version %d, not %d", p.ID, old.Version, p.Version-1)
	}
	if id, ok := pd.planNames[p.Name]; ok && id != p.ID {
		return failf(op, licensing.ErrConflict, "plan name %q is taken", p.Name)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.planNames, old.Name)
	p.CreatedAt = old.CreatedAt
	pd.putPlan(p)
	return nil
}

// putPlan stores a copy of p, features sorted, and indexes its name.
func (pd *platformData) putPlan(p licensing.Plan) {
	p = clonePlan(p)
	slices.Sort(p.Features)
	pd.plans[p.ID] = p
	pd.planNames[p.Name] = p.ID
}

// GetPlan returns the plan, or licensing.ErrNotFound.
func (s *Store) GetPlan(_ context.Context, platformID, id string) (licensing.Plan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if p, ok := pd.plans[id]; ok {
			return clonePlan(p), nil
		}
	}
	return licensing.Plan{}, failf("get plan", licensing.ErrNotFound, "plan %q", id)
}

// Plans lists the platform's plans by name (then ID); an unknown platform
// has none.
func (s *Store) Plans(_ context.Context, platformID string) ([]licensing.Plan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	out := make([]licensing.Plan, 0, len(pd.plans))
	for _, p := range pd.plans {
		out = append(out, clonePlan(p))
	}
	slices.SortFunc(out, func(a, b licensing.Plan) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	})
	return limit(out, 0), nil
}

// SetOverride sets (creates or replaces) an account's override of one
// feature. Once written, listeners hear of the account.
func (s *Store) SetOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	if err := s.setOverride(ctx, o, ev); err != nil {
		return err
	}
	s.notify([]accountRef{{o.PlatformID, o.AccountID}})
	return nil
}

func (s *Store) setOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	const op = "set override"
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd := s.writable(o.PlatformID)
	byFeature := pd.overrides[o.AccountID]
	if byFeature == nil {
		byFeature = map[string]licensing.Override{}
		pd.overrides[o.AccountID] = byFeature
	}
	byFeature[o.Feature] = cloneOverride(o)
	return nil
}

// DeleteOverride removes the account's override of o.Feature;
// licensing.ErrNotFound when there is none. Once removed, listeners hear of
// the account.
func (s *Store) DeleteOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	if err := s.deleteOverride(ctx, o, ev); err != nil {
		return err
	}
	s.notify([]accountRef{{o.PlatformID, o.AccountID}})
	return nil
}

func (s *Store) deleteOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	const op = "delete override"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[o.PlatformID]
	if pd == nil || !hasKey(pd.overrides[o.AccountID], o.Feature) {
		return failf(op, licensing.ErrNotFound, "override of %q for account %q", o.Feature, o.AccountID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.overrides[o.AccountID], o.Feature)
	if len(pd.overrides[o.AccountID]) == 0 {
		delete(pd.overrides, o.AccountID)
	}
	return nil
}

// Overrides lists an account's overrides by feature; an account with none
// has none (nil, no error).
func (s *Store) Overrides(_ context.Context, platformID, accountID string) ([]licensing.Override, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.overrides(platformID, accountID), nil
}

// overrides is Overrides for a caller holding the lock.
func (s *Store) overrides(platformID, accountID string) []licensing.Override {
	pd := s.platforms[platformID]
	if pd == nil {
		return nil
	}
	var out []licensing.Override
	for _, o := range pd.overrides[accountID] {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b licensing.Override) int { return strings.Compare(a.Feature, b.Feature) })
	return out
}

// SetHiddenFeatures replaces the features the platform hides from its
// clients with keys, kept sorted and without repeats.
func (s *Store) SetHiddenFeatures(ctx context.Context, platformID string, keys []string, ev audit.Event) error {
	const op = "set hidden features"
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	keys = cloneStrings(keys)
	slices.Sort(keys)
	s.writable(platformID).hidden = slices.Compact(keys)
	return nil
}

// HiddenFeatures lists the features the platform hides, sorted; nil when
// none.
func (s *Store) HiddenFeatures(_ context.Context, platformID string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		return cloneStrings(pd.hidden), nil
	}
	return nil, nil
}

// GateFacts reads, under one lock, the account's license (as
// AccountLicense), that license's plan and the account's overrides. License
// and Plan are nil when there is none; an unknown platform or account has
// empty Facts and no error.
func (s *Store) GateFacts(_ context.Context, platformID, accountID string) (licensing.Facts, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var f licensing.Facts
	if l, ok := s.accountLicense(platformID, accountID); ok {
		f.License = &l
		if p, ok := s.platforms[platformID].plans[l.PlanID]; ok {
			p = clonePlan(p)
			f.Plan = &p
		}
	}
	f.Overrides = s.overrides(platformID, accountID)
	return f, nil
}
