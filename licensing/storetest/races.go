package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/licensing"
)

// rounds is how many times each license race is run, each on a new
// account.
const rounds = 3

// blockers stores, for account x, one license in each status that does not
// block an Active one.
func (e *env) blockers(x string) []licensing.License {
	e.t.Helper()
	var out []licensing.License
	for _, s := range []licensing.Status{licensing.Inactive, licensing.Expired, licensing.Revoked} {
		out = append(out, e.license(x, func(l *licensing.License) { l.Status = s }))
	}
	return out
}

// racer is one contender for account x's Active license: the change it
// writes, the license as it was before (Insert: none) and its event.
type racer struct {
	change licensing.LicenseChange
	before *licensing.License
	ev     audit.Event
}

// assignRacer returns a contender that assigns a new unassigned Active
// license to x.
func (e *env) assignRacer(x string, i int) racer {
	e.t.Helper()
	free := e.license("")
	l := free
	l.AccountID, l.Version = x, free.Version+1
	l.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
	return racer{updateChange(l, licensing.Assigned), &free, e.licenseEvent("license.assign", l)}
}

// insertRacer returns a contender that inserts an Active license for x.
func (e *env) insertRacer(x string) racer {
	l := e.newLicense(x)
	return racer{insertChange(l), nil, e.licenseEvent("license.issue", l)}
}

// reactivateRacer returns a contender that reactivates x's Inactive
// license.
func (e *env) reactivateRacer(x string, i int) racer {
	e.t.Helper()
	old := e.license(x, func(l *licensing.License) { l.Status = licensing.Inactive })
	l := old
	l.Status, l.Version = licensing.Active, old.Version+1
	l.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
	return racer{updateChange(l, licensing.Reactivated), &old, e.licenseEvent("license.reactivate", l)}
}

// raceActive runs the contenders for account x together: exactly one
// wins, the others are ErrConflict and wrote nothing; x ends with exactly
// the winner Active.
func (e *env) raceActive(x string, racers []racer) {
	t := e.t
	t.Helper()
	hist := make([][]licensing.HistoryEntry, len(racers))
	for i, r := range racers {
		if r.before != nil {
			hist[i] = e.history(r.before.ID)
		}
	}
	errs := conformance.Race(len(racers), func(i int) error {
		return e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{racers[i].change}, racers[i].ev)
	})
	winner := conformance.OneWinner(t, errs, licensing.ErrConflict)

	for i, r := range racers {
		id := r.change.License.ID
		if i == winner {
			e.requireStored(r.change.License)
			e.requireHistory(id, append(slices.Clone(hist[i]), r.change.History...)...)
			e.requireEvent(r.ev)
			continue
		}
		if r.before == nil {
			e.requireNoLicense(id)
			e.requireNoHistory(e.pid, id)
		} else {
			e.requireStored(*r.before)
			e.requireHistory(id, hist[i]...)
		}
		e.requireNoEvent(r.ev)
	}
	w := racers[winner].change.License
	requireLicenses(t, []licensing.License{w}, e.list(licensing.LicenseQuery{AccountID: x, Status: licensing.Active}))
	got, err := e.s.AccountLicense(e.ctx, e.pid, x)
	require.NoError(t, err)
	requireLicense(t, w, got)
}

func testRaceAssignActive(t *testing.T, h Harness, n int) {
	e := setup(t, h)
	for range rounds {
		x := newID()
		e.blockers(x)
		racers := make([]racer, n)
		for i := range racers {
			racers[i] = e.assignRacer(x, i)
		}
		e.raceActive(x, racers)
	}
}

func testRaceInsertActive(t *testing.T, h Harness, n int) {
	e := setup(t, h)
	for range rounds {
		x := newID()
		e.blockers(x)
		racers := make([]racer, n)
		for i := range racers {
			racers[i] = e.insertRacer(x)
		}
		e.raceActive(x, racers)
	}
}

// testRaceAssignActive2 races two updates assigning unassigned Active
// licenses to one account.
func testRaceAssignActive2(t *testing.T, h Harness) { testRaceAssignActive(t, h, 2) }

// testRaceAssignActive16 races sixteen.
func testRaceAssignActive16(t *testing.T, h Harness) { testRaceAssignActive(t, h, 16) }

// testRaceInsertActive2 races two inserts of Active licenses for one
// account.
func testRaceInsertActive2(t *testing.T, h Harness) { testRaceInsertActive(t, h, 2) }

// testRaceInsertActive16 races sixteen.
func testRaceInsertActive16(t *testing.T, h Harness) { testRaceInsertActive(t, h, 16) }

// testRaceActiveMixed16 races inserts, assignments and reactivations for
// one account.
func testRaceActiveMixed16(t *testing.T, h Harness) {
	e := setup(t, h)
	for range rounds {
		x := newID()
		e.blockers(x)
		racers := make([]racer, 16)
		for i := range racers {
			switch i % 3 {
			case 0:
				racers[i] = e.insertRacer(x)
			case 1:
				racers[i] = e.assignRacer(x, i)
			default:
				racers[i] = e.reactivateRacer(x, i)
			}
		}
		e.raceActive(x, racers)
	}
}

// testRaceUpdateLicense races updates of one license from the same
// version: one wins, the others are ErrStale and wrote nothing.
func testRaceUpdateLicense(t *testing.T, h Harness) {
	e := setup(t, h)
	l := e.license(newID())
	hist := e.history(l.ID)
	const n = 16
	changes := make([]licensing.LicenseChange, n)
	events := make([]audit.Event, n)
	for i := range changes {
		u := l
		u.Version = l.Version + 1
		u.EndsAt = l.EndsAt.Add(time.Duration(i+1) * day)
		u.UpdatedAt = at(time.Hour + time.Duration(i)*time.Microsecond)
		changes[i] = updateChange(u, licensing.Renewed)
		events[i] = e.licenseEvent("license.renew", u)
	}
	errs := conformance.Race(n, func(i int) error {
		return e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{changes[i]}, events[i])
	})
	winner := conformance.OneWinner(t, errs, licensing.ErrStale)
	e.requireStored(changes[winner].License)
	e.requireHistory(l.ID, append(hist, changes[winner].History...)...)
	e.events().RequireOnly(winner, events...)
}

// testRaceDebits races 100 debits of 1 against a balance of 50: exactly
// 50 apply, each leaving a different balance, the others are
// ErrInsufficientCredits and wrote nothing.
func testRaceDebits(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	grant := e.apply(e.credit(x, licensing.CreditSMS, 50), 50)
	const n = 100
	debits := make([]licensing.CreditEntry, n)
	events := make([]audit.Event, n)
	for i := range debits {
		debits[i] = e.credit(x, licensing.CreditSMS, -1)
		if i%2 == 0 {
			debits[i].IdempotencyKey = fmt.Sprintf("debit-%03d-%s", i, newID())
		}
		events[i] = e.creditEvent(debits[i])
	}
	results := make([]licensing.CreditEntry, n)
	applied := make([]bool, n)
	errs := conformance.Race(n, func(i int) error {
		var err error
		results[i], applied[i], err = e.s.ApplyCredit(e.ctx, debits[i], events[i])
		return err
	})

	var won []licensing.CreditEntry
	var balances []int64
	for i, err := range errs {
		if err != nil {
			require.ErrorIs(t, err, licensing.ErrInsufficientCredits, "debit %d", i)
			e.requireNoEvent(events[i])
			continue
		}
		require.True(t, applied[i], "debit %d applied", i)
		want := debits[i]
		want.Balance = results[i].Balance
		requireCredit(t, want, results[i])
		won = append(won, results[i])
		balances = append(balances, results[i].Balance)
		e.requireEvent(events[i])
	}
	require.Len(t, won, 50, "debits applied")
	slices.Sort(balances)
	for i, b := range balances {
		require.Equal(t, int64(i), b, "each debit leaves its own balance")
	}
	require.Equal(t, int64(0), e.balances(x)[licensing.CreditSMS])

	stored := e.creditHistory(licensing.CreditQuery{AccountID: x})
	require.Len(t, stored, 51, "the grant and 50 debits")
	wonIDs := creditIDs(won)
	slices.Sort(wonIDs)
	var storedDebits []string
	for _, c := range stored {
		if c.ID == grant.ID {
			requireCredit(t, grant, c)
			continue
		}
		require.Equal(t, int64(-1), c.Delta)
		storedDebits = append(storedDebits, c.ID)
	}
	slices.Sort(storedDebits)
	require.Equal(t, wonIDs, storedDebits, "stored debits are the applied ones")
}

// testRaceIdempotencyKey races 20 calls with one idempotency key: one
// applies, every call returns its entry, and the balance moves once.
func testRaceIdempotencyKey(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	grant := e.apply(e.credit(x, licensing.CreditSMS, 100), 100)
	key := "retry-" + newID()
	const n = 20
	calls := make([]licensing.CreditEntry, n)
	events := make([]audit.Event, n)
	for i := range calls {
		calls[i] = e.credit(x, licensing.CreditSMS, -7)
		calls[i].IdempotencyKey = key
		events[i] = e.creditEvent(calls[i])
	}
	results := make([]licensing.CreditEntry, n)
	applied := make([]bool, n)
	errs := conformance.Race(n, func(i int) error {
		var err error
		results[i], applied[i], err = e.s.ApplyCredit(e.ctx, calls[i], events[i])
		return err
	})
	winner := -1
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
		if applied[i] {
			require.Equal(t, -1, winner, "more than one call applied (%d and %d)", winner, i)
			winner = i
		}
	}
	require.NotEqual(t, -1, winner, "no call applied")
	want := calls[winner]
	want.Balance = 93
	for i := range results {
		requireCredit(t, want, results[i])
	}
	e.events().RequireOnly(winner, events...)
	require.Equal(t, map[string]int64{licensing.CreditSMS: 93}, e.balances(x))
	e.requireCreditHistory(x, "", want, grant)
}
