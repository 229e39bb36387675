package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// The cold-gate benchmark's data set: one platform, five plans, and
// accounts that each hold one or two licenses in the mix a live platform
// has (mostly active; some after a missed payment, some past their end but
// not yet swept, some expired, revoked or lapsed, some holding an old
// expired license beside their active one), a fifth of them with one or
// two feature overrides.

const coldPlatform = "p1"

// coldCatalog is the host's feature catalog.
var coldCatalog = []licensing.Feature{
	{Key: "live_chat", Name: "Live chat"}, {Key: "broadcasts", Name: "Broadcasts"},
	{Key: "analytics", Name: "Analytics"}, {Key: "sms", Name: "SMS"}, {Key: "api", Name: "API"},
	{Key: "voice", Name: "Voice"}, {Key: "ai_replies", Name: "AI replies"},
	{Key: "white_label", Name: "White label"},
}

// coldPlans are the platform's plans, each switching on more features.
var coldPlans = []licensing.PlanParams{
	{PlatformID: coldPlatform, ID: "free", Name: "Free", Features: []string{"live_chat"},
		Limits: map[string]int64{licensing.LimitBots: 1, licensing.LimitSeats: 1, licensing.LimitMessagesPerMonth: 1_000}},
	{PlatformID: coldPlatform, ID: "starter", Name: "Starter", Features: []string{"live_chat", "broadcasts"},
		Limits: map[string]int64{licensing.LimitBots: 3, licensing.LimitSeats: 3, licensing.LimitMessagesPerMonth: 10_000}},
	{PlatformID: coldPlatform, ID: "pro", Name: "Pro", Features: []string{"live_chat", "broadcasts", "analytics", "sms", "api"},
		Limits: map[string]int64{licensing.LimitBots: 10, licensing.LimitSeats: 10, licensing.LimitMessagesPerMonth: 100_000}},
	{PlatformID: coldPlatform, ID: "business", Name: "Business",
		Features: []string{"live_chat", "broadcasts", "analytics", "sms", "api", "voice", "ai_replies"},
		Limits:   map[string]int64{licensing.LimitBots: 50, licensing.LimitSeats: 50}},
	{PlatformID: coldPlatform, ID: "enterprise", Name: "Enterprise",
		Features: []string{"live_chat", "broadcasts", "analytics", "sms", "api", "voice", "ai_replies", "white_label"}},
}

// coldAccount is the ID of account i.
func coldAccount(i int) string { return fmt.Sprintf("acct-%05d", i) }

// coldStats counts what coldFill wrote.
type coldStats struct {
	Accounts, Licenses, Overrides int
	Took                          time.Duration
}

func (s coldStats) String() string {
	return fmt.Sprintf("%d accounts, %d licenses, %d overrides in %v", s.Accounts, s.Licenses, s.Overrides,
		s.Took.Round(time.Millisecond))
}

// coldFill migrates db and writes the data set for n accounts, with times
// around now: the plans through svc, the licenses through the store's
// WriteLicenses in batches of 500 (one transaction each), the overrides in
// multi-row INSERTs. It ends with ANALYZE, as a database in service would
// have its statistics.
func coldFill(ctx context.Context, db *sqlx.DB, store *sqlstore.Store, svc *licensing.Service, n int, now time.Time) (coldStats, error) {
	start := time.Now()
	stats := coldStats{Accounts: n}
	host := audit.WithPrincipal(ctx, audit.System("bench"))
	for _, p := range coldPlans {
		if _, err := svc.CreatePlan(host, p); err != nil {
			return stats, err
		}
	}

	r := rand.New(rand.NewPCG(1, 2))
	day := 24 * time.Hour
	var batch []licensing.LicenseChange
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ev := audit.Event{PlatformID: coldPlatform, ID: audit.NewUUIDv7(), At: now, ActorID: "system:bench", Action: "license.issue"}
		err := store.WriteLicenses(ctx, batch, ev)
		stats.Licenses += len(batch)
		batch = batch[:0]
		return err
	}
	for i := range n {
		account := coldAccount(i)
		k := 0
		add := func(status licensing.Status, plan string, starts, ends, updated time.Time, grace time.Duration, failed time.Time) {
			id := fmt.Sprintf("lic-%05d-%d", i, k)
			l := licensing.License{PlatformID: coldPlatform, ID: id, Number: fmt.Sprintf("LIC-%05d-%d", i, k),
				AccountID: account, PlanID: plan, Status: status, StartsAt: starts, EndsAt: ends, Grace: grace,
				PaymentFailedAt: failed, Version: 1, CreatedAt: starts, UpdatedAt: updated}
			batch = append(batch, licensing.LicenseChange{License: l, Insert: true, History: []licensing.HistoryEntry{
				{PlatformID: coldPlatform, LicenseID: id, ID: "h-" + id, Kind: licensing.Issued, AccountID: account,
					ActorID: "system:bench", Detail: "plan " + plan, At: starts}}})
			k++
		}
		plan := coldPlans[r.IntN(len(coldPlans))].ID
		other := coldPlans[r.IntN(len(coldPlans))].ID
		starts := now.Add(-time.Duration(30+r.IntN(300)) * day)
		ends := now.Add(time.Duration(1+r.IntN(365)) * day)
		var none time.Time
		switch c := i % 100; {
		case c < 80: // active, paid
			add(licensing.Active, plan, starts, ends, starts, 0, none)
		case c < 86: // an old expired license, and the active one after it
			add(licensing.Expired, other, starts.Add(-400*day), starts, starts, 0, none)
			add(licensing.Active, plan, starts, ends, starts, 0, none)
		case c < 89: // a missed payment, within its grace period: allowed
			add(licensing.Active, plan, starts, ends, now.Add(-2*day), 7*day, now.Add(-2*day))
		case c < 91: // a missed payment, past its grace: lapsed by the clock, not yet swept
			add(licensing.Active, plan, starts, ends, now.Add(-10*day), 7*day, now.Add(-10*day))
		case c < 93: // past its end, not yet swept
			add(licensing.Active, plan, starts, now.Add(-day), starts, 0, none)
		case c < 95: // expired, swept
			add(licensing.Expired, plan, starts, now.Add(-30*day), now.Add(-30*day), 0, none)
		case c < 97: // an old expired license, then a revoked one
			add(licensing.Expired, other, starts.Add(-400*day), starts, starts, 0, none)
			add(licensing.Revoked, plan, starts, ends, now.Add(-5*day), 0, none)
		case c < 98: // lapsed after a missed payment, swept
			add(licensing.Inactive, plan, starts, ends, now.Add(-13*day), 7*day, now.Add(-20*day))
		case c < 99: // starts in three days
			add(licensing.Active, plan, now.Add(3*day), ends.Add(3*day), now.Add(-day), 0, none)
		default: // active, beside a revoked license updated after it: the active one counts
			add(licensing.Active, plan, starts, ends, starts, 0, none)
			add(licensing.Revoked, other, starts, ends, now.Add(-day), 0, none)
		}
		if len(batch) >= 500 {
			if err := flush(); err != nil {
				return stats, err
			}
		}
	}
	if err := flush(); err != nil {
		return stats, err
	}

	var overrides []any // rows of 5 values
	pg := db.DriverName() == "pgx"
	for i := 0; i < n; i += 5 {
		at := now.Add(-time.Duration(r.IntN(100)) * 24 * time.Hour)
		var stamp any = at.UnixMicro()
		if pg {
			stamp = at
		}
		for _, j := range r.Perm(len(coldCatalog))[:1+r.IntN(2)] {
			on := r.IntN(2) == 0
			var enabled any = map[bool]int{false: 0, true: 1}[on]
			if pg {
				enabled = on
			}
			overrides = append(overrides, coldPlatform, coldAccount(i), coldCatalog[j].Key, enabled, stamp)
		}
	}
	stats.Overrides = len(overrides) / 5
	for lo := 0; lo < len(overrides); lo += 5 * 1000 {
		rows := overrides[lo:min(lo+5*1000, len(overrides))]
		q := `INSERT INTO tenantry_feature_overrides (platform_id, account_id, feature, enabled, updated_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", len(rows)/5), ", ")
		if _, err := db.ExecContext(ctx, db.Rebind(q), rows...); err != nil {
			return stats, fmt.Errorf("insert overrides: %w", err)
		}
	}
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
		return stats, err
	}
	stats.Took = time.Since(start)
	return stats, nil
}
