package licensing

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// CreditParams is a grant or a debit of communication credits.
type CreditParams struct {
	PlatformID string
	AccountID  string
	// Kind names the credit (CreditSMS, CreditVoiceMinutes, or the host's).
	Kind string
	// Amount is how many credits, always positive.
	Amount int64
	// IdempotencyKey, when set, makes a retried call apply once (the
	// host's message ID, say). Keys are per account.
	IdempotencyKey string
	// Reason is a note for the history.
	Reason string
}

// CreditResult is the entry a grant or debit recorded, and whether this
// call applied it (false when the idempotency key had been used).
type CreditResult struct {
	Entry   CreditEntry
	Applied bool
}

// GrantCredits adds credits to an account.
func (s *Service) GrantCredits(ctx context.Context, p CreditParams) (CreditResult, error) {
	return s.credit(ctx, p, 1, "credits.grant")
}

// DebitCredits takes credits from an account, never below zero
// (ErrInsufficientCredits, and nothing is taken).
func (s *Service) DebitCredits(ctx context.Context, p CreditParams) (CreditResult, error) {
	return s.credit(ctx, p, -1, "credits.debit")
}

func (s *Service) credit(ctx context.Context, p CreditParams, sign int64, action string) (CreditResult, error) {
	op := "licensing: " + action + ": %w"
	if err := checkCredit(p); err != nil {
		return CreditResult{}, fmt.Errorf(op, err)
	}
	pr, err := s.authorize(ctx, p.PlatformID, action, p.AccountID)
	if err != nil {
		return CreditResult{}, fmt.Errorf(op, err)
	}
	if sign > 0 {
		if err := s.requireAccount(ctx, p.PlatformID, p.AccountID); err != nil {
			return CreditResult{}, fmt.Errorf(op, err)
		}
	}
	e := CreditEntry{PlatformID: p.PlatformID, AccountID: p.AccountID, Kind: p.Kind, ID: s.cfg.NewID(),
		Delta: sign * p.Amount, IdempotencyKey: p.IdempotencyKey, Reason: strings.TrimSpace(p.Reason), ActorID: pr.Actor(), At: s.now()}
	ev := s.event(ctx, p.PlatformID, action)
	ev.AccountID, ev.TargetType, ev.TargetID, ev.Reason = p.AccountID, "credits", p.Kind, e.Reason
	ev.Changes = []audit.Change{{Field: p.Kind, After: fmt.Sprintf("%+d", e.Delta)}}
	entry, applied, err := s.store.ApplyCredit(ctx, e, ev)
	if err != nil {
		return CreditResult{}, fmt.Errorf(op, err)
	}
	return CreditResult{Entry: entry, Applied: applied}, nil
}

func checkCredit(p CreditParams) error {
	if err := checkID("platform_id", p.PlatformID); err != nil {
		return err
	}
	if err := checkID("account_id", p.AccountID); err != nil {
		return err
	}
	if err := checkName("kind", p.Kind); err != nil {
		return err
	}
	if p.Amount <= 0 {
		return invalid("amount", "must be positive, got "+strconv.FormatInt(p.Amount, 10))
	}
	if err := validate.Line(p.IdempotencyKey, 200); err != nil {
		return invalid("idempotency_key", err.Error())
	}
	if err := validate.Line(strings.TrimSpace(p.Reason), 500); err != nil {
		return invalid("reason", err.Error())
	}
	return nil
}

// Balances returns an account's balance of every credit kind it has.
func (s *Service) Balances(ctx context.Context, platformID, accountID string) (map[string]int64, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("licensing: balances: %w", err)
	}
	b, err := s.store.Balances(ctx, platformID, accountID)
	if err != nil {
		return nil, fmt.Errorf("licensing: balances: %w", err)
	}
	return b, nil
}

// CreditPage is one page of credit entries and the next page's cursor.
type CreditPage struct {
	Entries []CreditEntry
	Next    string
}

// CreditHistory returns one page of an account's credit entries, newest
// first; kind "" lists every kind. after is Next of the previous page.
func (s *Service) CreditHistory(ctx context.Context, platformID, accountID, kind, after string, limit int) (CreditPage, error) {
	const op = "licensing: credit history: %w"
	limit, pos, err := page(limit, after)
	if err != nil {
		return CreditPage{}, fmt.Errorf(op, err)
	}
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "kind", kind); err != nil {
		return CreditPage{}, fmt.Errorf(op, err)
	}
	q := CreditQuery{PlatformID: platformID, AccountID: accountID, Kind: kind, Limit: limit + 1}
	if pos != nil {
		q.After = &CreditCursor{At: pos.t, ID: pos.id}
	}
	es, err := s.store.CreditHistory(ctx, q)
	if err != nil {
		return CreditPage{}, fmt.Errorf(op, err)
	}
	out := CreditPage{Entries: es}
	if len(es) > limit {
		out.Entries = es[:limit]
		last := out.Entries[limit-1]
		out.Next = cursor(last.At, last.ID)
	}
	return out, nil
}
