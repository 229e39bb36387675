package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

// testQListTestFilter: AccountQuery.Test keeps test accounts, those still
// running at Now, or those expired at Now (a trial ending exactly at Now
// has ended), with the other filters and pages.
func testQListTestFilter(t *testing.T, h Harness) {
	e := setup(t, h)
	now := at(30*24*time.Hour + 500*time.Microsecond)
	ends := []time.Duration{
		0, // a regular account
		-24 * time.Hour, -time.Microsecond, 0, time.Microsecond, time.Hour, 90 * 24 * time.Hour,
	}
	var accounts []tenancy.Account
	for i := range 21 {
		d := ends[i%len(ends)]
		a, _ := e.account(func(a *tenancy.Account) {
			a.CreatedAt = at(time.Duration(i/2)*time.Minute + 9*time.Microsecond)
			a.Tags = [][]string{{"gold"}, {"silver"}, nil}[i%3]
			a.Locked = i%8 == 5
			a.TestExpiresAt = time.Time{}
			if i%len(ends) != 0 {
				a.TestExpiresAt = now.Add(d)
			}
		})
		accounts = append(accounts, a)
	}
	// Sanity of the fixture's reading: ending at Now is expired.
	require.True(t, accounts[3].TestExpired(now))
	require.False(t, accounts[4].TestExpired(now))

	for _, q := range []tenancy.AccountQuery{
		{Test: tenancy.AnyAccount, IncludeLocked: true},
		{Test: tenancy.TestAccounts, IncludeLocked: true},
		{Test: tenancy.TestRunning, IncludeLocked: true},
		{Test: tenancy.TestExpired, IncludeLocked: true},
		{Test: tenancy.TestRunning},
		{Test: tenancy.TestExpired, Tag: "gold"},
		{Test: tenancy.TestRunning, Tag: "silver", Sort: tenancy.SortName, IncludeLocked: true},
	} {
		q.PlatformID, q.Now = e.pid, now
		if q.Sort == "" {
			q.Sort = tenancy.SortNewest
		}
		var want []tenancy.Account
		for _, a := range accounts {
			if accountMatches(q, a) {
				want = append(want, a)
			}
		}
		require.NotEmpty(t, want, "fixture")
		want = sortAccounts(want, q.Sort)
		require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, listAll)), "%+v", q)
		require.Equal(t, accountIDs(want), accountIDs(e.walkAccounts(q, 2)), "pages of 2, %+v", q)
	}

	// The same accounts, seen later: every trial has ended.
	later := tenancy.AccountQuery{Test: tenancy.TestRunning, IncludeLocked: true, Now: now.Add(91 * 24 * time.Hour)}
	require.Empty(t, e.listAccounts(later))
	later.Test = tenancy.TestExpired
	require.Len(t, e.listAccounts(later), 18)
	// And earlier: none has.
	earlier := tenancy.AccountQuery{Test: tenancy.TestExpired, IncludeLocked: true, Now: now.Add(-25 * time.Hour)}
	require.Empty(t, e.listAccounts(earlier))
}
