package bench

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// The accounts page: an operator searches among the accounts tagged
// "retail" (locked ones left out, as by default), A to Z, 50 a page, with
// each row's figures. Over the full data set (100,000 accounts) the search
// is "harbor", which matches a few hundred names; over the small one
// (2,000 accounts) it is "ar", so that there is still a second page.
const (
	pageTag      = "retail"
	pageSize     = 50
	pageSmallTag = "smb"
)

// pageSearch is the page's search text for the data set in use.
func pageSearch() string {
	if *full {
		return "harbor"
	}
	return "ar"
}

// BenchmarkAccountsPage times Service.ListAccounts (WithFigures) beside the
// hand-written queries of handPage for the same page, the first page and
// the second (after the first's cursor), on SQLite and on PostgreSQL, in
// one loop that alternates them (see ratio). Target: x-baseline at most 2,
// and a constant number of statements per page, reported as
// tenantry-stmts/op and baseline-stmts/op (counted by internal/dbtest's
// counting driver, which the kept database is opened through).
//
// The data sets are generated on the first run and kept (see
// pageBenchSQLite, pageBenchPostgres).
func BenchmarkAccountsPage(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(*testing.B) (*sqlx.DB, *dbtest.Counter)
	}{{"sqlite", pageBenchSQLite}, {"postgres", pageBenchPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			db, n := d.open(b)
			for _, p := range newPagePairs(b, db) {
				b.Run(p.name, func(b *testing.B) { benchPagePair(b, p, n) })
			}
		})
	}
}

// pagePair is one page read both ways.
type pagePair struct {
	name     string
	tenantry func(context.Context) error
	hand     func(context.Context) error
}

// newPagePairs checks once that both ways return the same first and second
// pages, and returns them as pairs to time.
func newPagePairs(b *testing.B, db *sqlx.DB) []pagePair {
	s, err := sqlstore.New(db)
	require.NoError(b, err)
	svc, hand := tenancy.New(s, nil), newHandPage(db)
	b.Logf("%s: %q matches %d accounts; with tag %q, not locked: %d", db.DriverName(), pageSearch(),
		pageCount(b, db, false), pageTag, pageCount(b, db, true))

	p1 := pageParams()
	q1 := handQuery{platformID: pagePlatformID, tag: pageTag, search: pageSearch(), limit: pageSize}
	h1 := pageSame(b, svc, hand, p1, q1)
	p2, q2 := p1, q1
	p2.After, q2.after = pageNext(b, svc, p1), h1.next
	pageSame(b, svc, hand, p2, q2)

	pair := func(name string, p tenancy.ListAccountsParams, q handQuery) pagePair {
		return pagePair{name: name,
			tenantry: func(ctx context.Context) error { _, err := svc.ListAccounts(ctx, p); return err },
			hand:     func(ctx context.Context) error { _, err := hand.page(ctx, q); return err },
		}
	}
	return []pagePair{pair("page1", p1, q1), pair("page2", p2, q2)}
}

func pageParams() tenancy.ListAccountsParams {
	return tenancy.ListAccountsParams{PlatformID: pagePlatformID, Search: pageSearch(), Tag: pageTag,
		Sort: tenancy.SortName, Limit: pageSize, WithFigures: true}
}

// pageSame reads a page both ways, requires a full page with the same
// accounts (same IDs in the same order, same fields and tags) and figures,
// and returns the hand-written one.
func pageSame(b testing.TB, svc *tenancy.Service, hand handPage, p tenancy.ListAccountsParams, q handQuery) handResult {
	ctx := context.Background()
	got, err := svc.ListAccounts(ctx, p)
	require.NoError(b, err)
	want, err := hand.page(ctx, q)
	require.NoError(b, err)
	require.Equal(b, pageIDs(want.accounts), pageIDs(got.Accounts), "the same accounts in the same order")
	require.Equal(b, want.accounts, got.Accounts)
	require.Equal(b, want.figures, got.Figures)
	require.Equal(b, want.next != nil, got.Next != "", "both see a next page, or neither")
	return want
}

func pageNext(b testing.TB, svc *tenancy.Service, p tenancy.ListAccountsParams) string {
	page, err := svc.ListAccounts(context.Background(), p)
	require.NoError(b, err)
	require.Len(b, page.Accounts, p.Limit, "the first page is full")
	require.NotEmpty(b, page.Next, "there is a second page")
	return page.Next
}

func pageIDs(accs []tenancy.Account) []string {
	out := make([]string, len(accs))
	for i, a := range accs {
		out[i] = a.ID
	}
	return out
}

// pageCount counts the accounts the search matches, or with filtered, those
// the page's filters keep.
func pageCount(b testing.TB, db *sqlx.DB, filtered bool) int {
	q := `SELECT count(*) FROM tenantry_accounts a WHERE a.platform_id = ?
		AND (a.name_key LIKE ? OR lower(a.email) LIKE ? OR lower(a.nickname) LIKE ? OR lower(a.uid) LIKE ?)`
	pattern := "%" + pageSearch() + "%"
	args := []any{pagePlatformID, pattern, pattern, pattern, pattern}
	if filtered {
		q += ` AND a.locked = FALSE AND EXISTS (SELECT 1 FROM tenantry_account_tags t
			WHERE t.platform_id = a.platform_id AND t.account_id = a.id AND t.tag = ?)`
		args = append(args, pageTag)
	}
	var n int
	require.NoError(b, db.Get(&n, db.Rebind(q), args...))
	return n
}

// benchPagePair times both ways in one loop, and counts the statements of
// one page each way.
func benchPagePair(b *testing.B, p pagePair, n *dbtest.Counter) {
	ctx := context.Background()
	statements := func(read func(context.Context) error) int64 {
		n.Reset()
		require.NoError(b, read(ctx))
		return n.Count()
	}
	ours, theirs := statements(p.tenantry), statements(p.hand)
	b.ReportAllocs()
	ratio(b, func() error { return p.tenantry(ctx) }, func() error { return p.hand(ctx) })
	b.ReportMetric(float64(ours), "tenantry-stmts/op")
	b.ReportMetric(float64(theirs), "baseline-stmts/op")
}

// TestAccountsPage checks, on a small generated data set (2,000 accounts
// of 10 users), that the accounts page with its figures runs the same
// number of statements for 10, 50 and 200 rows, and that the benchmark's
// hand-written baseline returns what the Service does.
func TestAccountsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *sqlx.DB, n *dbtest.Counter) {
		ctx := context.Background()
		spec := pageGenSpec{Accounts: 2_000, Members: 10}
		require.NoError(t, sqlstore.Migrate(ctx, db))
		stats, err := pageGenerate(ctx, db, spec)
		require.NoError(t, err)
		t.Logf("%s: generated %v", db.DriverName(), stats)
		s, err := sqlstore.New(db)
		require.NoError(t, err)
		svc := tenancy.New(s, nil)
		t.Run("Statements", func(t *testing.T) { testPageStatements(t, svc, n, spec) })
		t.Run("Handwritten", func(t *testing.T) { testPageHandwritten(t, svc, newHandPage(db)) })
	})
}

func testPageStatements(t *testing.T, svc *tenancy.Service, n *dbtest.Counter, spec pageGenSpec) {
	counts := map[int]int64{}
	for _, limit := range []int{10, 50, 200} {
		p := tenancy.ListAccountsParams{PlatformID: pagePlatformID, Tag: pageSmallTag, Search: "e",
			Sort: tenancy.SortName, Limit: limit, WithFigures: true}
		n.Reset()
		page, err := svc.ListAccounts(context.Background(), p)
		counts[limit] = n.Count()
		require.NoError(t, err)
		require.Len(t, page.Accounts, limit)
		require.Len(t, page.Figures, limit)
		for _, a := range page.Accounts {
			require.Contains(t, a.Tags, pageSmallTag)
			require.EqualValues(t, spec.Members, page.Figures[a.ID].Users)
		}
	}
	t.Logf("statements for a page of 10, 50, 200 accounts with figures: %d, %d, %d", counts[10], counts[50], counts[200])
	require.Equal(t, counts[10], counts[50])
	require.Equal(t, counts[10], counts[200])
	require.LessOrEqual(t, counts[10], int64(3), "accounts, tags, figures")
}

// testPageHandwritten checks the benchmark's baseline against the Service,
// page after page to the last.
func testPageHandwritten(t *testing.T, svc *tenancy.Service, hand handPage) {
	p := tenancy.ListAccountsParams{PlatformID: pagePlatformID, Tag: pageSmallTag, Search: "an",
		Sort: tenancy.SortName, Limit: 25, WithFigures: true}
	q := handQuery{platformID: pagePlatformID, tag: pageSmallTag, search: "an", limit: 25}
	pages := 1
	for want := pageSame(t, svc, hand, p, q); want.next != nil; want = pageSame(t, svc, hand, p, q) {
		p.After, q.after = pageNext(t, svc, p), want.next
		pages++
	}
	require.GreaterOrEqual(t, pages, 3)
}
