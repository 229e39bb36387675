package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// listAccounts returns one page of q on e's platform (SortNewest and
// listAll unless q says otherwise).
func (e *env) listAccounts(q tenancy.AccountQuery) []tenancy.Account {
	e.t.Helper()
	q.PlatformID = e.pid
	if q.Sort == "" {
		q.Sort = tenancy.SortNewest
	}
	if q.Limit == 0 {
		q.Limit = listAll
	}
	got, err := e.s.ListAccounts(e.ctx, q)
	require.NoError(e.t, err)
	require.LessOrEqual(e.t, len(got), q.Limit, "page longer than the limit")
	return got
}

// walkAccounts lists every page of q with page size n, following cursors
// built from the last account of each page (see accountCursor).
func (e *env) walkAccounts(q tenancy.AccountQuery, n int) []tenancy.Account {
	e.t.Helper()
	q.Limit = n
	var got []tenancy.Account
	for pages := 0; ; pages++ {
		require.Less(e.t, pages, 200, "too many pages")
		page := e.listAccounts(q)
		got = append(got, page...)
		if len(page) < n {
			return got
		}
		q.After = accountCursor(q.Sort, page[len(page)-1])
	}
}

// accountCursor returns the keyset position of a in the sort order, as
// tenancy.Service builds it: the sort key (lower(Name) under SortName,
// CreatedAt under SortNewest) and the ID, the other key left zero.
func accountCursor(sort tenancy.AccountSort, a tenancy.Account) *tenancy.AccountCursor {
	if sort == tenancy.SortName {
		return &tenancy.AccountCursor{Name: strings.ToLower(a.Name), ID: a.ID}
	}
	return &tenancy.AccountCursor{CreatedAt: a.CreatedAt, ID: a.ID}
}

// accountMatches is the reference semantics of an AccountQuery filter.
func accountMatches(q tenancy.AccountQuery, a tenancy.Account) bool {
	switch {
	case q.Status != "" && a.Status != q.Status,
		!q.IncludeLocked && a.Locked,
		q.Test == tenancy.TestAccounts && !a.IsTest(),
		q.Test == tenancy.TestRunning && (!a.IsTest() || a.TestExpired(q.Now)),
		q.Test == tenancy.TestExpired && !a.TestExpired(q.Now),
		q.OnlyInSetup && !a.InSetup(),
		q.OnlyTemplates && !a.Template,
		q.Tag != "" && !a.HasTag(q.Tag),
		q.Plan != "" && a.Plan != q.Plan:
		return false
	}
	if q.Search != "" {
		s := strings.ToLower(q.Search)
		return slices.ContainsFunc([]string{a.Name, a.Email, a.Nickname, a.UID}, func(f string) bool {
			return strings.Contains(strings.ToLower(f), s)
		})
	}
	return true
}

// sortAccounts returns accounts in the order ListAccounts returns them.
func sortAccounts(accounts []tenancy.Account, sort tenancy.AccountSort) []tenancy.Account {
	out := slices.Clone(accounts)
	slices.SortFunc(out, func(a, b tenancy.Account) int {
		if sort == tenancy.SortName {
			if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		}
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// accountFixture stores 24 accounts on e's platform covering every filter
// of AccountQuery, three per creation instant, and returns them.
func accountFixture(t *testing.T, e *env) []tenancy.Account {
	t.Helper()
	var accounts []tenancy.Account
	for i := range 24 {
		a, _ := e.account(func(a *tenancy.Account) {
			a.CreatedAt = at(time.Duration(i/3)*time.Minute + 5*time.Microsecond)
			a.UpdatedAt = a.CreatedAt
			a.Name = fmt.Sprintf("Account %02d", i)
			if i%4 == 3 {
				a.Status = tenancy.AccountDisabled
			}
			a.Locked = i%5 == 2
			if i%3 != 0 {
				a.TestExpiresAt = time.Time{}
			}
			a.Onboarding.Complete = i%2 == 0
			a.Template = i%6 == 1
			a.Secure = i%7 == 0
			a.Tags = [][]string{{"gold", "beta"}, {"silver"}, nil, {"gold"}}[i%4]
			a.Plan = []string{"basic", "pro", ""}[(i/2)%3]
			switch i {
			case 1:
				a.Name = "100% Pure Water"
			case 2:
				a.Name = "1000 Pure Water"
			case 4:
				a.Name = "under_score Ltd"
			case 5:
				a.Name = "underXscore Ltd"
			case 7:
				a.Name = `Back\slash Inc`
			case 8:
				a.Name = "Backslash Inc"
			case 10:
				a.Name = "MiXeD CaSe Bakery"
			case 11:
				a.Email = "orders@ultra-bakery.test"
			case 13:
				a.Nickname = "blue-fox-13"
			case 14:
				a.UID = "QZ7RARE" + a.UID[7:]
			}
		})
		accounts = append(accounts, a)
	}
	return accounts
}

func testAccountListFilters(t *testing.T, h Harness) {
	e := setup(t, h)
	accounts := accountFixture(t, e)
	cases := []struct {
		name  string
		q     tenancy.AccountQuery
		empty bool
	}{
		{name: "none leaves locked out", q: tenancy.AccountQuery{}},
		{name: "include locked", q: tenancy.AccountQuery{IncludeLocked: true}},
		{name: "active", q: tenancy.AccountQuery{Status: tenancy.AccountActive}},
		{name: "disabled with locked", q: tenancy.AccountQuery{Status: tenancy.AccountDisabled, IncludeLocked: true}},
		{name: "only test", q: tenancy.AccountQuery{Test: tenancy.TestAccounts}},
		{name: "only in setup", q: tenancy.AccountQuery{OnlyInSetup: true, IncludeLocked: true}},
		{name: "only templates", q: tenancy.AccountQuery{OnlyTemplates: true}},
		{name: "tag", q: tenancy.AccountQuery{Tag: "gold"}},
		{name: "tag with locked", q: tenancy.AccountQuery{Tag: "silver", IncludeLocked: true}},
		{name: "unknown tag", q: tenancy.AccountQuery{Tag: "platinum"}, empty: true},
		{name: "plan", q: tenancy.AccountQuery{Plan: "pro"}},
		{name: "unknown plan", q: tenancy.AccountQuery{Plan: "gratis"}, empty: true},
		{name: "search name case-insensitive", q: tenancy.AccountQuery{Search: "PURE water"}},
		{name: "search percent literal", q: tenancy.AccountQuery{Search: "%"}},
		{name: "search 0% literal", q: tenancy.AccountQuery{Search: "0%"}},
		{name: "search underscore literal", q: tenancy.AccountQuery{Search: "_"}},
		{name: "search r_s literal", q: tenancy.AccountQuery{Search: "r_s"}},
		{name: "search backslash literal", q: tenancy.AccountQuery{Search: `\`, IncludeLocked: true}},
		{name: "search k-backslash-s literal", q: tenancy.AccountQuery{Search: `k\s`, IncludeLocked: true}},
		{name: "search mixed case", q: tenancy.AccountQuery{Search: "mixed case"}},
		{name: "search email", q: tenancy.AccountQuery{Search: "ULTRA-BAK"}},
		{name: "search nickname", q: tenancy.AccountQuery{Search: "BLUE-fox"}},
		{name: "search UID", q: tenancy.AccountQuery{Search: "qz7rare"}},
		{name: "search many", q: tenancy.AccountQuery{Search: "account 1", IncludeLocked: true}},
		{name: "search no match", q: tenancy.AccountQuery{Search: "zz-nothing"}, empty: true},
		{name: "test in setup gold", q: tenancy.AccountQuery{Test: tenancy.TestAccounts, OnlyInSetup: true, Tag: "gold", IncludeLocked: true}},
		{name: "active templates on basic", q: tenancy.AccountQuery{Status: tenancy.AccountActive, OnlyTemplates: true, Plan: "basic", IncludeLocked: true}},
		{name: "everything", q: tenancy.AccountQuery{
			Status: tenancy.AccountDisabled, IncludeLocked: true, Test: tenancy.TestAccounts, OnlyInSetup: true,
			Tag: "gold", Plan: "pro", Search: "ACCOUNT",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := *e
			e.t = t
			q := tc.q
			q.PlatformID = e.pid
			q.Sort = tenancy.SortNewest
			var want []tenancy.Account
			for _, a := range accounts {
				if accountMatches(q, a) {
					want = append(want, a)
				}
			}
			if tc.empty {
				require.Empty(t, want, "fixture")
			} else {
				require.NotEmpty(t, want, "fixture")
			}
			want = sortAccounts(want, tenancy.SortNewest)
			got := e.walkAccounts(q, listAll)
			require.Equal(t, accountIDs(want), accountIDs(got))
			for i := range want {
				requireAccount(t, want[i], got[i])
			}
			require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, 3)), "pages of 3")
			q.Sort = tenancy.SortName
			require.ElementsMatch(t, accountIDs(want), accountIDs(e.walkAccounts(q, listAll)), "sorted by name")
		})
	}
}

// sortFixture stores 25 accounts whose creation instants tie by four and
// whose names tie by two once lowercased. Names are built so that every
// collation orders them like bytes.
func sortFixture(t *testing.T, e *env) []tenancy.Account {
	t.Helper()
	words := []string{"delta", "alpha", "echo", "bravo", "charlie"}
	cases := []func(string) string{strings.ToLower, strings.ToUpper, func(s string) string {
		return strings.ToUpper(s[:1]) + s[1:]
	}}
	var accounts []tenancy.Account
	for i := range 25 {
		a, _ := e.account(func(a *tenancy.Account) {
			a.CreatedAt = at(time.Duration(i/4)*time.Second + 7*time.Microsecond)
			a.UpdatedAt = a.CreatedAt
			// i and i+10 share a lowercased name in different cases.
			a.Name = fmt.Sprintf("%s %02d", cases[i%3](words[i%5]), (i/5)%2)
			a.Locked = i%6 == 5
			a.Tags = nil
			if i%2 == 0 {
				a.Tags = []string{"even"}
			}
		})
		accounts = append(accounts, a)
	}
	return accounts
}

func testAccountListSortNewest(t *testing.T, h Harness) {
	testAccountListSort(t, h, tenancy.SortNewest)
}

func testAccountListSortName(t *testing.T, h Harness) {
	testAccountListSort(t, h, tenancy.SortName)
}

func testAccountListSort(t *testing.T, h Harness, sort tenancy.AccountSort) {
	e := setup(t, h)
	accounts := sortFixture(t, e)
	want := sortAccounts(accounts, sort)
	q := tenancy.AccountQuery{PlatformID: e.pid, Sort: sort, IncludeLocked: true}
	for _, n := range []int{1, 2, 3, 4, 5, 24, 25, 26, listAll} {
		require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, n)), "page size %d", n)
	}

	first := e.listAccounts(tenancy.AccountQuery{Sort: sort, IncludeLocked: true, Limit: 6})
	require.Equal(t, accountIDs(want[:6]), accountIDs(first), "first page")

	// Filtered pages: unlocked accounts tagged "even".
	var even []tenancy.Account
	for _, a := range want {
		if !a.Locked && a.HasTag("even") {
			even = append(even, a)
		}
	}
	require.NotEmpty(t, even, "fixture")
	fq := tenancy.AccountQuery{PlatformID: e.pid, Sort: sort, Tag: "even"}
	for _, n := range []int{1, 2, 5} {
		require.Equal(t, accountIDs(even), accountIDs(e.walkAccounts(fq, n)), "filtered, page size %d", n)
	}

	// A cursor taken from a record, then the record changed or removed,
	// still splits the order where the cursor says.
	mid := want[12]
	after := accountCursor(sort, mid)
	_, err := e.s.DeleteAccount(e.ctx, tenancy.DeleteAccount{
		PlatformID: e.pid, AccountID: mid.ID, Now: at(time.Hour), Event: e.event("account.delete"),
	})
	require.NoError(t, err)
	rest := e.listAccounts(tenancy.AccountQuery{Sort: sort, IncludeLocked: true, After: after})
	require.Equal(t, accountIDs(want[13:]), accountIDs(rest), "after a deleted account's cursor")
}
