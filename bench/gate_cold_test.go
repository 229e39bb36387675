package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// gateAccounts is the number of accounts of the licensing data set (see
// coldFill): 100,000 with -full, 1,000 otherwise.
func gateAccounts() int { return size(1_000, 100_000) }

// BenchmarkGateCold times the gate's cold check, the one that must read the
// store (GateFacts, one statement) because the gate does not hold the
// account, beside handGate, the same decision made from one hand-written
// sqlx query, on SQLite and on PostgreSQL, in one loop that alternates
// them (see ratio). Target: x-baseline at most 1.5.
//
// Each iteration asks about the next account (in a shuffled order) and the
// next feature of the catalog, or "" (served at all?). Before timing,
// every one of those checks is made both ways and must decide the same.
func BenchmarkGateCold(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			w := newColdWorld(b, d.open(b), gateAccounts())
			w.same(b)
			ctx := context.Background()
			i, j := 0, 0
			b.ReportAllocs()
			ratio(b, func() error {
				_, err := w.gateCheck(ctx, w.ask(i))
				i++
				return err
			}, func() error {
				_, err := w.handCheck(ctx, w.ask(j))
				j++
				return err
			})
		})
	}
}

// coldWorld is a filled database with its Service and baseline, and the
// checks to make, in order.
type coldWorld struct {
	db    *sqlx.DB
	store *sqlstore.Store
	svc   *licensing.Service
	gate  *licensing.Gate
	hand  handGate
	asks  []coldAsk
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
	return &coldWorld{db: db, store: store, svc: svc, gate: svc.Gate(), hand: newHandGate(db, time.Now), asks: asks}
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

// TestGateColdBaselineAgrees keeps the benchmark's baseline honest on a
// small data set (500 accounts of the same mix): the hand-written query
// decides as the gate does for every check the benchmark makes.
func TestGateColdBaselineAgrees(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { newColdWorld(t, d.open(t), 500).same(t) })
	}
}
