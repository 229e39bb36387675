package main

import (
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// scaleAccounts is how many accounts the scale checks generate beside the
// demo: 2,000 by default, $OWNERPORTAL_SCALE_ACCOUNTS (100000 for the full
// check) when set.
func scaleAccounts(tb testing.TB) int {
	if v := os.Getenv("OWNERPORTAL_SCALE_ACCOUNTS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(tb, err)
		return n
	}
	return 2_000
}

// scalePaths are the accounts pages the scale checks ask for: the default
// list, by name, a search, a tag filter with locked accounts, and an
// operator's "my accounts".
var scalePaths = []string{"/accounts", "/accounts?sort=name", "/accounts?q=harbor", "/accounts?tag=vip&locked=1", "/accounts?mine=1"}

// TestGenerateAccounts: the -accounts generator adds the accounts asked
// for, again without failing, and every accounts page still answers with
// a full page.
func TestGenerateAccounts(t *testing.T) {
	p := newPortal(t)
	n := scaleAccounts(t)
	st, err := generateAccounts(t.Context(), p.db, demoPlatformID, n, p.now)
	require.NoError(t, err)
	require.Equal(t, n, st.accounts)
	t.Logf("generated %d accounts in %v", st.accounts, st.took.Round(time.Millisecond))
	again, err := generateAccounts(t.Context(), p.db, demoPlatformID, min(n, 100), p.now)
	require.NoError(t, err, "generating again adds nothing and fails nothing")
	require.Equal(t, min(n, 100), again.accounts)
	for _, path := range scalePaths {
		status, body := p.get(t, path)
		require.Equal(t, http.StatusOK, status, path)
		if path == "/accounts" {
			require.Len(t, rows(body), defaultPageSize)
		}
	}
}

// BenchmarkAccountsPageAtScale times each accounts page over the demo and
// the generated accounts on SQLite, the owner logged in, through the whole
// handler (session, rendering, license badges). The target is under
// 100 ms a page over 100,000 accounts:
//
//	OWNERPORTAL_SCALE_ACCOUNTS=100000 go test -run '^$' -bench AccountsPageAtScale ./examples/ownerportal/
func BenchmarkAccountsPageAtScale(b *testing.B) {
	p := newPortal(b)
	n := scaleAccounts(b)
	_, err := generateAccounts(b.Context(), p.db, demoPlatformID, n, p.now)
	require.NoError(b, err)
	for _, path := range scalePaths {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if status, _ := p.get(b, path); status != http.StatusOK {
					b.Fatalf("%s: status %d", path, status)
				}
			}
			b.ReportMetric(float64(n+len(demoAccounts)), "accounts")
		})
	}
}
