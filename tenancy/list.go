package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ListAccountsParams selects a page of a platform's accounts (the owner
// portal's accounts page).
type ListAccountsParams struct {
	PlatformID string
	// Status keeps accounts in that state; empty means any.
	Status AccountStatus
	// IncludeLocked keeps locked accounts, left out otherwise.
	IncludeLocked bool
	// OnlyTest, OnlyInSetup and OnlyTemplates keep test accounts, accounts
	// in setup, and templates.
	OnlyTest      bool
	OnlyInSetup   bool
	OnlyTemplates bool
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
	Next     string
}

type accountCursorJSON struct {
	Name string `json:"n,omitempty"`
	At   int64  `json:"t,omitempty"`
	ID   string `json:"i"`
}

// ListAccounts returns one page of accounts.
func (s *Service) ListAccounts(ctx context.Context, p ListAccountsParams) (AccountPage, error) {
	const op = "tenancy: list accounts: %w"
	q, err := accountQuery(p)
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
	return page, nil
}

func accountQuery(p ListAccountsParams) (AccountQuery, error) {
	limit, err := pageSize(p.Limit)
	if err != nil {
		return AccountQuery{}, err
	}
	switch p.Status {
	case "", AccountActive, AccountDisabled:
	default:
		return AccountQuery{}, invalid("status", fmt.Sprintf("unknown status %q", string(p.Status)))
	}
	switch p.Sort {
	case "":
		p.Sort = SortNewest
	case SortNewest, SortName:
	default:
		return AccountQuery{}, invalid("sort", fmt.Sprintf("unknown sort %q", string(p.Sort)))
	}
	search := strings.TrimSpace(p.Search)
	if len(search) > 200 {
		return AccountQuery{}, invalid("search", "must be at most 200 bytes")
	}
	q := AccountQuery{
		PlatformID: p.PlatformID, Status: p.Status, IncludeLocked: p.IncludeLocked, OnlyTest: p.OnlyTest,
		OnlyInSetup: p.OnlyInSetup, OnlyTemplates: p.OnlyTemplates, Tag: strings.TrimSpace(p.Tag),
		Plan: strings.TrimSpace(p.Plan), Search: search, Sort: p.Sort, Limit: limit,
	}
	if p.After != "" {
		var c accountCursorJSON
		if err := decodeCursor(p.After, &c); err != nil || c.ID == "" {
			return AccountQuery{}, invalid("after", "is not a cursor from a previous page")
		}
		q.After = &AccountCursor{Name: c.Name, CreatedAt: time.UnixMicro(c.At).UTC(), ID: c.ID}
	}
	return q, nil
}
