package sqlstore

import (
	"context"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// ListAccounts returns up to q.Limit accounts matching q (every match when
// q.Limit <= 0) in q.Sort order, strictly after q.After when set: newest
// first (CreatedAt then ID, descending), or by name case-insensitively then
// ID for tenancy.SortName. The tags of the page are read in one query.
func (s *Store) ListAccounts(ctx context.Context, q tenancy.AccountQuery) ([]tenancy.Account, error) {
	sel := s.base.Builder().Select(accountColumns...).From(accountsTable).
		Where(sq.Eq{"platform_id": q.PlatformID})
	sel = s.accountOrder(s.accountFilters(sel, q), q)
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []accountRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("list accounts", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := sqlkit.Convert(rows, accountRow.account)
	if err := s.withTags(ctx, s.base.DB, out); err != nil {
		return nil, fail("list accounts", err)
	}
	return out, nil
}

// accountFilters adds q's filters to sel.
func (s *Store) accountFilters(sel sq.SelectBuilder, q tenancy.AccountQuery) sq.SelectBuilder {
	if q.Status != "" {
		sel = sel.Where(sq.Eq{"status": string(q.Status)})
	}
	if !q.IncludeLocked {
		sel = sel.Where(sq.Eq{"locked": false})
	}
	switch q.Test {
	case tenancy.TestAccounts:
		sel = sel.Where(sq.NotEq{"test_expires_at": nil})
	case tenancy.TestRunning:
		sel = sel.Where(sq.Gt{"test_expires_at": s.tm(q.Now)})
	case tenancy.TestExpired:
		sel = sel.Where(sq.LtOrEq{"test_expires_at": s.tm(q.Now)})
	}
	if q.OperatorID != "" {
		// IN, not a correlated EXISTS: both databases then start from the
		// operator's assignments (their key) instead of testing every
		// account of the platform, which costs a full scan when the
		// operator has few accounts or none.
		sel = sel.Where("id IN (SELECT o.account_id FROM "+assignTable+" o WHERE o.platform_id = ? AND o.operator_id = ?)",
			q.PlatformID, q.OperatorID)
	}
	if q.OnlyInSetup {
		sel = sel.Where(sq.Eq{"onboarding_complete": false})
	}
	if q.OnlyTemplates {
		sel = sel.Where(sq.Eq{"template": true})
	}
	if q.Plan != "" {
		sel = sel.Where(sq.Eq{"plan": q.Plan})
	}
	if q.Tag != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM "+tagsTable+" t WHERE t.platform_id = "+accountsTable+
			".platform_id AND t.account_id = "+accountsTable+".id AND t.tag = ?)", q.Tag)
	}
	if q.Search != "" {
		sel = sel.Where(contains(q.Search, "name_key", "email", "nickname", "lower(uid)"))
	}
	return sel
}

// accountOrder adds q's order and keyset position to sel. Each keyset
// condition repeats its first column as a plain bound (">=", "<=") so that
// both databases seek the index to the page instead of filtering from the
// start.
func (s *Store) accountOrder(sel sq.SelectBuilder, q tenancy.AccountQuery) sq.SelectBuilder {
	if q.Sort == tenancy.SortName {
		if c := q.After; c != nil {
			key := foldKey(c.Name)
			sel = sel.Where("name_key >= ? AND (name_key > ? OR (name_key = ? AND id > ?))", key, key, key, c.ID)
		}
		return sel.OrderBy("name_key", "id")
	}
	if c := q.After; c != nil {
		at := s.tm(c.CreatedAt)
		sel = sel.Where("created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))", at, at, at, c.ID)
	}
	return sel.OrderBy("created_at DESC", "id DESC")
}

// ListUsers returns up to q.Limit users matching q (every match when
// q.Limit <= 0), ordered by email then ID, strictly after q.After when set.
func (s *Store) ListUsers(ctx context.Context, q tenancy.UserQuery) ([]tenancy.User, error) {
	sel := s.base.Builder().Select(userColumns...).From(usersTable).
		Where(sq.Eq{"platform_id": q.PlatformID, "status": userStatuses(q.Statuses)})
	if len(q.Roles) > 0 {
		roles := make([]string, len(q.Roles))
		for i, r := range q.Roles {
			roles[i] = string(r)
		}
		sel = sel.Where(sq.Eq{"role": roles})
	}
	if q.Search != "" {
		sel = sel.Where(contains(q.Search, "email", "name_key"))
	}
	if q.AccountID != "" {
		sel = sel.Where("EXISTS (SELECT 1 FROM "+membersTable+" m WHERE m.platform_id = "+usersTable+
			".platform_id AND m.user_id = "+usersTable+".id AND m.account_id = ?)", q.AccountID)
	}
	if c := q.After; c != nil {
		sel = sel.Where("email >= ? AND (email > ? OR (email = ? AND id > ?))", c.Email, c.Email, c.Email, c.ID)
	}
	sel = sel.OrderBy("email", "id")
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []userRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("list users", err)
	}
	return sqlkit.Convert(rows, userRow.user), nil
}

// userStatuses returns the statuses a user listing keeps: active and
// disabled when none are asked.
func userStatuses(asked []tenancy.UserStatus) []string {
	if len(asked) == 0 {
		return []string{string(tenancy.UserActive), string(tenancy.UserDisabled)}
	}
	out := make([]string, len(asked))
	for i, st := range asked {
		out[i] = string(st)
	}
	return out
}

// contains matches rows where any of columns contains needle,
// case-insensitively, with LIKE wildcards in needle taken literally. Names
// are matched through name_key, folded in Go like the needle, so the match
// is the same on both dialects and in memstore in any script. Emails and
// nicknames are stored lowercase (canonical emails, slug nicknames), so they
// need no lower() that would cost a function call per row scanned; UIDs are
// host-made ASCII and are folded by SQL lower().
func contains(needle string, columns ...string) sq.Or {
	pattern := "%" + sqlkit.EscapeLike(foldKey(needle)) + "%"
	or := make(sq.Or, len(columns))
	for i, c := range columns {
		or[i] = sq.Expr(c+" LIKE ? ESCAPE '\\'", pattern)
	}
	return or
}

// foldKey is the case-insensitive form of names and searches, the same
// strings.ToLower memstore and tenancy.Service use.
func foldKey(s string) string { return strings.ToLower(s) }
