package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/sqlstore"
	"github.com/tenantry/tenantry/internal/testdb"
)

// purgeEvents is how many events are old enough to purge; a hundredth
// more are recent and stay.
func purgeEvents() int { return size(20_000, 1_000_000) }

// purgeStatementLimit is the longest one purge statement may hold the
// table.
const purgeStatementLimit = 100 * time.Millisecond

// Dataset times: old events from purgeOldFrom on, one every 13 s (1M
// events end 150 days later, before the cutoff of audit.DefaultRetention
// before writesNow); recent ones from purgeRecentFrom, one a second.
var (
	purgeOldFrom    = time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	purgeRecentFrom = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// purgeSQLite and purgePostgres generate the dataset in one statement
// each: old then recent events of 10 platforms, 5,000 accounts and 50
// actors, with a one-change payload, as the services write them.
const (
	purgeSQLite = `INSERT INTO tenantry_audit_events
		(platform_id, id, at, account_id, actor_id, action, target_type, target_id, changes)
		WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < ?)
		SELECT 'p' || (g % 10), ? || printf('%09d', g), ? + g * ?, 'acct-' || (g % 5000), 'u-' || (g % 50),
			'account.update', 'account', 'acct-' || (g % 5000), '[{"field":"status","before":"active","after":"disabled"}]'
		FROM seq`
	purgePostgres = `INSERT INTO tenantry_audit_events
		(platform_id, id, at, account_id, actor_id, action, target_type, target_id, changes)
		SELECT 'p' || (g % 10), $2 || lpad(g::text, 9, '0'), $3::timestamptz + g * $4::interval, 'acct-' || (g % 5000), 'u-' || (g % 50),
			'account.update', 'account', 'acct-' || (g % 5000), '[{"field":"status","before":"active","after":"disabled"}]'
		FROM generate_series(1, $1) AS g`
)

// purgeWorld is an audit store on db and the dataset to purge.
type purgeWorld struct {
	db    *sqlx.DB
	store *sqlstore.Store
	pg    bool
	old   int // events before the cutoff
	keep  int // events after it
}

func newPurgeWorld(tb testing.TB, db *sqlx.DB, old int) *purgeWorld {
	tb.Helper()
	store := testdb.Store(tb, db, sqlstore.Migrate, sqlstore.New)
	return &purgeWorld{db: db, store: store, pg: db.DriverName() == "pgx", old: old, keep: max(old/100, 1)}
}

// fill empties the table and writes the dataset.
func (w *purgeWorld) fill(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	empty := "DELETE FROM tenantry_audit_events"
	if w.pg {
		empty = "TRUNCATE tenantry_audit_events"
	}
	if _, err := w.db.ExecContext(ctx, empty); err != nil {
		tb.Fatalf("empty the events: %v", err)
	}
	batches := []struct {
		n      int
		prefix string
		from   time.Time
		every  time.Duration
	}{{w.old, "old-", purgeOldFrom, 13 * time.Second}, {w.keep, "new-", purgeRecentFrom, time.Second}}
	for _, b := range batches {
		var err error
		if w.pg {
			_, err = w.db.ExecContext(ctx, purgePostgres, b.n, b.prefix, b.from, fmt.Sprintf("%d microseconds", b.every.Microseconds()))
		} else {
			_, err = w.db.ExecContext(ctx, purgeSQLite, b.n, b.prefix, b.from.UnixMicro(), b.every.Microseconds())
		}
		if err != nil {
			tb.Fatalf("generate %d events: %v", b.n, err)
		}
	}
	if w.pg { // as autovacuum would after such a load
		if _, err := w.db.ExecContext(ctx, "VACUUM ANALYZE tenantry_audit_events"); err != nil {
			tb.Fatalf("analyze: %v", err)
		}
	}
}

// cutoff is what audit.Service.Purge removes events before.
func (w *purgeWorld) cutoff() time.Time { return writesNow.Add(-audit.DefaultRetention) }

// timedStore is the real audit store, with the time of every PurgeBefore
// (one DELETE statement each) measured.
type timedStore struct {
	audit.Store
	longest    time.Duration
	statements int
}

// PurgeBefore times the store's PurgeBefore.
func (s *timedStore) PurgeBefore(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	start := time.Now()
	n, err := s.Store.PurgeBefore(ctx, cutoff, limit)
	s.longest = max(s.longest, time.Since(start))
	s.statements++
	return n, err
}

// purgeTenantry purges through audit.Service with its default batch.
func (w *purgeWorld) purgeTenantry(ctx context.Context, timed *timedStore) (int, error) {
	svc := audit.New(timed, &audit.Config{Now: func() time.Time { return writesNow }})
	res, err := svc.Purge(ctx)
	return res.Deleted, err
}

// purgeBaseline is the one DELETE a host would write.
func (w *purgeWorld) purgeBaseline(ctx context.Context) (int, error) {
	var cutoff any = w.cutoff()
	if !w.pg {
		cutoff = w.cutoff().UnixMicro()
	}
	res, err := w.db.ExecContext(ctx, w.db.Rebind("DELETE FROM tenantry_audit_events WHERE at < ?"), cutoff)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// check fails tb unless a side deleted every old event and only those.
func (w *purgeWorld) check(tb testing.TB, side string, deleted int) {
	tb.Helper()
	var left, recent int
	if err := w.db.Get(&left, "SELECT count(*) FROM tenantry_audit_events"); err != nil {
		tb.Fatalf("count events: %v", err)
	}
	if err := w.db.Get(&recent, "SELECT count(*) FROM tenantry_audit_events WHERE id LIKE 'new-%'"); err != nil {
		tb.Fatalf("count events: %v", err)
	}
	if deleted != w.old || left != w.keep || recent != w.keep {
		tb.Fatalf("%s deleted %d events and left %d (%d recent); want %d deleted and the %d recent left",
			side, deleted, left, recent, w.old, w.keep)
	}
}

// BenchmarkAuditPurge: audit.Service.Purge removes 1,000,000 events past
// the retention (20,000 without -full) in batches of its default
// Config.PurgeBatch, beside the one DELETE a host would write, each on the
// same freshly generated table (with a hundredth more recent events that
// stay). Reported per purge: tenantry-ns/op, baseline-ns/op, x-baseline
// (target at most 2), max-stmt-ms, the longest of tenantry's statements
// (target at most 100), baseline-stmt-ms, the baseline's one statement,
// and statements, tenantry's count.
func BenchmarkAuditPurge(b *testing.B) {
	for _, d := range writeDatabases {
		b.Run(d.name, func(b *testing.B) {
			w := newPurgeWorld(b, d.open(b), purgeEvents())
			ctx := context.Background()
			b.ReportAllocs()
			var tt, bt, longest time.Duration
			statements := 0
			for b.Loop() {
				b.StopTimer()
				w.fill(b)
				timed := &timedStore{Store: w.store}
				b.StartTimer()
				start := time.Now()
				deleted, err := w.purgeTenantry(ctx, timed)
				tt += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatalf("tenantry: %v", err)
				}
				w.check(b, "tenantry", deleted)
				longest, statements = max(longest, timed.longest), statements+timed.statements
				w.fill(b)
				b.StartTimer()
				start = time.Now()
				deleted, err = w.purgeBaseline(ctx)
				bt += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatalf("baseline: %v", err)
				}
				w.check(b, "baseline", deleted)
				b.StartTimer()
			}
			reportRatio(b, tt, bt, b.N)
			b.ReportMetric(float64(longest)/float64(time.Millisecond), "max-stmt-ms")
			b.ReportMetric(float64(bt)/float64(b.N)/float64(time.Millisecond), "baseline-stmt-ms")
			b.ReportMetric(float64(statements)/float64(b.N), "statements")
			if longest > purgeStatementLimit {
				b.Logf("a purge statement took %v, over the %v target", longest, purgeStatementLimit)
			}
		})
	}
}

// TestAuditPurgeBaselineAgrees: the purge and the one DELETE remove the
// same events from the same dataset, on both databases.
func TestAuditPurgeBaselineAgrees(t *testing.T) {
	for _, d := range writeDatabases {
		t.Run(d.name, func(t *testing.T) {
			w := newPurgeWorld(t, d.open(t), 2_500)
			w.fill(t)
			timed := &timedStore{Store: w.store}
			deleted, err := w.purgeTenantry(context.Background(), timed)
			if err != nil {
				t.Fatalf("tenantry: %v", err)
			}
			w.check(t, "tenantry", deleted)
			if timed.statements < 2 {
				t.Fatalf("purge took %d statements, want at least 2 (2,500 events, first batch 500)", timed.statements)
			}
			w.fill(t)
			deleted, err = w.purgeBaseline(context.Background())
			if err != nil {
				t.Fatalf("baseline: %v", err)
			}
			w.check(t, "baseline", deleted)
		})
	}
}
