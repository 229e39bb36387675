package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// testAccountLicense checks which license AccountLicense prefers: the one
// stored Active, else the most recently updated, ties to the greater ID.
func testAccountLicense(t *testing.T, h Harness) {
	e := setup(t, h)
	with := func(s licensing.Status, updated time.Time) func(*licensing.License) {
		return func(l *licensing.License) { l.Status, l.UpdatedAt = s, updated }
	}
	accountLicense := func(acct string) licensing.License {
		t.Helper()
		l, err := e.s.AccountLicense(e.ctx, e.pid, acct)
		require.NoError(t, err, "account license of %s", acct)
		return l
	}

	// The Active one, however old.
	x := newID()
	active := e.license(x, with(licensing.Active, at(day)))
	e.license(x, with(licensing.Revoked, at(5*day)))
	e.license(x, with(licensing.Expired, at(6*day)))
	requireLicense(t, active, accountLicense(x))

	// None Active: the most recently updated.
	y := newID()
	e.license(y, with(licensing.Expired, at(day)))
	inactive := e.license(y, with(licensing.Inactive, at(3*day)))
	e.license(y, with(licensing.Revoked, at(2*day)))
	requireLicense(t, inactive, accountLicense(y))

	// A later Active one wins even when updated earlier.
	yActive := e.license(y, with(licensing.Active, at(time.Microsecond)))
	requireLicense(t, yActive, accountLicense(y))

	// Ties on UpdatedAt: the greater ID.
	z := newID()
	z1 := e.license(z, with(licensing.Revoked, at(4*day)))
	z2 := e.license(z, with(licensing.Revoked, at(4*day)))
	want := z1
	if z2.ID > z1.ID {
		want = z2
	}
	requireLicense(t, want, accountLicense(z))

	// An account without licenses, and unassigned licenses.
	e.license("")
	none := newID()
	_, err := e.s.AccountLicense(e.ctx, e.pid, none)
	require.ErrorIs(t, err, licensing.ErrNotFound, "account without license")

	// AccountLicenses answers the same for many accounts at once.
	many, err := e.s.AccountLicenses(e.ctx, e.pid, []string{x, y, z, none, ""})
	require.NoError(t, err)
	require.Len(t, many, 3, "accounts without a license are absent")
	for _, acct := range []string{x, y, z} {
		requireLicense(t, accountLicense(acct), many[acct])
	}
	empty, err := e.s.AccountLicenses(e.ctx, e.pid, nil)
	require.NoError(t, err)
	require.Empty(t, empty)
	other, err := e.s.AccountLicenses(e.ctx, newID(), []string{x, y, z})
	require.NoError(t, err)
	require.Empty(t, other, "another platform sees none")
}

// testListLicensesFilters checks every filter of ListLicenses, alone and
// combined, and the limit; results come newest first.
func testListLicensesFilters(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := newID(), newID()
	p1, p2 := newID(), newID()
	mk := func(acct, plan string, s licensing.Status, number string) licensing.License {
		return e.license(acct, func(l *licensing.License) { l.PlanID, l.Status, l.Number = plan, s, number })
	}
	a := mk(x, p1, licensing.Active, "LIC-ALPHA-0001")
	b := mk(x, p2, licensing.Inactive, "LIC-BRAVO-0002")
	c := mk(y, p1, licensing.Expired, "LIC-ALPHA-0003")
	d := mk("", p2, licensing.Revoked, "LIC-DELTA-0004")
	f := mk("", p1, licensing.Active, "LIC-ECHO-0005")
	g := mk(y, p2, licensing.Active, "lic-alpha-0006")
	all := []licensing.License{a, b, c, d, f, g}
	e.other().license(x) // another platform's license of the same account

	cases := []struct {
		q    licensing.LicenseQuery
		want []licensing.License
	}{
		{licensing.LicenseQuery{}, all},
		{licensing.LicenseQuery{Status: licensing.Active}, []licensing.License{a, f, g}},
		{licensing.LicenseQuery{Status: licensing.Revoked}, []licensing.License{d}},
		{licensing.LicenseQuery{AccountID: x}, []licensing.License{a, b}},
		{licensing.LicenseQuery{Unassigned: true}, []licensing.License{d, f}},
		{licensing.LicenseQuery{PlanID: p1}, []licensing.License{a, c, f}},
		{licensing.LicenseQuery{Number: "alpha"}, []licensing.License{a, c, g}},
		{licensing.LicenseQuery{Number: "PHA-000"}, []licensing.License{a, c, g}},
		{licensing.LicenseQuery{Number: "0004"}, []licensing.License{d}},
		{licensing.LicenseQuery{Number: "LIC-ECHO-0005"}, []licensing.License{f}},
		{licensing.LicenseQuery{Number: "zzz"}, nil},
		{licensing.LicenseQuery{Status: licensing.Active, PlanID: p1}, []licensing.License{a, f}},
		{licensing.LicenseQuery{Status: licensing.Active, Unassigned: true}, []licensing.License{f}},
		{licensing.LicenseQuery{AccountID: y, Number: "ALPHA"}, []licensing.License{c, g}},
		{licensing.LicenseQuery{AccountID: x, PlanID: p2, Status: licensing.Inactive, Number: "bravo"}, []licensing.License{b}},
		{licensing.LicenseQuery{AccountID: x, Status: licensing.Expired}, nil},
		{licensing.LicenseQuery{AccountID: newID()}, nil},
		{licensing.LicenseQuery{PlanID: newID()}, nil},
	}
	for _, tc := range cases {
		got := e.list(tc.q)
		if len(tc.want) == 0 {
			require.Empty(t, got, "query %+v", tc.q)
			continue
		}
		requireLicenses(t, newestFirst(tc.want), got)
	}

	requireLicenses(t, newestFirst(all)[:2], e.list(licensing.LicenseQuery{Limit: 2}))
	requireLicenses(t, []licensing.License{g}, e.list(licensing.LicenseQuery{Status: licensing.Active, Limit: 1}))
}

// testListLicensesNumberLiteral searches numbers with the characters LIKE
// treats specially: they match only themselves.
func testListLicensesNumberLiteral(t *testing.T, h Harness) {
	e := setup(t, h)
	num := func(n string) licensing.License {
		return e.license("", func(l *licensing.License) { l.Number = n })
	}
	under := num("LIC_X-0001")
	num("LICAX-0002")
	percent := num("LIC%X-0003")
	num("LICBX-0004")
	backslash := num(`LIC\X-0005`)
	num("LICCX-0006")
	for _, tc := range []struct {
		q    string
		want licensing.License
	}{
		{"c_x", under}, {"_", under}, {"c%x", percent}, {"%", percent}, {`c\x`, backslash}, {`\`, backslash},
	} {
		requireLicenses(t, []licensing.License{tc.want}, e.list(licensing.LicenseQuery{Number: tc.q}))
	}
}

// testListLicensesPagination pages through licenses with ties on CreatedAt,
// with and without a filter.
func testListLicensesPagination(t *testing.T, h Harness) {
	e := setup(t, h)
	t1, t2, t3 := at(10*day+time.Microsecond), at(11*day+2*time.Microsecond), at(12*day+3*time.Microsecond)
	var all, active []licensing.License
	for i, created := range []time.Time{t3, t1, t2, t1, t3, t1, t2, t1, t3} {
		l := e.license("", func(l *licensing.License) {
			l.CreatedAt = created
			if i%2 == 1 {
				l.Status = licensing.Revoked
			}
		})
		all = append(all, l)
		if l.Status == licensing.Active {
			active = append(active, l)
		}
	}

	page := func(q licensing.LicenseQuery, size int) []licensing.License {
		t.Helper()
		var out []licensing.License
		q.Limit = size
		for range 20 {
			got := e.list(q)
			require.LessOrEqual(t, len(got), size, "page size")
			out = append(out, got...)
			if len(got) < size {
				return out
			}
			last := got[len(got)-1]
			q.After = &licensing.LicenseCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		t.Fatal("pagination does not end")
		return nil
	}
	for _, size := range []int{1, 2, 3, 4} {
		requireLicenses(t, newestFirst(all), page(licensing.LicenseQuery{}, size))
		requireLicenses(t, newestFirst(active), page(licensing.LicenseQuery{Status: licensing.Active}, size))
	}

	// After the last one, nothing; after a cursor between ties, the rest.
	sorted := newestFirst(all)
	last := sorted[len(sorted)-1]
	require.Empty(t, e.list(licensing.LicenseQuery{After: &licensing.LicenseCursor{CreatedAt: last.CreatedAt, ID: last.ID}}))
	mid := sorted[4]
	requireLicenses(t, sorted[5:], e.list(licensing.LicenseQuery{After: &licensing.LicenseCursor{CreatedAt: mid.CreatedAt, ID: mid.ID}}))
}

// dueBase is the DueLicenses subtests' clock, decades before base, so that
// no other subtest's license is due at their now even on a shared database.
var dueBase = time.Date(1990, time.June, 1, 0, 0, 0, 1000, time.UTC)

// dueLicense returns a license of e's platform for a new account whose
// times are around dueBase, with status s, ending at ends, a missed
// payment at failed (zero: none) and grace, not stored.
func (e *env) dueLicense(s licensing.Status, ends, failed time.Time, grace time.Duration) licensing.License {
	l := e.newLicense(newID())
	created := dueBase.Add(-300 * day).Add(time.Duration(e.next()) * time.Microsecond)
	l.Status, l.EndsAt, l.PaymentFailedAt, l.Grace = s, ends, failed, grace
	l.StartsAt, l.CreatedAt, l.UpdatedAt = created, created, created
	return l
}

// requireDue checks that every license of got is due at now and that they
// come oldest end first.
func requireDue(t *testing.T, got []licensing.License, now time.Time) {
	t.Helper()
	for i, l := range got {
		require.NotEqual(t, l.Status, l.StatusAt(now), "license %s (%s, ends %v) is not due at %v", l.ID, l.Status, l.EndsAt, now)
		if i > 0 {
			require.False(t, l.EndsAt.Before(got[i-1].EndsAt), "oldest end first")
		}
	}
}

// onPlatforms keeps the licenses of the given platforms.
func onPlatforms(ls []licensing.License, pids ...string) []licensing.License {
	var out []licensing.License
	for _, l := range ls {
		for _, pid := range pids {
			if l.PlatformID == pid {
				out = append(out, l)
			}
		}
	}
	return out
}

// testDueLicenses stores due and not-due licenses on two platforms and
// checks that DueLicenses returns the due ones across platforms, oldest
// end first, up to its limit.
func testDueLicenses(t *testing.T, h Harness) {
	p1 := setup(t, h)
	p2 := p1.other()
	d := func(n int) time.Time { return dueBase.Add(time.Duration(n)*day + time.Duration(n)*time.Microsecond) }
	now := d(20)

	// Due, in the order both "end" and "fell due" give.
	a := p1.dueLicense(licensing.Active, d(1), time.Time{}, 7*day)             // past its end
	c := p2.dueLicense(licensing.Inactive, d(2), d(-10), day)                  // Inactive past its end
	x := p1.dueLicense(licensing.Active, d(3), d(2).Add(12*time.Hour), 30*day) // past its end, grace until after now
	b := p2.dueLicense(licensing.Active, d(30), d(4), day)                     // grace over at d(5)
	dd := p1.dueLicense(licensing.Active, d(31), d(5), day+time.Microsecond)   // grace over at d(6)
	due := []licensing.License{a, c, x, b, dd}

	notDue := []licensing.License{
		p1.dueLicense(licensing.Active, d(40), time.Time{}, 7*day), // no missed payment: Grace alone is nothing
		p2.dueLicense(licensing.Active, d(40), d(15), 10*day),      // grace until d(25)
		p1.dueLicense(licensing.Inactive, d(40), d(1), 0),          // Inactive before its end
		p2.dueLicense(licensing.Expired, d(1), time.Time{}, 0),     // already recorded
		p1.dueLicense(licensing.Revoked, d(1), d(-5), 0),           // revoked for good
		p2.dueLicense(licensing.Expired, d(2), d(1), 0),
	}
	for _, l := range append(append([]licensing.License(nil), due...), notDue...) {
		env := p1
		if l.PlatformID == p2.pid {
			env = p2
		}
		env.insert(l)
	}

	got, err := p1.s.DueLicenses(p1.ctx, now, listAll)
	require.NoError(t, err)
	requireDue(t, got, now)
	requireLicenses(t, due, onPlatforms(got, p1.pid, p2.pid))

	for _, limit := range []int{1, 2, 4} {
		page, err := p1.s.DueLicenses(p1.ctx, now, limit)
		require.NoError(t, err)
		require.Len(t, page, limit, "limit %d", limit)
		requireDue(t, page, now)
		requireLicenses(t, got[:limit], page)
	}

	// Before any of them ends or misses its grace, none is due.
	early, err := p1.s.DueLicenses(p1.ctx, d(1).Add(-time.Microsecond), listAll)
	require.NoError(t, err)
	requireDue(t, early, d(1).Add(-time.Microsecond))
	require.Empty(t, onPlatforms(early, p1.pid, p2.pid))
}

// testDueLicensesBoundaries checks the instant a license falls due: its end
// and its grace deadline are due, a microsecond before is not.
func testDueLicensesBoundaries(t *testing.T, h Harness) {
	e := setup(t, h)
	now := dueBase.Add(5*365*day + 123457*time.Microsecond) // 1995, after every license of testDueLicenses
	us := time.Microsecond
	due := []licensing.License{
		e.dueLicense(licensing.Active, now, time.Time{}, 7*day),             // ends now
		e.dueLicense(licensing.Active, now.Add(30*day), now.Add(-day), day), // grace ends now
		e.dueLicense(licensing.Inactive, now, now.Add(-day), 0),             // Inactive, ends now
		e.dueLicense(licensing.Active, now.Add(30*day), now.Add(-us), 0),    // no grace
	}
	notDue := []licensing.License{
		e.dueLicense(licensing.Active, now.Add(us), time.Time{}, 7*day),
		e.dueLicense(licensing.Active, now.Add(30*day), now.Add(-day+us), day),
		e.dueLicense(licensing.Inactive, now.Add(us), now.Add(-day), 0),
		e.dueLicense(licensing.Active, now.Add(30*day), time.Time{}, 0),
	}
	e.insert(due...)
	e.insert(notDue...)

	got, err := e.s.DueLicenses(e.ctx, now, listAll)
	require.NoError(t, err)
	requireDue(t, got, now)
	ids := licenseIDs(onPlatforms(got, e.pid))
	for _, l := range due {
		require.Contains(t, ids, l.ID, "license (%s, ends %v, missed %v, grace %v) is due at %v", l.Status, l.EndsAt, l.PaymentFailedAt, l.Grace, now)
	}
	for _, l := range notDue {
		require.NotContains(t, ids, l.ID, "license (%s, ends %v, missed %v, grace %v) is not due at %v", l.Status, l.EndsAt, l.PaymentFailedAt, l.Grace, now)
	}
}
