package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/internal/validate"
)

// ActivityWindow is how far back Activity reads by default: the last 3
// months the account page charts.
const ActivityWindow = 92 * 24 * time.Hour

// CountActivity adds n to an account's count of a host-named metric
// ("messages", "bookings", "payments", "subscribers") for the current day
// (UTC) and to its running total, which the accounts page shows. It is one
// cheap atomic statement pair, safe to call from many processes at once;
// it needs no principal and records no event. n may be negative (a gauge
// such as subscribers going down).
func (s *Service) CountActivity(ctx context.Context, platformID, accountID, metric string, n int64) error {
	const op = "tenancy: count activity: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "metric", metric); err != nil {
		return fmt.Errorf(op, err)
	}
	if err := checkResource(metric); err != nil {
		return fmt.Errorf(op, invalid("metric", validate.Excerpt(metric)+" is not a metric name (a-z, 0-9, _ . : -)"))
	}
	if n == 0 {
		return nil
	}
	day := s.cfg.Now().UTC().Truncate(24 * time.Hour)
	err := s.store.AddActivity(ctx, AddActivity{PlatformID: platformID, AccountID: accountID, Metric: metric, Day: day, N: n})
	if err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// ActivitySeries is an account's daily counts of one metric, one point per
// day from From to To (days without activity count zero).
type ActivitySeries struct {
	Metric string
	From   time.Time
	To     time.Time
	// Days holds one count per day, From first.
	Days []int64
}

// Activity returns the account's daily series of the given metrics (all it
// has when none is given) over the last 3 months up to today, UTC.
func (s *Service) Activity(ctx context.Context, platformID, accountID string, metrics ...string) ([]ActivitySeries, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("tenancy: activity: %w", err)
	}
	if err := checkIDList("metrics", metrics); err != nil {
		return nil, fmt.Errorf("tenancy: activity: %w", err)
	}
	to := s.cfg.Now().UTC().Truncate(24 * time.Hour)
	from := to.Add(-ActivityWindow)
	points, err := s.store.Activity(ctx, ActivityQuery{PlatformID: platformID, AccountID: accountID, Metrics: metrics, From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("tenancy: activity: %w", err)
	}
	days := int(to.Sub(from)/(24*time.Hour)) + 1
	var out []ActivitySeries
	index := map[string]int{}
	for _, m := range metrics {
		index[m] = len(out)
		out = append(out, ActivitySeries{Metric: m, From: from, To: to, Days: make([]int64, days)})
	}
	for _, p := range points {
		i, ok := index[p.Metric]
		if !ok {
			i = len(out)
			index[p.Metric] = i
			out = append(out, ActivitySeries{Metric: p.Metric, From: from, To: to, Days: make([]int64, days)})
		}
		if d := int(p.Day.Sub(from) / (24 * time.Hour)); d >= 0 && d < days {
			out[i].Days[d] += p.N
		}
	}
	return out, nil
}

// MaySendLinks reports whether an account may send external links in its
// messages now: after the screening period of a new account
// (Config.LinkScreening, 30 days by default), or earlier once staff lift the
// screening with SetLinksAllowed. The host asks before sending.
func (s *Service) MaySendLinks(ctx context.Context, platformID, accountID string) (bool, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return false, fmt.Errorf("tenancy: may send links: %w", err)
	}
	acc, err := s.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return false, fmt.Errorf("tenancy: may send links: %w", err)
	}
	return acc.MaySendLinks(s.cfg.Now(), s.cfg.LinkScreening), nil
}

// MaySendLinks reports whether the account's link screening is over at
// now, for a screening period of screening.
func (a Account) MaySendLinks(now time.Time, screening time.Duration) bool {
	return a.LinksAllowed || !now.Before(a.CreatedAt.Add(screening))
}
