package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qDay returns midnight UTC of the suite's base day plus n days.
func qDay(n int) time.Time {
	return time.Date(base.Year(), base.Month(), base.Day()+n, 0, 0, 0, 0, time.UTC)
}

// qAdd adds n to the account's metric on day d.
func (e *env) qAdd(accountID, metric string, d int, n int64) {
	e.t.Helper()
	require.NoError(e.t, e.s.AddActivity(e.ctx, tenancy.AddActivity{
		PlatformID: e.pid, AccountID: accountID, Metric: metric, Day: qDay(d), N: n,
	}), "add %d %s on day %d", n, metric, d)
}

// qActivity returns the account's counts of metrics from day from to day
// to.
func (e *env) qActivity(accountID string, from, to int, metrics ...string) []tenancy.ActivityPoint {
	e.t.Helper()
	got, err := e.s.Activity(e.ctx, tenancy.ActivityQuery{
		PlatformID: e.pid, AccountID: accountID, Metrics: metrics, From: qDay(from), To: qDay(to),
	})
	require.NoError(e.t, err, "activity")
	for _, p := range got {
		conformance.RequireUTC(e.t, "activity day", p.Day)
	}
	return got
}

// qPoint is shorthand for an ActivityPoint.
func qPoint(metric string, d int, n int64) tenancy.ActivityPoint {
	return tenancy.ActivityPoint{Metric: metric, Day: qDay(d), N: n}
}

// qFigures returns the figures of ids by account, checking that each
// account comes back at most once.
func (e *env) qFigures(ids ...string) map[string]tenancy.Figures {
	e.t.Helper()
	fs, err := e.s.Figures(e.ctx, e.pid, ids)
	require.NoError(e.t, err, "figures")
	out := make(map[string]tenancy.Figures, len(fs))
	for _, f := range fs {
		_, dup := out[f.AccountID]
		require.False(e.t, dup, "figures of %s twice", f.AccountID)
		out[f.AccountID] = f
	}
	return out
}

// qRequireFigures checks an account's figures; an empty totals map and nil
// are the same.
func qRequireFigures(t *testing.T, figs map[string]tenancy.Figures, accountID string, users int64, totals map[string]int64) {
	t.Helper()
	f, ok := figs[accountID]
	require.True(t, ok, "figures of account %s must be returned", accountID)
	require.Equal(t, users, f.Users, "users of %s", accountID)
	if len(totals) == 0 {
		require.Empty(t, f.Totals, "totals of %s", accountID)
		return
	}
	require.Equal(t, totals, f.Totals, "totals of %s", accountID)
}

// qRequireNoFigures checks that an unknown account is left out or comes
// back with zero figures.
func qRequireNoFigures(t *testing.T, figs map[string]tenancy.Figures, accountID string) {
	t.Helper()
	f, ok := figs[accountID]
	if !ok {
		return
	}
	require.Zero(t, f.Users, "users of unknown account %s", accountID)
	require.Empty(t, f.Totals, "totals of unknown account %s", accountID)
}

// testQActivity: AddActivity sums per day and in the running total;
// Activity reads a range, both ends included, by metric then day, all
// metrics or some.
func testQActivity(t *testing.T, h Harness) {
	e := setup(t, h)
	acc := e.qAccount(nil)
	other := e.qAccount(nil)
	events := e.qEventCount()

	e.qAdd(acc.ID, "messages", 0, 5)
	e.qAdd(acc.ID, "messages", 0, 7) // same day: summed
	e.qAdd(acc.ID, "messages", 2, 1)
	e.qAdd(acc.ID, "messages", -1, 100) // the day before the range
	e.qAdd(acc.ID, "messages", 5, 50)   // the day after the range
	e.qAdd(acc.ID, "bookings", 1, 3)
	e.qAdd(acc.ID, "bookings", 4, 2)
	e.qAdd(acc.ID, "payments", 3, 9_000_000_000) // past 32 bits
	e.qAdd(acc.ID, "subscribers", -90, 40)       // three months back
	e.qAdd(other.ID, "messages", 0, 1000)
	require.Equal(t, events, e.qEventCount(), "activity is counted, not audited")

	all := []tenancy.ActivityPoint{
		qPoint("bookings", 1, 3), qPoint("bookings", 4, 2),
		qPoint("messages", 0, 12), qPoint("messages", 2, 1),
		qPoint("payments", 3, 9_000_000_000),
	}
	require.Equal(t, all, e.qActivity(acc.ID, 0, 4), "days 0 to 4 included, by metric then day")
	require.Equal(t, []tenancy.ActivityPoint{qPoint("messages", 0, 12), qPoint("messages", 2, 1)},
		e.qActivity(acc.ID, 0, 4, "messages"))
	require.Equal(t, []tenancy.ActivityPoint{qPoint("bookings", 4, 2), qPoint("payments", 3, 9_000_000_000)},
		e.qActivity(acc.ID, 3, 4, "payments", "bookings", "unknown"))
	require.Equal(t, []tenancy.ActivityPoint{qPoint("bookings", 4, 2)}, e.qActivity(acc.ID, 4, 4), "one day")
	require.Equal(t, []tenancy.ActivityPoint{
		qPoint("bookings", 1, 3), qPoint("bookings", 4, 2),
		qPoint("messages", -1, 100), qPoint("messages", 0, 12), qPoint("messages", 2, 1), qPoint("messages", 5, 50),
		qPoint("payments", 3, 9_000_000_000),
		qPoint("subscribers", -90, 40),
	}, e.qActivity(acc.ID, -92, 5), "three months back")
	require.Empty(t, e.qActivity(acc.ID, 6, 30), "no activity then")
	require.Empty(t, e.qActivity(acc.ID, 0, 4, "unknown"))
	require.Equal(t, []tenancy.ActivityPoint{qPoint("messages", 0, 1000)}, e.qActivity(other.ID, -100, 100))

	// The running totals count every day.
	figs := e.qFigures(acc.ID, other.ID)
	qRequireFigures(t, figs, acc.ID, 1, map[string]int64{
		"messages": 163, "bookings": 5, "payments": 9_000_000_000, "subscribers": 40,
	})
	qRequireFigures(t, figs, other.ID, 1, map[string]int64{"messages": 1000})

	// An account with no activity.
	quiet := e.qAccount(nil)
	require.Empty(t, e.qActivity(quiet.ID, -100, 100))
	qRequireFigures(t, e.qFigures(quiet.ID), quiet.ID, 1, nil)

	// An unknown account has none either.
	got, err := e.s.Activity(e.ctx, tenancy.ActivityQuery{PlatformID: e.pid, AccountID: newID(), From: qDay(-100), To: qDay(100)})
	if err != nil {
		require.ErrorIs(t, err, tenancy.ErrNotFound)
	} else {
		require.Empty(t, got)
	}
}

// testQRaceActivity: 32 goroutines add 10 times each to the same count at
// once; nothing is lost, per day nor in the total.
func testQRaceActivity(t *testing.T, h Harness) {
	e := setup(t, h)
	acc := e.qAccount(nil)
	const rounds = 10
	errs := conformance.Race(racers, func(i int) error {
		for r := range rounds {
			for _, metric := range []string{"messages", fmt.Sprintf("racer_%02d", i%4)} {
				err := e.s.AddActivity(e.ctx, tenancy.AddActivity{
					PlatformID: e.pid, AccountID: acc.ID, Metric: metric, Day: qDay(r % 2), N: int64(i + 1),
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	require.NoError(t, errors.Join(errs...))

	// Each racer adds i+1, five times per day.
	var sum int64
	perGroup := map[string]int64{}
	for i := range racers {
		sum += int64(i + 1)
		perGroup[fmt.Sprintf("racer_%02d", i%4)] += int64(i + 1)
	}
	want := []tenancy.ActivityPoint{qPoint("messages", 0, 5*sum), qPoint("messages", 1, 5*sum)}
	require.Equal(t, want, e.qActivity(acc.ID, 0, 1, "messages"))
	totals := map[string]int64{"messages": 10 * sum}
	for g, n := range perGroup {
		totals[g] = 10 * n
		require.Equal(t, []tenancy.ActivityPoint{qPoint(g, 0, 5*n), qPoint(g, 1, 5*n)}, e.qActivity(acc.ID, 0, 1, g))
	}
	qRequireFigures(t, e.qFigures(acc.ID), acc.ID, 1, totals)
}

// testQFigures: the figures of many accounts in one call: members
// (primary included) and activity totals; unknown accounts left out or
// zero.
func testQFigures(t *testing.T, h Harness) {
	e := setup(t, h)
	mates := []tenancy.User{e.user(), e.user(), e.user()}
	var ids []string
	users := map[string]int64{}
	totals := map[string]map[string]int64{}
	for i := range 40 {
		acc, _ := e.account()
		ids = append(ids, acc.ID)
		users[acc.ID] = 1
		for j := range i % 4 {
			e.addMember(newMember(acc, mates[j], false))
			users[acc.ID]++
		}
		if i%3 != 2 {
			totals[acc.ID] = map[string]int64{"messages": int64(10*i + 1)}
			e.qAdd(acc.ID, "messages", i%7, int64(10*i+1))
			if i%2 == 0 {
				totals[acc.ID]["subscribers"] = int64(i + 1)
				e.qAdd(acc.ID, "subscribers", 0, int64(i+1))
			}
		}
	}
	// Another platform's account with the same metric stays out.
	o := e.other()
	foreign := o.qAccount(nil)
	o.qAdd(foreign.ID, "messages", 0, 7)

	unknown := newID()
	figs := e.qFigures(qPad(append([]string{unknown, foreign.ID}, ids...), 1500)...)
	for _, id := range ids {
		qRequireFigures(t, figs, id, users[id], totals[id])
	}
	qRequireNoFigures(t, figs, unknown)
	qRequireNoFigures(t, figs, foreign.ID)
	require.LessOrEqual(t, len(figs), len(ids)+1502)

	// A few, in any order; a member removed counts no more.
	some := e.qFigures(ids[3], ids[1])
	require.LessOrEqual(t, len(some), 2)
	qRequireFigures(t, some, ids[3], 4, totals[ids[3]])
	require.NoError(t, e.s.DeleteMember(e.ctx, tenancy.RemoveMember{
		PlatformID: e.pid, AccountID: ids[3], UserID: mates[0].ID, Event: e.event("member.remove"),
	}))
	qRequireFigures(t, e.qFigures(ids[3]), ids[3], 3, totals[ids[3]])
}
