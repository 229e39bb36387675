package licensing

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/validate"
)

// License returns a license of the platform.
func (s *Service) License(ctx context.Context, platformID, id string) (License, error) {
	if err := checkIDs("platform_id", platformID, "id", id); err != nil {
		return License{}, fmt.Errorf("licensing: get license: %w", err)
	}
	l, err := s.store.GetLicense(ctx, platformID, id)
	if err != nil {
		return License{}, fmt.Errorf("licensing: get license: %w", err)
	}
	return l, nil
}

// LicenseByNumber returns the license with that number.
func (s *Service) LicenseByNumber(ctx context.Context, platformID, number string) (License, error) {
	if err := checkIDs("platform_id", platformID, "number", number); err != nil {
		return License{}, fmt.Errorf("licensing: get license by number: %w", err)
	}
	l, err := s.store.GetLicenseByNumber(ctx, platformID, strings.ToUpper(strings.TrimSpace(number)))
	if err != nil {
		return License{}, fmt.Errorf("licensing: get license by number: %w", err)
	}
	return l, nil
}

// AccountLicense returns the account's license: the active one, or else
// its latest. Check ActiveAt for whether it licenses the account now.
func (s *Service) AccountLicense(ctx context.Context, platformID, accountID string) (License, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return License{}, fmt.Errorf("licensing: account license: %w", err)
	}
	l, err := s.store.AccountLicense(ctx, platformID, accountID)
	if err != nil {
		return License{}, fmt.Errorf("licensing: account license: %w", err)
	}
	return l, nil
}

// AccountLicenses is AccountLicense for a page of accounts, in one read:
// the license of each account that has one, by account ID.
func (s *Service) AccountLicenses(ctx context.Context, platformID string, accountIDs []string) (map[string]License, error) {
	if len(accountIDs) == 0 {
		return map[string]License{}, nil
	}
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("licensing: account licenses: %w", err)
	}
	if err := validate.IDList(accountIDs); err != nil {
		return nil, fmt.Errorf("licensing: account licenses: %w", invalid("account_ids", err.Error()))
	}
	m, err := s.store.AccountLicenses(ctx, platformID, accountIDs)
	if err != nil {
		return nil, fmt.Errorf("licensing: account licenses: %w", err)
	}
	return m, nil
}

// History lists a license's transitions, oldest first.
func (s *Service) History(ctx context.Context, platformID, licenseID string) ([]HistoryEntry, error) {
	if err := checkIDs("platform_id", platformID, "license_id", licenseID); err != nil {
		return nil, fmt.Errorf("licensing: history: %w", err)
	}
	h, err := s.store.History(ctx, platformID, licenseID)
	if err != nil {
		return nil, fmt.Errorf("licensing: history: %w", err)
	}
	return h, nil
}

// ListLicensesParams selects a page of a platform's licenses (the owner
// portal's licenses page).
type ListLicensesParams struct {
	PlatformID string
	Status     Status
	AccountID  string
	Unassigned bool
	PlanID     string
	// Number keeps licenses whose number contains it.
	Number string
	// After is Next of the previous page.
	After string
	// Limit defaults to 50; at most 500.
	Limit int
}

// LicensePage is one page of licenses and the next page's cursor.
type LicensePage struct {
	Licenses []License
	Next     string
}

type cursorJSON struct {
	At int64  `json:"t"`
	ID string `json:"i"`
}

// ListLicenses returns one page of licenses, newest first.
func (s *Service) ListLicenses(ctx context.Context, p ListLicensesParams) (LicensePage, error) {
	const op = "licensing: list licenses: %w"
	limit, after, err := page(p.Limit, p.After)
	if err != nil {
		return LicensePage{}, fmt.Errorf(op, err)
	}
	switch p.Status {
	case "", Active, Inactive, Expired, Revoked:
	default:
		return LicensePage{}, fmt.Errorf(op, invalid("status", "unknown status "+validate.Excerpt(string(p.Status))))
	}
	if err := checkIDs("platform_id", p.PlatformID, "account_id", p.AccountID, "plan_id", p.PlanID); err != nil {
		return LicensePage{}, fmt.Errorf(op, err)
	}
	if err := validate.Line(strings.TrimSpace(p.Number), 200); err != nil {
		return LicensePage{}, fmt.Errorf(op, invalid("number", err.Error()))
	}
	q := LicenseQuery{PlatformID: p.PlatformID, Status: p.Status, AccountID: p.AccountID, Unassigned: p.Unassigned,
		PlanID: p.PlanID, Number: strings.TrimSpace(p.Number), Limit: limit + 1}
	if after != nil {
		q.After = &LicenseCursor{CreatedAt: after.t, ID: after.id}
	}
	ls, err := s.store.ListLicenses(ctx, q)
	if err != nil {
		return LicensePage{}, fmt.Errorf(op, err)
	}
	out := LicensePage{Licenses: ls}
	if len(ls) > limit {
		out.Licenses = ls[:limit]
		last := out.Licenses[limit-1]
		out.Next = cursor(last.CreatedAt, last.ID)
	}
	return out, nil
}

type position struct {
	t  time.Time
	id string
}

// page checks a page size and decodes a cursor.
func page(limit int, after string) (int, *position, error) {
	switch {
	case limit == 0:
		limit = 50
	case limit < 0 || limit > 500:
		return 0, nil, invalid("limit", "must be between 1 and 500")
	}
	if after == "" {
		return limit, nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(after)
	var c cursorJSON
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" || validate.ID(c.ID) != nil {
		return 0, nil, invalid("after", "is not a cursor from a previous page")
	}
	return limit, &position{t: time.UnixMicro(c.At).UTC(), id: c.ID}, nil
}

func cursor(t time.Time, id string) string {
	b, _ := json.Marshal(cursorJSON{At: t.UnixMicro(), ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// SweepResult says what a sweep recorded.
type SweepResult struct {
	// Expired and Lapsed count the licenses recorded as such.
	Expired, Lapsed int
}

// Sweep records, once, every license whose state the clock changed: active
// ones past their end (expired) or their grace period (lapsed), inactive
// ones past their end. Reads never wait for it — a license past its end is
// not active whether or not it ran — but the history and the listings do.
// Run it from a background job as a system principal; it works in batches
// of batch licenses (100 when 0) until none is due.
func (s *Service) Sweep(ctx context.Context, batch int) (SweepResult, error) {
	const op = "licensing: sweep: %w"
	if batch <= 0 {
		batch = 100
	}
	var res SweepResult
	for {
		due, err := s.store.DueLicenses(ctx, s.now(), batch)
		if err != nil {
			return res, fmt.Errorf(op, err)
		}
		wrote := 0
		for _, l := range due {
			next, hist, err := transition(l, change{}, s.now())
			if err != nil {
				continue // no longer due: another sweeper got there first
			}
			if _, err := s.authorize(ctx, l.PlatformID, "license.sweep", l.AccountID); err != nil {
				return res, fmt.Errorf(op, err)
			}
			err = s.write(ctx, "license.sweep", next, LicenseChange{License: next, History: hist})
			if err != nil && !isStale(err) {
				return res, fmt.Errorf(op, err)
			}
			if err != nil {
				continue
			}
			wrote++
			if next.Status == Expired {
				res.Expired++
			} else {
				res.Lapsed++
			}
		}
		if len(due) < batch || wrote == 0 {
			return res, nil
		}
	}
}
