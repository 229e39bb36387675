package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

// dayKey identifies one metric's count of one day within an account; day
// is the day's midnight UTC in Unix microseconds.
type dayKey struct {
	metric string
	day    int64
}

// AddActivity adds r.N to the account's count of r.Metric on r.Day and to
// its running total. tenancy.ErrNotFound when the platform or the account
// is missing. It writes no event.
func (s *Store) AddActivity(_ context.Context, r tenancy.AddActivity) error {
	const op = "add activity"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.PlatformID)
	if err != nil {
		return err
	}
	if !hasKey(pd.accounts, r.AccountID) {
		return failf(op, tenancy.ErrNotFound, "account %q", r.AccountID)
	}
	if pd.daily[r.AccountID] == nil {
		pd.daily[r.AccountID] = map[dayKey]int64{}
		pd.totals[r.AccountID] = map[string]int64{}
	}
	pd.daily[r.AccountID][dayKey{r.Metric, micro(r.Day).UnixMicro()}] += r.N
	pd.totals[r.AccountID][r.Metric] += r.N
	return nil
}

// Activity lists the account's daily counts of q.Metrics (all when empty)
// from q.From to q.To inclusive, by metric then day. An unknown platform or
// account has none (nil, no error).
func (s *Store) Activity(_ context.Context, q tenancy.ActivityQuery) ([]tenancy.ActivityPoint, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[q.PlatformID]
	if pd == nil {
		return nil, nil
	}
	from, to := micro(q.From).UnixMicro(), micro(q.To).UnixMicro()
	var out []tenancy.ActivityPoint
	for k, n := range pd.daily[q.AccountID] {
		if k.day < from || k.day > to || len(q.Metrics) > 0 && !slices.Contains(q.Metrics, k.metric) {
			continue
		}
		out = append(out, tenancy.ActivityPoint{Metric: k.metric, Day: time.UnixMicro(k.day).UTC(), N: n})
	}
	slices.SortFunc(out, func(a, b tenancy.ActivityPoint) int {
		return cmp.Or(strings.Compare(a.Metric, b.Metric), a.Day.Compare(b.Day))
	})
	return out, nil
}

// Figures returns one tenancy.Figures per given account that exists, in
// the order given (an account named twice once): its member count, primary
// included, and its running totals (nil when it has none).
func (s *Store) Figures(_ context.Context, platformID string, accountIDs []string) ([]tenancy.Figures, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return nil, nil
	}
	var out []tenancy.Figures
	for _, id := range dedupe(accountIDs) {
		if !hasKey(pd.accounts, id) {
			continue
		}
		out = append(out, tenancy.Figures{
			AccountID: id,
			Users:     int64(len(pd.members[id])),
			Totals:    maps.Clone(pd.totals[id]),
		})
	}
	return out, nil
}
