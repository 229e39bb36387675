package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/validate"
)

// ListAccountsParams selects a page of a platform's accounts (the owner
// portal's accounts page).
type ListAccountsParams struct {
	PlatformID string
	// Status keeps accounts in that state; empty means any.
	Status AccountStatus
	// IncludeLocked keeps locked accounts, left out otherwise.
	IncludeLocked bool
	// Test keeps test accounts: all, still running, or expired.
	Test TestFilter
	// OnlyInSetup and OnlyTemplates keep accounts in setup, and templates.
	OnlyInSetup   bool
	OnlyTemplates bool
	// OperatorID keeps the accounts assigned to that operator ("my
	// accounts").
	OperatorID string
	// WithFigures fills AccountPage.Figures for the page's accounts, read in
	// one batch.
	WithFigures bool
	// Tag and Plan keep accounts with that tag or plan label.
	Tag  string
	Plan string
	// Search keeps accounts whose name, email, nickname or UID contains it,
	// case-insensitively.
	Search string
	// Sort defaults to SortNewest.
	Sort AccountSort
	// After is Next of the previous page.
	After string
	// Limit is the page size. Defaults to 50; at most 500.
	Limit int
}

// AccountPage is one page of accounts and the cursor of the next one (""
// at the end).
type AccountPage struct {
	Accounts []Account
	// Figures holds each account's summary figures by account ID, when
	// asked with WithFigures.
	Figures map[string]Figures
	Next    string
}

type accountCursorJSON struct {
	Name string `json:"n,omitempty"`
	At   int64  `json:"t,omitempty"`
	ID   string `json:"i"`
}

// ListAccounts returns one page of accounts.
func (s *Service) ListAccounts(ctx context.Context, p ListAccountsParams) (AccountPage, error) {
	const op = "tenancy: list accounts: %w"
	q, err := accountQuery(p, s.now())
	if err != nil {
		return AccountPage{}, fmt.Errorf(op, err)
	}
	limit := q.Limit
	q.Limit++
	accs, err := s.store.ListAccounts(ctx, q)
	if err != nil {
		return AccountPage{}, fmt.Errorf(op, err)
	}
	page := AccountPage{Accounts: accs}
	if len(accs) > limit {
		page.Accounts = accs[:limit]
		last := page.Accounts[limit-1]
		c := accountCursorJSON{ID: last.ID}
		if q.Sort == SortName {
			c.Name = strings.ToLower(last.Name)
		} else {
			c.At = last.CreatedAt.UnixMicro()
		}
		page.Next = encodeCursor(c)
	}
	if p.WithFigures && len(page.Accounts) > 0 {
		if page.Figures, err = s.figures(ctx, p.PlatformID, page.Accounts); err != nil {
			return AccountPage{}, fmt.Errorf(op, err)
		}
	}
	return page, nil
}

// figures reads the summary figures of accs in one batch.
func (s *Service) figures(ctx context.Context, platformID string, accs []Account) (map[string]Figures, error) {
	ids := make([]string, len(accs))
	for i, a := range accs {
		ids[i] = a.ID
	}
	fs, err := s.store.Figures(ctx, platformID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Figures, len(ids))
	for _, id := range ids {
		out[id] = Figures{AccountID: id}
	}
	for _, f := range fs {
		out[f.AccountID] = f
	}
	return out, nil
}

func accountQuery(p ListAccountsParams, now time.Time) (AccountQuery, error) {
	limit, err := pageSize(p.Limit)
	if err != nil {
		return AccountQuery{}, err
	}
	switch p.Status {
	case "", AccountActive, AccountDisabled:
	default:
		return AccountQuery{}, invalid("status", "unknown status "+validate.Excerpt(string(p.Status)))
	}
	switch p.Test {
	case AnyAccount, TestAccounts, TestRunning, TestExpired:
	default:
		return AccountQuery{}, invalid("test", "unknown test filter "+validate.Excerpt(string(p.Test)))
	}
	switch p.Sort {
	case "":
		p.Sort = SortNewest
	case SortNewest, SortName:
	default:
		return AccountQuery{}, invalid("sort", "unknown sort "+validate.Excerpt(string(p.Sort)))
	}
	if err := checkIDs("platform_id", p.PlatformID, "operator_id", p.OperatorID); err != nil {
		return AccountQuery{}, err
	}
	search, err := checkLine("search", p.Search, maxSearchLength)
	if err != nil {
		return AccountQuery{}, err
	}
	if _, err := checkLine("tag", p.Tag, MaxTagLength*utf8.UTFMax); err != nil {
		return AccountQuery{}, err
	}
	if _, err := checkLine("plan", p.Plan, MaxTagLength); err != nil {
		return AccountQuery{}, err
	}
	q := AccountQuery{
		PlatformID: p.PlatformID, Status: p.Status, IncludeLocked: p.IncludeLocked, Test: p.Test,
		OnlyInSetup: p.OnlyInSetup, OnlyTemplates: p.OnlyTemplates, OperatorID: p.OperatorID, Tag: strings.TrimSpace(p.Tag),
		Plan: strings.TrimSpace(p.Plan), Search: search, Sort: p.Sort, Limit: limit, Now: now,
	}
	if p.After != "" {
		var c accountCursorJSON
		if err := decodeCursor(p.After, &c); err != nil || c.ID == "" || validate.ID(c.ID) != nil || validate.Line(c.Name, MaxNameLength) != nil {
			return AccountQuery{}, invalid("after", "is not a cursor from a previous page")
		}
		q.After = &AccountCursor{Name: c.Name, CreatedAt: time.UnixMicro(c.At).UTC(), ID: c.ID}
	}
	return q, nil
}
