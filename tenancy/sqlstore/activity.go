package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// AddActivity adds r.N to the account's count of r.Metric on r.Day and to
// its running total: two UPSERTs (INSERT ... ON CONFLICT DO UPDATE SET n =
// n + excluded.n) in one transaction, which the database applies atomically
// however many calls race. tenancy.ErrNotFound when the account is missing.
func (s *Store) AddActivity(ctx context.Context, r tenancy.AddActivity) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		daily := s.base.Builder().Insert(dailyTable).Columns("platform_id", "account_id", "metric", "day", "n").
			Values(r.PlatformID, r.AccountID, r.Metric, s.tm(r.Day), r.N).
			Suffix("ON CONFLICT (platform_id, account_id, metric, day) DO UPDATE SET n = " + dailyTable + ".n + excluded.n")
		if err := sqlkit.Exec(ctx, tx, daily); err != nil {
			return err
		}
		total := s.base.Builder().Insert(totalsTable).Columns("platform_id", "account_id", "metric", "n").
			Values(r.PlatformID, r.AccountID, r.Metric, r.N).
			Suffix("ON CONFLICT (platform_id, account_id, metric) DO UPDATE SET n = " + totalsTable + ".n + excluded.n")
		return sqlkit.Exec(ctx, tx, total)
	})
	return fail("add activity", err)
}

// Activity lists the account's daily counts of q.Metrics (all when empty)
// from q.From to q.To inclusive, by metric then day.
func (s *Store) Activity(ctx context.Context, q tenancy.ActivityQuery) ([]tenancy.ActivityPoint, error) {
	sel := s.base.Builder().Select("metric", "day", "n").From(dailyTable).
		Where(sq.Eq{"platform_id": q.PlatformID, "account_id": q.AccountID}).
		Where("day >= ? AND day <= ?", s.tm(q.From), s.tm(q.To)).
		OrderBy("metric", "day")
	if len(q.Metrics) > 0 {
		sel = sel.Where(s.base.DB.Dialect.In("metric", q.Metrics))
	}
	var rows []pointRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("activity", err)
	}
	return sqlkit.Convert(rows, func(r pointRow) tenancy.ActivityPoint {
		return tenancy.ActivityPoint{Metric: r.Metric, Day: r.Day.Time, N: r.N}
	}), nil
}

// Figures returns the figures of those of accountIDs that exist, in the
// order given (each once), with one query whatever their number: the
// accounts joined with their totals, each with its member count. Totals is
// nil for an account with no activity.
func (s *Store) Figures(ctx context.Context, platformID string, accountIDs []string) ([]tenancy.Figures, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	sel := s.base.Builder().Select("a.id AS account_id",
		"(SELECT count(*) FROM "+membersTable+" m WHERE m.platform_id = a.platform_id AND m.account_id = a.id) AS users",
		"t.metric AS metric", "t.n AS n").
		From(accountsTable + " a").
		LeftJoin(totalsTable + " t ON t.platform_id = a.platform_id AND t.account_id = a.id").
		Where(sq.Eq{"a.platform_id": platformID}).Where(s.base.DB.Dialect.In("a.id", accountIDs))
	var rows []figuresRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("figures", err)
	}
	byID := make(map[string]*tenancy.Figures, len(rows))
	for _, r := range rows {
		f := byID[r.AccountID]
		if f == nil {
			f = &tenancy.Figures{AccountID: r.AccountID, Users: r.Users}
			byID[r.AccountID] = f
		}
		if r.Metric.Valid {
			if f.Totals == nil {
				f.Totals = map[string]int64{}
			}
			f.Totals[r.Metric.String] = r.N.Int64
		}
	}
	var out []tenancy.Figures
	for _, id := range accountIDs {
		if f := byID[id]; f != nil {
			out = append(out, *f)
			delete(byID, id)
		}
	}
	return out, nil
}
