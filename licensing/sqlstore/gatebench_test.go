package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// coldAccounts is the benchmark's number of accounts.
const coldAccounts = 10_000

// BenchmarkGateCold times the gate's cold check, the one that must read the
// store (GateFacts, one statement) because the gate does not hold the
// account, beside handGate, the same decision made from one hand-written
// sqlx query, on SQLite and on PostgreSQL. Each dialect has three
// sub-benchmarks: gate (Gate.Forget, then Gate.Check), handwritten, and
// ratio, which runs both in turn in one loop and reports gate/handwritten
// as "x". Target: at most 1.5x.
//
//	TENANTRY_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//		go test -run '^$' -bench BenchmarkGateCold -benchtime 10000x ./licensing/sqlstore/
//
// Each iteration asks about the next of the 10,000 accounts (in a shuffled
// order) and the next feature of the catalog, or "" (served at all?).
// Before timing, every one of those checks is made both ways and must
// decide the same. Without TENANTRY_POSTGRES_DSN the PostgreSQL half is
// skipped.
func BenchmarkGateCold(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", coldPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			w := newColdWorld(b, d.open(b), coldAccounts)
			w.same(b)
			benchColdPair(b, w)
		})
	}
}

// coldPostgres is a fresh PostgreSQL database on the server of
// TENANTRY_POSTGRES_DSN; the benchmark skips without one.
func coldPostgres(tb testing.TB) *sqlx.DB {
	if os.Getenv("TENANTRY_POSTGRES_DSN") == "" {
		tb.Skip("TENANTRY_POSTGRES_DSN is not set: set it to time the cold gate on PostgreSQL")
	}
	return testdb.Postgres(tb)
}

// coldWorld is a filled database with its Service and baseline, and the
// checks to make, in order.
type coldWorld struct {
	svc  *licensing.Service
	gate *licensing.Gate
	hand handGate
	asks []coldAsk
}

type coldAsk struct{ account, feature string }

// newColdWorld fills db with n accounts (see coldFill) and returns the
// world over it. The Service reads the real clock (Config.Now nil), as in
// production; so does the baseline.
func newColdWorld(tb testing.TB, db *sqlx.DB, n int) *coldWorld {
	tb.Helper()
	ctx := context.Background()
	require.NoError(tb, sqlstore.Migrate(ctx, db))
	store, err := sqlstore.New(db)
	require.NoError(tb, err)
	svc := licensing.New(store, &licensing.Config{Features: coldCatalog})
	stats, err := coldFill(ctx, db, store, svc, n, time.Now().UTC().Truncate(time.Microsecond))
	require.NoError(tb, err)
	tb.Logf("%s: %v", db.DriverName(), stats)

	features := []string{""}
	for _, f := range coldCatalog {
		features = append(features, f.Key)
	}
	r := rand.New(rand.NewPCG(3, 4))
	asks := make([]coldAsk, n)
	for i, a := range r.Perm(n) {
		asks[i] = coldAsk{coldAccount(a), features[i%len(features)]}
	}
	return &coldWorld{svc: svc, gate: svc.Gate(), hand: newHandGate(db, time.Now), asks: asks}
}

// ask returns the i-th check.
func (w *coldWorld) ask(i int) coldAsk { return w.asks[i%len(w.asks)] }

// gateCheck is the cold check: the gate forgets the account, then checks.
func (w *coldWorld) gateCheck(ctx context.Context, a coldAsk) (licensing.Decision, error) {
	w.gate.Forget(coldPlatform, a.account)
	return w.gate.Check(ctx, coldPlatform, a.account, a.feature)
}

func (w *coldWorld) handCheck(ctx context.Context, a coldAsk) (licensing.Decision, error) {
	return w.hand.check(ctx, coldPlatform, a.account, a.feature)
}

// same requires both ways to decide the same for every check of the
// benchmark, for every feature of 200 accounts, and for accounts that do
// not exist; it logs how the decisions fall.
func (w *coldWorld) same(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	asks := append([]coldAsk(nil), w.asks...)
	for i := range min(200, len(w.asks)) {
		asks = append(asks, coldAsk{coldAccount(i), ""})
		for _, f := range coldCatalog {
			asks = append(asks, coldAsk{coldAccount(i), f.Key})
		}
	}
	asks = append(asks, coldAsk{"no-such-account", ""}, coldAsk{"no-such-account", "live_chat"})
	count := map[string]int{}
	for _, a := range asks {
		got, err := w.gateCheck(ctx, a)
		require.NoError(tb, err)
		want, err := w.handCheck(ctx, a)
		require.NoError(tb, err)
		require.Equal(tb, want, got, "account %s, feature %q", a.account, a.feature)
		if got.Allowed {
			count["allowed"]++
		} else {
			count[string(got.Reason)]++
		}
	}
	var parts []string
	for k, v := range count {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	tb.Logf("both decide the same for %d checks: %s", len(asks), strings.Join(parts, ", "))
}

func benchColdPair(b *testing.B, w *coldWorld) {
	ctx := context.Background()
	run := func(check func(context.Context, coldAsk) (licensing.Decision, error)) func(*testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := check(ctx, w.ask(i)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		}
	}
	b.Run("gate", run(w.gateCheck))
	b.Run("handwritten", run(w.handCheck))
	b.Run("ratio", func(b *testing.B) {
		var ours, theirs time.Duration
		n := 0
		for b.Loop() {
			a := w.ask(n)
			// Alternate which goes first, so that neither always finds
			// the account's pages just read by the other.
			if n%2 == 0 {
				ours += coldTimed(b, ctx, a, w.gateCheck)
				theirs += coldTimed(b, ctx, a, w.handCheck)
			} else {
				theirs += coldTimed(b, ctx, a, w.handCheck)
				ours += coldTimed(b, ctx, a, w.gateCheck)
			}
			n++
		}
		b.ReportMetric(float64(ours)/float64(theirs), "x")
		b.ReportMetric(float64(ours.Nanoseconds())/float64(n), "gate-ns/op")
		b.ReportMetric(float64(theirs.Nanoseconds())/float64(n), "handwritten-ns/op")
	})
}

func coldTimed(b *testing.B, ctx context.Context, a coldAsk, check func(context.Context, coldAsk) (licensing.Decision, error)) time.Duration {
	start := time.Now()
	if _, err := check(ctx, a); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// TestGateColdBaselineAgrees keeps the benchmark's baseline honest on a
// small data set (500 accounts of the same mix): the hand-written query
// decides as the gate does for every check the benchmark makes.
func TestGateColdBaselineAgrees(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		newColdWorld(t, db, 500).same(t)
	})
}
