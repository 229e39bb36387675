// Package proptest holds what the property tests (files named
// *_property_test.go, driven by pgregory.net/rapid) share: the databases
// they run on, a budget of runs for the slow ones, a bounded step count,
// and the check that an operation succeeded or failed as a model said.
package proptest

import (
	"errors"
	"flag"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"pgregory.net/rapid"

	"github.com/tenantry/tenantry/internal/testdb"
)

// DSNEnv names the PostgreSQL data source the SQL runs also use when set.
const DSNEnv = "TENANTRY_POSTGRES_DSN"

// EachSQL runs fn as one subtest per SQL database: a fresh SQLite one
// always, and a fresh PostgreSQL one when TENANTRY_POSTGRES_DSN is set.
// The memstores cover the many runs; the SQL stores get fewer, slower ones.
func EachSQL(t *testing.T, fn func(t *testing.T, db *sqlx.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, testdb.SQLite(t)) })
	if os.Getenv(DSNEnv) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, testdb.Postgres(t)) })
	}
}

// Checks is rapid's number of checks (-rapid.checks, 100 by default).
func Checks() int {
	if f := flag.Lookup("rapid.checks"); f != nil {
		if n, err := strconv.Atoi(f.Value.String()); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

// Check is rapid.Check run at most runs times with prop (for properties
// over a SQL database, too slow for rapid's full count): later checks
// pass at once without drawing. Once a run fails, every run executes
// again, so that rapid shrinks the failure as usual.
func Check(t *testing.T, runs int, prop func(*rapid.T)) {
	t.Helper()
	runs = max(runs, 1)
	var mu sync.Mutex
	n, failed := 0, false
	rapid.Check(t, func(rt *rapid.T) {
		mu.Lock()
		skip := !failed && n >= runs
		n++
		mu.Unlock()
		if skip {
			return
		}
		defer func() {
			if r := recover(); r != nil {
				mu.Lock()
				failed = true
				mu.Unlock()
				panic(r)
			}
		}()
		prop(rt)
	})
}

// SQLRuns is how many runs a SQL property makes: a tenth of rapid's
// checks, at least 3.
func SQLRuns() int { return max(Checks()/10, 3) }

// Steps draws how many operations one run makes: 1 to max (a bounded
// number, so a run's cost is bounded whatever -rapid.steps says).
func Steps(t *rapid.T, max int) int {
	if testing.Short() && max > 4 {
		max /= 2
	}
	return rapid.IntRange(1, max).Draw(t, "steps")
}

// TB is what Expect needs of a test.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Refused is what a model predicts when any error will do.
var Refused = errors.New("any refusal")

// Expect fails t unless err is what the model predicted: nil when want is
// nil, any error when want is Refused, or else an error matching want
// (errors.Is).
func Expect(t TB, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: the model expected success, got %v", what, err)
	case want != nil && err == nil:
		t.Fatalf("%s: the model expected a refusal (%v), got success", what, want)
	case want != nil && want != Refused && !errors.Is(err, want):
		t.Fatalf("%s: the model expected %v, got %v", what, want, err)
	}
}
