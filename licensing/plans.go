package licensing

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// PlanParams describes a plan.
type PlanParams struct {
	PlatformID string
	// ID names the plan in code ("pro"); made when empty on create.
	ID string
	// Name is what people read ("Pro"), unique on the platform.
	Name string
	// Features are keys of the catalog (Config.Features).
	Features []string
	// Limits are numeric limits by name (LimitSeats, ...), each >= 0.
	Limits map[string]int64
}

// CreatePlan adds a plan to the platform.
func (s *Service) CreatePlan(ctx context.Context, p PlanParams) (Plan, error) {
	const op = "licensing: create plan: %w"
	if p.ID == "" {
		p.ID = s.cfg.NewID()
	}
	plan, err := s.checkPlan(p)
	if err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, p.PlatformID, "plan.create", ""); err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	plan.Version, plan.CreatedAt, plan.UpdatedAt = 1, s.now(), s.now()
	ev := s.event(ctx, p.PlatformID, "plan.create")
	ev.TargetType, ev.TargetID, ev.Changes = "plan", plan.ID, planChanges(Plan{}, plan)
	if err := s.store.InsertPlan(ctx, plan, ev); err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	return plan, nil
}

// UpdatePlan replaces a plan's name, features and limits. Every account on
// it sees the change at once.
func (s *Service) UpdatePlan(ctx context.Context, p PlanParams) (Plan, error) {
	const op = "licensing: update plan: %w"
	next, err := s.checkPlan(p)
	if err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, p.PlatformID, "plan.update", ""); err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	err = retryStale(func() error {
		cur, err := s.store.GetPlan(ctx, p.PlatformID, p.ID)
		if err != nil {
			return err
		}
		next.Version, next.CreatedAt, next.UpdatedAt = cur.Version+1, cur.CreatedAt, s.now()
		ev := s.event(ctx, p.PlatformID, "plan.update")
		ev.TargetType, ev.TargetID, ev.Changes = "plan", p.ID, planChanges(cur, next)
		return s.store.UpdatePlan(ctx, next, ev)
	})
	if err != nil {
		return Plan{}, fmt.Errorf(op, err)
	}
	s.gate.ForgetPlatform(p.PlatformID)
	return next, nil
}

func (s *Service) checkPlan(p PlanParams) (Plan, error) {
	if err := checkID("platform_id", p.PlatformID); err != nil {
		return Plan{}, err
	}
	if err := checkID("id", p.ID); err != nil {
		return Plan{}, err
	}
	name := strings.TrimSpace(p.Name)
	if name == "" || len(name) > 100 {
		return Plan{}, invalid("name", "must be 1 to 100 characters")
	}
	if err := validate.Line(name, 100); err != nil {
		return Plan{}, invalid("name", err.Error())
	}
	features := slices.Compact(slices.Sorted(slices.Values(p.Features)))
	for _, f := range features {
		if err := s.checkFeature("features", f); err != nil {
			return Plan{}, err
		}
	}
	var limits map[string]int64
	for k, v := range p.Limits {
		if err := checkName("limits", k); err != nil {
			return Plan{}, err
		}
		if v < 0 {
			return Plan{}, invalid("limits", validate.Excerpt(k)+" must not be negative")
		}
		if limits == nil {
			limits = map[string]int64{}
		}
		limits[k] = v
	}
	if len(features) == 0 {
		features = nil
	}
	return Plan{PlatformID: p.PlatformID, ID: p.ID, Name: name, Features: features, Limits: limits}, nil
}

func planChanges(b, a Plan) []audit.Change {
	var c []audit.Change
	if b.Name != a.Name {
		c = append(c, audit.Change{Field: "name", Before: b.Name, After: a.Name})
	}
	if !slices.Equal(b.Features, a.Features) {
		c = append(c, audit.Change{Field: "features", Before: strings.Join(b.Features, ", "), After: strings.Join(a.Features, ", ")})
	}
	if !maps.Equal(b.Limits, a.Limits) {
		c = append(c, audit.Change{Field: "limits", Before: limitsText(b.Limits), After: limitsText(a.Limits)})
	}
	return c
}

func limitsText(m map[string]int64) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strconv.FormatInt(m[k], 10))
	}
	return strings.Join(parts, ", ")
}

// Plan returns a plan of the platform.
func (s *Service) Plan(ctx context.Context, platformID, id string) (Plan, error) {
	if err := checkIDs("platform_id", platformID, "id", id); err != nil {
		return Plan{}, fmt.Errorf("licensing: get plan: %w", err)
	}
	p, err := s.store.GetPlan(ctx, platformID, id)
	if err != nil {
		return Plan{}, fmt.Errorf("licensing: get plan: %w", err)
	}
	return p, nil
}

// Plans lists the platform's plans by name.
func (s *Service) Plans(ctx context.Context, platformID string) ([]Plan, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("licensing: plans: %w", err)
	}
	ps, err := s.store.Plans(ctx, platformID)
	if err != nil {
		return nil, fmt.Errorf("licensing: plans: %w", err)
	}
	return ps, nil
}

// SetOverride switches one feature on or off for one account, whatever its
// plan (the reseller's "modify features").
func (s *Service) SetOverride(ctx context.Context, platformID, accountID, feature string, enabled bool) error {
	const op = "licensing: set override: %w"
	if err := s.checkOverride(platformID, accountID, feature); err != nil {
		return fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, platformID, "feature.override", accountID); err != nil {
		return fmt.Errorf(op, err)
	}
	if err := s.requireAccount(ctx, platformID, accountID); err != nil {
		return fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "feature.override")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "feature", feature
	ev.Changes = []audit.Change{{Field: feature, After: strconv.FormatBool(enabled)}}
	o := Override{PlatformID: platformID, AccountID: accountID, Feature: feature, Enabled: enabled, UpdatedAt: s.now()}
	if err := s.store.SetOverride(ctx, o, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	s.gate.Forget(platformID, accountID)
	return nil
}

// ClearOverride returns a feature of an account to what its plan says.
func (s *Service) ClearOverride(ctx context.Context, platformID, accountID, feature string) error {
	const op = "licensing: clear override: %w"
	if err := s.checkOverride(platformID, accountID, feature); err != nil {
		return fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, platformID, "feature.clear_override", accountID); err != nil {
		return fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "feature.clear_override")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "feature", feature
	if err := s.store.DeleteOverride(ctx, Override{PlatformID: platformID, AccountID: accountID, Feature: feature}, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	s.gate.Forget(platformID, accountID)
	return nil
}

func (s *Service) checkOverride(platformID, accountID, feature string) error {
	if err := checkID("platform_id", platformID); err != nil {
		return err
	}
	if err := checkID("account_id", accountID); err != nil {
		return err
	}
	return s.checkFeature("feature", feature)
}

// SetHiddenFeatures sets the features the platform hides from its clients
// (its white label shows them only in the partner view).
func (s *Service) SetHiddenFeatures(ctx context.Context, platformID string, keys []string) error {
	const op = "licensing: set hidden features: %w"
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	for _, k := range keys {
		if err := s.checkFeature("features", k); err != nil {
			return fmt.Errorf(op, err)
		}
	}
	if _, err := s.authorize(ctx, platformID, "feature.hide", ""); err != nil {
		return fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "feature.hide")
	ev.TargetType, ev.Changes = "platform", []audit.Change{{Field: "hidden", After: strings.Join(keys, ", ")}}
	if err := s.store.SetHiddenFeatures(ctx, platformID, keys, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// FeatureView is one feature as an account has it.
type FeatureView struct {
	Feature
	// Enabled is what holds for the account: its override, else its plan.
	Enabled bool
	// Overridden reports an override decided Enabled.
	Overridden bool
	// Hidden reports the platform hides the feature from its clients: the
	// client view leaves it out, the partner view shows it.
	Hidden bool
}

// Features lists the catalog as the account has it. The partner view
// (the reseller logged in as partner) lists every feature; the client view
// leaves out those the platform hides.
func (s *Service) Features(ctx context.Context, platformID, accountID string, partner bool) ([]FeatureView, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("licensing: features: %w", err)
	}
	facts, err := s.store.GateFacts(ctx, platformID, accountID)
	if err != nil {
		return nil, fmt.Errorf("licensing: features: %w", err)
	}
	hidden, err := s.store.HiddenFeatures(ctx, platformID)
	if err != nil {
		return nil, fmt.Errorf("licensing: features: %w", err)
	}
	var out []FeatureView
	for _, f := range s.cfg.Features {
		v := FeatureView{Feature: f, Hidden: slices.Contains(hidden, f.Key)}
		if v.Hidden && !partner {
			continue
		}
		v.Enabled = facts.Plan != nil && facts.Plan.Has(f.Key)
		for _, o := range facts.Overrides {
			if o.Feature == f.Key {
				v.Enabled, v.Overridden = o.Enabled, true
			}
		}
		out = append(out, v)
	}
	return out, nil
}
