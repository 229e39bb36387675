package licensing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// IssueParams describes a new license.
type IssueParams struct {
	PlatformID string
	PlanID     string
	// AccountID assigns the license at once; empty leaves it unassigned.
	AccountID string
	// StartsAt defaults to now; EndsAt must come after it.
	StartsAt time.Time
	EndsAt   time.Time
	// Grace is how long the license stays active after a missed payment.
	Grace time.Duration
}

// Issue creates an active license on a plan, assigned to an account or not.
// An account holds at most one active license (ErrConflict).
func (s *Service) Issue(ctx context.Context, p IssueParams) (License, error) {
	const op = "licensing: issue: %w"
	now := s.now()
	if p.StartsAt.IsZero() {
		p.StartsAt = now
	}
	p.StartsAt, p.EndsAt = p.StartsAt.UTC().Truncate(time.Microsecond), p.EndsAt.UTC().Truncate(time.Microsecond)
	if err := s.checkIssue(ctx, p); err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, p.PlatformID, "license.issue", p.AccountID); err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	if err := s.requireAccount(ctx, p.PlatformID, p.AccountID); err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	l := License{PlatformID: p.PlatformID, ID: s.cfg.NewID(), AccountID: p.AccountID, PlanID: p.PlanID, Status: Active,
		StartsAt: p.StartsAt, EndsAt: p.EndsAt, Grace: p.Grace, Version: 1, CreatedAt: now, UpdatedAt: now}
	var err error
	for range maxStaleRetries {
		l.Number = s.cfg.NewNumber()
		hist := []HistoryEntry{{Kind: Issued, Detail: "plan " + p.PlanID + ", ends " + p.EndsAt.Format(time.RFC3339), At: now}}
		if l.AccountID != "" {
			hist = append(hist, HistoryEntry{Kind: Assigned, AccountID: l.AccountID, At: now})
		}
		err = s.write(ctx, "license.issue", l, LicenseChange{License: l, Insert: true, History: hist})
		if !errors.Is(err, ErrConflict) {
			break
		}
		if _, lookErr := s.store.GetLicenseByNumber(ctx, l.PlatformID, l.Number); lookErr != nil {
			break // not the number: the account already has an active license
		}
	}
	if err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	return l, nil
}

func (s *Service) checkIssue(ctx context.Context, p IssueParams) error {
	if err := checkID("platform_id", p.PlatformID); err != nil {
		return err
	}
	if p.AccountID != "" {
		if err := checkID("account_id", p.AccountID); err != nil {
			return err
		}
	}
	if err := checkIDs("plan_id", p.PlanID); err != nil {
		return err
	}
	if !p.EndsAt.After(p.StartsAt) {
		return invalid("ends_at", "must come after starts_at")
	}
	if p.Grace < 0 {
		return invalid("grace", "must not be negative")
	}
	if _, err := s.store.GetPlan(ctx, p.PlatformID, p.PlanID); errors.Is(err, ErrNotFound) {
		return invalid("plan_id", "unknown plan "+validate.Excerpt(p.PlanID))
	} else if err != nil {
		return err
	}
	return nil
}

// Assign gives an unassigned license to an account.
func (s *Service) Assign(ctx context.Context, platformID, licenseID, accountID string) (License, error) {
	if err := checkID("account_id", accountID); err != nil {
		return License{}, fmt.Errorf("licensing: assign: %w", err)
	}
	return s.apply(ctx, platformID, licenseID, "license.assign", change{kind: Assigned, account: accountID})
}

// Move gives an assigned license to another account.
func (s *Service) Move(ctx context.Context, platformID, licenseID, toAccountID string) (License, error) {
	if err := checkID("account_id", toAccountID); err != nil {
		return License{}, fmt.Errorf("licensing: move: %w", err)
	}
	return s.apply(ctx, platformID, licenseID, "license.move", change{kind: Moved, account: toAccountID})
}

// Unassign takes a license from its account; the account is no longer
// licensed by it.
func (s *Service) Unassign(ctx context.Context, platformID, licenseID string) (License, error) {
	return s.apply(ctx, platformID, licenseID, "license.unassign", change{kind: Unassigned})
}

// Renew sets a license's end; an expired license becomes active again.
func (s *Service) Renew(ctx context.Context, platformID, licenseID string, endsAt time.Time) (License, error) {
	if !endsAt.After(s.cfg.Now()) {
		return License{}, fmt.Errorf("licensing: renew: %w", invalid("ends_at", "must be in the future"))
	}
	return s.apply(ctx, platformID, licenseID, "license.renew", change{kind: Renewed, endsAt: endsAt.UTC().Truncate(time.Microsecond)})
}

// ChangePlan moves a license to another plan.
func (s *Service) ChangePlan(ctx context.Context, platformID, licenseID, planID string) (License, error) {
	if err := checkIDs("platform_id", platformID, "license_id", licenseID, "plan_id", planID); err != nil {
		return License{}, fmt.Errorf("licensing: change plan: %w", err)
	}
	if _, err := s.store.GetPlan(ctx, platformID, planID); err != nil {
		if errors.Is(err, ErrNotFound) {
			err = invalid("plan_id", "unknown plan "+validate.Excerpt(planID))
		}
		return License{}, fmt.Errorf("licensing: change plan: %w", err)
	}
	return s.apply(ctx, platformID, licenseID, "license.change_plan", change{kind: PlanChanged, planID: planID})
}

// ChangeAccountPlan moves the account's license (its active one, or else
// its latest) to another plan: the owner portal's "change plan".
func (s *Service) ChangeAccountPlan(ctx context.Context, platformID, accountID, planID string) (License, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "plan_id", planID); err != nil {
		return License{}, fmt.Errorf("licensing: change account plan: %w", err)
	}
	l, err := s.store.AccountLicense(ctx, platformID, accountID)
	if err != nil {
		return License{}, fmt.Errorf("licensing: change account plan: %w", err)
	}
	return s.ChangePlan(ctx, platformID, l.ID, planID)
}

// RecordPaymentFailed notes a missed payment: the license stays active for
// its grace period, then lapses (inactive) unless paid.
func (s *Service) RecordPaymentFailed(ctx context.Context, platformID, licenseID string) (License, error) {
	return s.apply(ctx, platformID, licenseID, "license.payment_failed", change{kind: PaymentFailed})
}

// RecordPayment notes the missed payment paid: a lapsed license is active
// again.
func (s *Service) RecordPayment(ctx context.Context, platformID, licenseID string) (License, error) {
	return s.apply(ctx, platformID, licenseID, "license.payment_received", change{kind: PaymentReceived})
}

// Revoke ends a license for good.
func (s *Service) Revoke(ctx context.Context, platformID, licenseID string) (License, error) {
	return s.apply(ctx, platformID, licenseID, "license.revoke", change{kind: RevokedEvent})
}

// apply runs one operation on a license, retried when another writer moved
// its version.
func (s *Service) apply(ctx context.Context, platformID, licenseID, action string, c change) (License, error) {
	op := "licensing: " + action + ": %w"
	if err := checkIDs("platform_id", platformID, "license_id", licenseID); err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	var out License
	err := retryStale(func() error {
		l, err := s.store.GetLicense(ctx, platformID, licenseID)
		if err != nil {
			return err
		}
		if _, err := s.authorize(ctx, platformID, action, l.AccountID); err != nil {
			return err
		}
		if err := s.requireAccount(ctx, platformID, c.account); err != nil {
			return err
		}
		next, hist, err := transition(l, c, s.now())
		if err != nil {
			return err
		}
		out = next
		return s.write(ctx, action, next, LicenseChange{License: next, History: hist})
	})
	if err != nil {
		return License{}, fmt.Errorf(op, err)
	}
	return out, nil
}

// write stamps the history entries, first records the expiry of a stale
// active license that would block the account's new active one, writes,
// and tells the gate.
func (s *Service) write(ctx context.Context, action string, l License, c LicenseChange) error {
	ev := s.event(ctx, l.PlatformID, action)
	ev.AccountID, ev.TargetType, ev.TargetID = l.AccountID, "license", l.ID
	changes := []LicenseChange{c}
	if l.Status == Active && l.AccountID != "" {
		stale, err := s.staleActive(ctx, l)
		if err != nil {
			return err
		}
		if stale != nil {
			changes = append([]LicenseChange{*stale}, changes...)
		}
	}
	touched := map[string]bool{}
	for i := range changes {
		for j := range changes[i].History {
			h := &changes[i].History[j]
			h.PlatformID, h.LicenseID, h.ID, h.ActorID = l.PlatformID, changes[i].License.ID, s.cfg.NewID(), ev.ActorID
			if h.AccountID == "" {
				h.AccountID = changes[i].License.AccountID
			}
			touched[h.AccountID], touched[h.FromAccountID] = true, true
		}
		ev.Changes = append(ev.Changes, historyChanges(changes[i].History)...)
	}
	if err := s.store.WriteLicenses(ctx, changes, ev); err != nil {
		return err
	}
	for account := range touched {
		if account != "" {
			s.gate.Forget(l.PlatformID, account)
		}
	}
	return nil
}

// staleActive returns the change recording that the account's license
// stored active has ended, when it has (so it no longer blocks another).
func (s *Service) staleActive(ctx context.Context, l License) (*LicenseChange, error) {
	cur, err := s.store.AccountLicense(ctx, l.PlatformID, l.AccountID)
	if errors.Is(err, ErrNotFound) || (err == nil && (cur.ID == l.ID || cur.Status != Active || cur.ActiveAt(s.now()))) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	next, hist, err := transition(cur, change{}, s.now())
	if err != nil {
		return nil, nil
	}
	return &LicenseChange{License: next, History: hist}, nil
}

func historyChanges(h []HistoryEntry) []audit.Change {
	out := make([]audit.Change, len(h))
	for i, e := range h {
		out[i] = audit.Change{Field: string(e.Kind), After: e.Detail}
	}
	return out
}
