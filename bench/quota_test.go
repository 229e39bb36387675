package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/tenancy"
)

// quotaRacers is how many goroutines race for quota units.
const quotaRacers = 64

// quotaUnits is the allocation the racers use up, per side and iteration.
func quotaUnits() int { return size(1_000, 10_000) }

// quotaSQL is the baseline: the conditional UPDATE a host would write to
// count one unit of use, in autocommit.
const quotaSQL = `UPDATE tenantry_quota_allocations SET used = used + 1
	WHERE platform_id = ? AND account_id = ? AND resource = ? AND used + 1 <= lim`

// quotaWorld is one platform with a bot-slot pool and two accounts of
// quotaUnits slots each: one used through tenantry, one through the
// baseline, in the same table.
type quotaWorld struct {
	db       *sqlx.DB
	svc      *tenancy.Service
	platform string
	tenantry string // account used through Service.UseQuota
	baseline string // account used through quotaSQL
	units    int
	update   string // quotaSQL in db's dialect
}

func newQuotaWorld(tb testing.TB, db *sqlx.DB, units int) *quotaWorld {
	tb.Helper()
	w := &quotaWorld{db: db, platform: "p1", units: units, update: db.Rebind(quotaSQL)}
	w.svc, _ = tenancyOn(tb, db, w.platform)
	if _, err := w.svc.SetPool(writesHost, w.platform, tenancy.ResourceBotSlots, int64(2*units)); err != nil {
		tb.Fatalf("set pool: %v", err)
	}
	for i, id := range []*string{&w.tenantry, &w.baseline} {
		c, err := w.svc.CreateAccount(writesHost, tenancy.CreateAccountParams{
			PlatformID: w.platform, Name: fmt.Sprintf("Racer %d", i), Email: fmt.Sprintf("racer%d@bench.example", i),
		})
		if err != nil {
			tb.Fatalf("create account: %v", err)
		}
		*id = c.Account.ID
		if _, err := w.svc.Allocate(writesHost, w.platform, *id, tenancy.ResourceBotSlots, int64(units)); err != nil {
			tb.Fatalf("allocate: %v", err)
		}
	}
	return w
}

// reset gives both accounts their whole allocation back.
func (w *quotaWorld) reset(tb testing.TB) {
	tb.Helper()
	q := w.db.Rebind(`UPDATE tenantry_quota_allocations SET used = 0 WHERE platform_id = ? AND resource = ?`)
	if _, err := w.db.Exec(q, w.platform, tenancy.ResourceBotSlots); err != nil {
		tb.Fatalf("reset quota: %v", err)
	}
}

// race runs quotaRacers goroutines that each take one unit at a time with
// take until it reports the allocation exhausted, and returns how many
// units were handed out.
func race(take func() (bool, error)) (int, error) {
	var got atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, quotaRacers)
	for g := range quotaRacers {
		wg.Go(func() {
			for {
				ok, err := take()
				if err != nil {
					errs[g] = err
					return
				}
				if !ok {
					return
				}
				got.Add(1)
			}
		})
	}
	wg.Wait()
	return int(got.Load()), errors.Join(errs...)
}

// useTenantry races for the tenantry account's units through the Service.
func (w *quotaWorld) useTenantry(ctx context.Context) (int, error) {
	return race(func() (bool, error) {
		_, err := w.svc.UseQuota(ctx, w.platform, w.tenantry, tenancy.ResourceBotSlots, 1)
		if errors.Is(err, tenancy.ErrQuotaExceeded) {
			return false, nil
		}
		return err == nil, err
	})
}

// useBaseline races for the baseline account's units with quotaSQL.
func (w *quotaWorld) useBaseline(ctx context.Context) (int, error) {
	return race(func() (bool, error) {
		res, err := w.db.ExecContext(ctx, w.update, w.platform, w.baseline, tenancy.ResourceBotSlots)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	})
}

// check fails tb unless both sides handed out exactly every unit, and the
// stored use says so too.
func (w *quotaWorld) check(tb testing.TB, tenantry, baseline int) {
	tb.Helper()
	as, err := w.svc.Allocations(context.Background(), w.platform, w.tenantry, w.baseline)
	if err != nil {
		tb.Fatalf("allocations: %v", err)
	}
	used := map[string]int64{}
	for _, a := range as {
		if a.Resource == tenancy.ResourceBotSlots {
			used[a.AccountID] = a.Used
		}
	}
	if tenantry != w.units || baseline != w.units || used[w.tenantry] != int64(w.units) || used[w.baseline] != int64(w.units) {
		tb.Fatalf("units handed out: tenantry %d (stored %d), baseline %d (stored %d), want %d each",
			tenantry, used[w.tenantry], baseline, used[w.baseline], w.units)
	}
}

// BenchmarkQuotaRace: 64 goroutines use up an account's allocation one
// unit at a time through Service.UseQuota (what a host calls on its hot
// path, as its product consumes bot slots, messages, seats), beside the
// same race with the hand-written conditional UPDATE in autocommit. Both
// must hand out every unit and never one more. Reported per unit:
// tenantry-ns/op, baseline-ns/op, x-baseline, and throughput-x, tenantry's
// throughput as a fraction of the baseline's (target at least 0.5).
func BenchmarkQuotaRace(b *testing.B) {
	for _, d := range writeDatabases {
		b.Run(d.name, func(b *testing.B) {
			w := newQuotaWorld(b, d.open(b), quotaUnits())
			ctx := context.Background()
			b.ReportAllocs()
			var tt, bt time.Duration
			for b.Loop() {
				b.StopTimer()
				w.reset(b)
				b.StartTimer()
				start := time.Now()
				got, err := w.useTenantry(ctx)
				mid := time.Now()
				if err != nil {
					b.Fatalf("tenantry: %v", err)
				}
				gotBase, err := w.useBaseline(ctx)
				end := time.Now()
				if err != nil {
					b.Fatalf("baseline: %v", err)
				}
				tt, bt = tt+mid.Sub(start), bt+end.Sub(mid)
				b.StopTimer()
				w.check(b, got, gotBase)
				b.StartTimer()
			}
			reportRatio(b, tt, bt, b.N*w.units)
			if tt > 0 {
				b.ReportMetric(float64(bt)/float64(tt), "throughput-x")
			}
		})
	}
}

// TestQuotaRaceExact: tenantry and the baseline hand out exactly the
// allocation when 64 goroutines race, on both databases.
func TestQuotaRaceExact(t *testing.T) {
	for _, d := range writeDatabases {
		t.Run(d.name, func(t *testing.T) {
			w := newQuotaWorld(t, d.open(t), 200)
			got, err := w.useTenantry(context.Background())
			if err != nil {
				t.Fatalf("tenantry: %v", err)
			}
			gotBase, err := w.useBaseline(context.Background())
			if err != nil {
				t.Fatalf("baseline: %v", err)
			}
			w.check(t, got, gotBase)
		})
	}
}
