package sqlstore

import (
	"context"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// GetLicense returns the license, or licensing.ErrNotFound.
func (s *Store) GetLicense(ctx context.Context, platformID, id string) (licensing.License, error) {
	return s.getLicense(ctx, "get license", sq.Eq{"platform_id": platformID, "id": id})
}

// GetLicenseByNumber returns the license with that number (compared
// exactly), or licensing.ErrNotFound.
func (s *Store) GetLicenseByNumber(ctx context.Context, platformID, number string) (licensing.License, error) {
	return s.getLicense(ctx, "get license by number", sq.Eq{"platform_id": platformID, "number": number})
}

func (s *Store) getLicense(ctx context.Context, op string, where sq.Eq) (licensing.License, error) {
	var r licenseRow
	if err := sqlkit.Get(ctx, s.base.DB, &r, s.base.Builder().Select(licenseColumns...).From(licensesTable).Where(where)); err != nil {
		return licensing.License{}, fail(op, err)
	}
	return r.license(), nil
}

// accountOrder is AccountLicense's order: the license stored active first,
// then the most recently updated, ties to the greater ID.
const accountOrder = "CASE WHEN status = 'active' THEN 0 ELSE 1 END, updated_at DESC, id DESC"

// AccountLicense returns the account's license stored Active, or else its
// most recently updated license (ties: greater ID), or
// licensing.ErrNotFound. The empty account has none. One indexed query.
func (s *Store) AccountLicense(ctx context.Context, platformID, accountID string) (licensing.License, error) {
	if accountID == "" {
		return licensing.License{}, fail("account license", sqlkit.Errorf(licensing.ErrNotFound, "no account"))
	}
	sel := s.base.Builder().Select(licenseColumns...).From(licensesTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID}).
		OrderBy(accountOrder).Limit(1)
	var r licenseRow
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return licensing.License{}, fail("account license", err)
	}
	return r.license(), nil
}

// AccountLicenses is AccountLicense for many accounts in one query: every
// license of those accounts in AccountLicense's order by account, the first
// of each kept.
func (s *Store) AccountLicenses(ctx context.Context, platformID string, accountIDs []string) (map[string]licensing.License, error) {
	out := make(map[string]licensing.License, len(accountIDs))
	ids := make([]string, 0, len(accountIDs))
	for _, id := range accountIDs {
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	sel := s.base.Builder().Select(licenseColumns...).From(licensesTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": ids}).
		OrderBy("account_id", accountOrder)
	var rows []licenseRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("account licenses", err)
	}
	for _, r := range rows {
		if _, seen := out[r.AccountID]; !seen {
			out[r.AccountID] = r.license()
		}
	}
	return out, nil
}

// ListLicenses returns up to q.Limit licenses matching q (every match when
// q.Limit <= 0), newest first (CreatedAt then ID, descending), strictly
// after q.After when set. Number matches a substring of the number,
// case-insensitively (lowercased in Go, as memstore does).
func (s *Store) ListLicenses(ctx context.Context, q licensing.LicenseQuery) ([]licensing.License, error) {
	sel := s.base.Builder().Select(licenseColumns...).From(licensesTable).Where(sq.Eq{"platform_id": q.PlatformID})
	if q.Status != "" {
		sel = sel.Where(sq.Eq{"status": string(q.Status)})
	}
	if q.AccountID != "" {
		sel = sel.Where(sq.Eq{"account_id": q.AccountID})
	}
	if q.Unassigned {
		sel = sel.Where(sq.Eq{"account_id": ""})
	}
	if q.PlanID != "" {
		sel = sel.Where(sq.Eq{"plan_id": q.PlanID})
	}
	if q.Number != "" {
		sel = sel.Where("number_key LIKE ? ESCAPE '\\'", "%"+sqlkit.EscapeLike(strings.ToLower(q.Number))+"%")
	}
	if c := q.After; c != nil {
		// The plain bound first lets both databases seek the index.
		at := s.tm(c.CreatedAt)
		sel = sel.Where("created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))", at, at, at, c.ID)
	}
	sel = sel.OrderBy("created_at DESC", "id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []licenseRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("list licenses", err)
	}
	return sqlkit.Convert(rows, licenseRow.license), nil
}

// History lists a license's entries, oldest first (At, then ID); nil when
// there are none or the license is unknown.
func (s *Store) History(ctx context.Context, platformID, licenseID string) ([]licensing.HistoryEntry, error) {
	sel := s.base.Builder().Select(historyColumns...).From(historyTable).
		Where(sq.Eq{"platform_id": platformID, "license_id": licenseID}).OrderBy("at", "id")
	var rows []historyRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("history", err)
	}
	return sqlkit.Convert(rows, historyRow.entry), nil
}

// DueLicenses lists, across platforms, up to limit licenses (every one when
// limit <= 0) whose stored status no longer holds at now: Active ones past
// their end or their grace deadline, Inactive ones past their end; oldest
// end first, ties by platform then ID.
//
// The filter is all SQL, so the limit never starves: the grace deadline is
// the lapses_at column the store writes with every license
// (PaymentFailedAt + Grace), and each branch of the condition seeks an
// index, (status, ends_at) or (status, lapses_at).
func (s *Store) DueLicenses(ctx context.Context, now time.Time, limit int) ([]licensing.License, error) {
	at := s.tm(now)
	sel := s.base.Builder().Select(licenseColumns...).From(licensesTable).
		Where(sq.Or{
			sq.And{sq.Eq{"status": []string{string(licensing.Active), string(licensing.Inactive)}}, sq.LtOrEq{"ends_at": at}},
			sq.And{sq.Eq{"status": string(licensing.Active)}, sq.LtOrEq{"lapses_at": at}},
		}).
		OrderBy("ends_at", "platform_id", "id")
	if limit > 0 {
		sel = sel.Limit(uint64(limit))
	}
	var rows []licenseRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("due licenses", err)
	}
	return sqlkit.Convert(rows, licenseRow.license), nil
}
