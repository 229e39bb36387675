package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// testLicenseRoundTrip inserts licenses of every status in one call and
// reads every field back: times at microsecond precision in UTC, Grace,
// zero and set PaymentFailedAt, an empty AccountID, and the history.
func testLicenseRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newID()

	full := e.newLicense(acct)
	full.PaymentFailedAt = at(10*day + 3*time.Microsecond)
	full.Grace = 72*time.Hour + 5*time.Minute + 7*time.Microsecond
	full.Version = 7

	unassigned := e.newLicense("")
	unassigned.Status = licensing.Inactive
	unassigned.Grace = 0
	unassigned.PaymentFailedAt = at(20*day + time.Microsecond)

	expired := e.newLicense(acct)
	expired.Status = licensing.Expired
	expired.Grace = 400 * day

	revoked := e.newLicense(newID())
	revoked.Status = licensing.Revoked
	revoked.PlanID = newID()

	ls := []licensing.License{full, unassigned, expired, revoked}
	changes := make([]licensing.LicenseChange, len(ls))
	for i, l := range ls {
		changes[i] = insertChange(l)
	}
	moved := entry(full, licensing.Moved, full.CreatedAt.Add(time.Microsecond))
	moved.FromAccountID = newID()
	moved.Detail = "déplacée — «moved» 'quoted'"
	moved.ActorID = newID() // a user, not the system
	changes[0].History = append(changes[0].History, moved)
	ev := e.licenseEvent("license.issue", full)
	require.NoError(t, e.s.WriteLicenses(e.ctx, changes, ev))

	for i, l := range ls {
		e.requireStored(l)
		got, err := e.s.GetLicenseByNumber(e.ctx, e.pid, l.Number)
		require.NoError(t, err, "get license by number %s", l.Number)
		requireLicense(t, l, got)
		e.requireHistory(l.ID, changes[i].History...)
	}
	e.requireEvent(ev)
}

// testLicenseGetByNumber finds a license by its number and nothing by
// another.
func testLicenseGetByNumber(t *testing.T, h Harness) {
	e := setup(t, h)
	l := e.license(newID())
	e.license("")
	got, err := e.s.GetLicenseByNumber(e.ctx, e.pid, l.Number)
	require.NoError(t, err)
	requireLicense(t, l, got)

	_, err = e.s.GetLicenseByNumber(e.ctx, e.pid, newNumber())
	require.ErrorIs(t, err, licensing.ErrNotFound, "unknown number")
	_, err = e.s.GetLicense(e.ctx, e.pid, newID())
	require.ErrorIs(t, err, licensing.ErrNotFound, "unknown ID")
}

// testLicenseWriteInOrder applies an insert and two updates of one license
// and another insert in one call: each change sees the ones before it.
func testLicenseWriteInOrder(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newID()
	l1 := e.newLicense(acct)

	l2 := l1
	l2.Version, l2.Status = 2, licensing.Inactive
	l2.PaymentFailedAt = at(30*day + 11*time.Microsecond)
	l2.UpdatedAt = l1.UpdatedAt.Add(time.Hour)
	lapse := licensing.LicenseChange{License: l2, History: []licensing.HistoryEntry{
		entry(l2, licensing.PaymentFailed, l2.UpdatedAt),
		entry(l2, licensing.Lapsed, l2.UpdatedAt.Add(time.Microsecond)),
	}}

	l3 := l2
	l3.Version, l3.Status, l3.PaymentFailedAt = 3, licensing.Active, time.Time{}
	l3.UpdatedAt = l2.UpdatedAt.Add(time.Hour)
	reactivate := updateChange(l3, licensing.Reactivated)

	other := e.newLicense("")
	changes := []licensing.LicenseChange{insertChange(l1), lapse, reactivate, insertChange(other)}
	ev := e.licenseEvent("license.issue", l1)
	require.NoError(t, e.s.WriteLicenses(e.ctx, changes, ev))

	e.requireStored(l3, other)
	var want []licensing.HistoryEntry
	for _, c := range changes[:3] {
		want = append(want, c.History...)
	}
	e.requireHistory(l1.ID, want...)
	e.requireHistory(other.ID, changes[3].History...)
	e.requireEvent(ev)
}

// testLicenseWriteReplaceActive revokes an account's Active license and
// inserts its replacement in one call: applied in order, the account never
// holds two.
func testLicenseWriteReplaceActive(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newID()
	old := e.license(acct)

	revoked := old
	revoked.Status, revoked.Version = licensing.Revoked, old.Version+1
	revoked.UpdatedAt = old.UpdatedAt.Add(time.Hour)
	repl := e.newLicense(acct)
	ev := e.licenseEvent("license.replace", repl)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{
		updateChange(revoked, licensing.RevokedEvent), insertChange(repl),
	}, ev))
	e.requireStored(revoked, repl)
	e.requireEvent(ev)

	got, err := e.s.AccountLicense(e.ctx, e.pid, acct)
	require.NoError(t, err)
	requireLicense(t, repl, got)

	// The same within one call, moving a license between accounts: the
	// target's Active license is revoked first.
	dst := newID()
	dstOld := e.license(dst)
	dstRevoked := dstOld
	dstRevoked.Status, dstRevoked.Version = licensing.Revoked, dstOld.Version+1
	dstRevoked.UpdatedAt = dstOld.UpdatedAt.Add(time.Hour)
	moved := repl
	moved.AccountID, moved.Version = dst, repl.Version+1
	moved.UpdatedAt = repl.UpdatedAt.Add(time.Hour)
	ev = e.licenseEvent("license.move", moved)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{
		updateChange(dstRevoked, licensing.RevokedEvent), updateChange(moved, licensing.Moved),
	}, ev))
	e.requireStored(dstRevoked, moved)
	e.requireEvent(ev)
	_, err = e.s.AccountLicense(e.ctx, e.pid, dst)
	require.NoError(t, err)
}

// testLicenseWriteAllOrNothing makes the last change of a call fail in
// every way the contract names: nothing of the call is written, neither
// licenses, nor history, nor the event.
func testLicenseWriteAllOrNothing(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newID()
	existing := e.license(acct)
	other := e.license("")
	exHist := e.history(existing.ID)

	bumped := existing
	bumped.Version++
	bumped.EndsAt = bumped.EndsAt.Add(30 * day)
	bumped.UpdatedAt = bumped.UpdatedAt.Add(time.Hour)

	type failing struct {
		name    string
		changes []licensing.LicenseChange
		err     error
		absent  []string // IDs of inserted licenses that must not exist
	}
	stale := existing
	stale.Version += 2
	missing := e.newLicense("")
	missing.Version = 2
	takenNumber := e.newLicense("")
	takenNumber.Number = other.Number
	renumbered := bumped
	renumbered.Number = other.Number
	ins := func() licensing.License { return e.newLicense("") }
	n1, n2, n3, n4, n5, n6 := ins(), ins(), ins(), e.newLicense(newID()), ins(), e.newLicense(acct)
	n4b := e.newLicense(n4.AccountID)
	cases := []failing{
		{"insert then stale update", []licensing.LicenseChange{insertChange(n1), updateChange(stale, licensing.Renewed)}, licensing.ErrStale, []string{n1.ID}},
		{"update then missing update", []licensing.LicenseChange{updateChange(bumped, licensing.Renewed), updateChange(missing, licensing.Renewed)}, licensing.ErrNotFound, []string{missing.ID}},
		{"insert then number taken", []licensing.LicenseChange{insertChange(n2), insertChange(takenNumber)}, licensing.ErrConflict, []string{n2.ID, takenNumber.ID}},
		{"update then number taken by update", []licensing.LicenseChange{insertChange(n3), updateChange(renumbered, licensing.Renewed)}, licensing.ErrConflict, []string{n3.ID}},
		{"two Active for one new account", []licensing.LicenseChange{insertChange(n4), insertChange(n4b)}, licensing.ErrConflict, []string{n4.ID, n4b.ID}},
		{"update, insert, second Active", []licensing.LicenseChange{updateChange(bumped, licensing.Renewed), insertChange(n5), insertChange(n6)}, licensing.ErrConflict, []string{n5.ID, n6.ID}},
	}
	for _, c := range cases {
		ev := e.licenseEvent("license.write", existing)
		err := e.s.WriteLicenses(e.ctx, c.changes, ev)
		require.ErrorIs(t, err, c.err, c.name)
		for _, id := range c.absent {
			e.requireNoLicense(id)
			e.requireNoHistory(e.pid, id)
		}
		e.requireStored(existing, other)
		e.requireHistory(existing.ID, exHist...)
		e.requireNoEvent(ev)
	}

	// What the failed calls tried is free again: the first insert, with
	// the very same history entries, now succeeds alone.
	first := cases[0].changes[0]
	ev := e.licenseEvent("license.issue", first.License)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{first}, ev))
	e.requireStored(first.License)
	e.requireHistory(first.License.ID, first.History...)
	e.requireEvent(ev)
}

// testLicenseUpdate changes every field in turn through updates and reads
// each result back; the history grows in order.
func testLicenseUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	x, y := newID(), newID()
	l := e.license(x)
	oldNumber := l.Number
	steps := []struct {
		kind licensing.EventKind
		mod  func(*licensing.License)
	}{
		{licensing.Renewed, func(l *licensing.License) { l.EndsAt = l.EndsAt.Add(365 * day) }},
		{licensing.PaymentFailed, func(l *licensing.License) {
			l.PaymentFailedAt = at(40*day + 9*time.Microsecond)
			l.Grace = 3*day + 17*time.Microsecond
		}},
		{licensing.Lapsed, func(l *licensing.License) { l.Status = licensing.Inactive }},
		{licensing.PaymentReceived, func(l *licensing.License) {
			l.Status, l.PaymentFailedAt, l.Grace = licensing.Active, time.Time{}, 0
		}},
		{licensing.PlanChanged, func(l *licensing.License) { l.PlanID = newID() }},
		{licensing.Moved, func(l *licensing.License) { l.AccountID = y }},
		{licensing.Unassigned, func(l *licensing.License) { l.AccountID = "" }},
		{licensing.Assigned, func(l *licensing.License) { l.AccountID = x }},
		{licensing.Renewed, func(l *licensing.License) {
			l.Number = newNumber()
			l.StartsAt = l.StartsAt.Add(day)
		}},
		{licensing.RevokedEvent, func(l *licensing.License) { l.Status = licensing.Revoked }},
	}
	kinds := []licensing.EventKind{licensing.Issued}
	for _, s := range steps {
		l = e.update(l, s.kind, s.mod)
		e.requireStored(l)
		kinds = append(kinds, s.kind)
	}
	require.Equal(t, int64(1+len(steps)), l.Version)

	var got []licensing.EventKind
	for _, h := range e.history(l.ID) {
		got = append(got, h.Kind)
	}
	require.Equal(t, kinds, got, "history kinds")

	byNumber, err := e.s.GetLicenseByNumber(e.ctx, e.pid, l.Number)
	require.NoError(t, err)
	requireLicense(t, l, byNumber)
	_, err = e.s.GetLicenseByNumber(e.ctx, e.pid, oldNumber)
	require.ErrorIs(t, err, licensing.ErrNotFound, "old number")
	e.license("", func(n *licensing.License) { n.Number = oldNumber }) // free again
}

// testLicenseUpdateStale updates with every version but the next one.
func testLicenseUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	l := e.license(newID())
	hist := e.history(l.ID)
	for _, v := range []int64{l.Version, l.Version + 2, l.Version + 10} {
		s := l
		s.Version, s.EndsAt = v, s.EndsAt.Add(day)
		ev := e.licenseEvent("license.renew", s)
		err := e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{updateChange(s, licensing.Renewed)}, ev)
		require.ErrorIs(t, err, licensing.ErrStale, "version %d over stored %d", v, l.Version)
		e.requireNoEvent(ev)
		e.requireStored(l)
		e.requireHistory(l.ID, hist...)
	}
	l2 := e.update(l, licensing.Renewed, func(l *licensing.License) { l.EndsAt = l.EndsAt.Add(day) })

	again := l2 // the same write once more: its version is now stored
	again.EndsAt = again.EndsAt.Add(day)
	ev := e.licenseEvent("license.renew", again)
	err := e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{updateChange(again, licensing.Renewed)}, ev)
	require.ErrorIs(t, err, licensing.ErrStale, "version %d already stored", again.Version)
	e.requireNoEvent(ev)
	e.requireStored(l2)
}

// testLicenseUpdateNotFound updates a license that was never stored.
func testLicenseUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	e.license(newID()) // the platform is not empty
	missing := e.newLicense(newID())
	for _, v := range []int64{1, 2} {
		missing.Version = v
		ev := e.licenseEvent("license.renew", missing)
		err := e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{updateChange(missing, licensing.Renewed)}, ev)
		require.ErrorIs(t, err, licensing.ErrNotFound, "version %d", v)
		e.requireNoEvent(ev)
		e.requireNoLicense(missing.ID)
		e.requireNoHistory(e.pid, missing.ID)
	}
}

// testLicenseNumberTaken inserts and updates to a number already taken on
// the platform; another platform may use it.
func testLicenseNumberTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	a := e.license(newID())
	b := e.license("")

	dup := e.newLicense("")
	dup.Number = a.Number
	ev := e.licenseEvent("license.issue", dup)
	err := e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{insertChange(dup)}, ev)
	require.ErrorIs(t, err, licensing.ErrConflict, "insert with a taken number")
	e.requireNoEvent(ev)
	e.requireNoLicense(dup.ID)

	b2 := b
	b2.Number, b2.Version = a.Number, b.Version+1
	ev = e.licenseEvent("license.update", b2)
	err = e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{updateChange(b2, licensing.Renewed)}, ev)
	require.ErrorIs(t, err, licensing.ErrConflict, "update to a taken number")
	e.requireNoEvent(ev)
	e.requireStored(a, b)

	e.other().license("", func(l *licensing.License) { l.Number = a.Number })
	e.requireStored(a)
}

// testLicenseHistoryOrder appends entries out of time order, with ties:
// History lists them by At, then ID.
func testLicenseHistoryOrder(t *testing.T, h Harness) {
	e := setup(t, h)
	l := e.license("")
	issued := e.history(l.ID)
	require.Len(t, issued, 1)

	t0, t1 := l.CreatedAt.Add(time.Hour), l.CreatedAt.Add(2*time.Hour)
	lo, hi := newID(), newID()
	if lo > hi {
		lo, hi = hi, lo
	}
	late1 := entry(l, licensing.Renewed, t1)
	late1.ID = hi
	early := entry(l, licensing.PaymentFailed, t0)
	late2 := entry(l, licensing.PaymentReceived, t1)
	late2.ID = lo
	l2 := l
	l2.Version, l2.UpdatedAt = l.Version+1, t1
	ev := e.licenseEvent("license.renew", l2)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{{
		License: l2, History: []licensing.HistoryEntry{late1, early, late2},
	}}, ev))
	e.requireHistory(l.ID, issued[0], early, late2, late1)

	// An entry dated before all others, written last, is listed first.
	l3 := l2
	l3.Version++
	first := entry(l3, licensing.Assigned, l.CreatedAt.Add(-time.Microsecond))
	ev = e.licenseEvent("license.assign", l3)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{{
		License: l3, History: []licensing.HistoryEntry{first},
	}}, ev))
	e.requireHistory(l.ID, first, issued[0], early, late2, late1)

	// A license written without entries has none.
	bare := e.newLicense("")
	ev = e.licenseEvent("license.issue", bare)
	require.NoError(t, e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{{License: bare, Insert: true}}, ev))
	e.requireHistory(bare.ID)
	e.requireNoHistory(e.pid, newID())
}

// testLicenseOneActivePerAccount checks, one call at a time, that licenses
// stored Inactive, Expired or Revoked do not block an Active one, and that
// every way to a second Active license is ErrConflict.
func testLicenseOneActivePerAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	x := newID()
	status := func(s licensing.Status) func(*licensing.License) {
		return func(l *licensing.License) { l.Status = s }
	}
	inactive := e.license(x, status(licensing.Inactive))
	e.license(x, status(licensing.Expired))
	e.license(x, status(licensing.Revoked))
	active := e.license(x) // not blocked by those

	conflict := func(what string, c licensing.LicenseChange, unchanged ...licensing.License) {
		t.Helper()
		ev := e.licenseEvent("license.write", c.License)
		err := e.s.WriteLicenses(e.ctx, []licensing.LicenseChange{c}, ev)
		require.ErrorIs(t, err, licensing.ErrConflict, what)
		e.requireNoEvent(ev)
		e.requireStored(unchanged...)
	}

	dup := e.newLicense(x)
	conflict("insert a second Active license", insertChange(dup), active)
	e.requireNoLicense(dup.ID)

	free := e.license("")
	assign := free
	assign.AccountID, assign.Version = x, free.Version+1
	conflict("assign an Active license", updateChange(assign, licensing.Assigned), active, free)

	react := inactive
	react.Status, react.Version = licensing.Active, inactive.Version+1
	conflict("reactivate an Inactive license", updateChange(react, licensing.Reactivated), active, inactive)

	y := newID()
	fromY := e.license(y)
	move := fromY
	move.AccountID, move.Version = x, fromY.Version+1
	conflict("move another account's Active license", updateChange(move, licensing.Moved), active, fromY)

	// Other statuses, other accounts, unassigned licenses and other
	// platforms are free.
	e.license(x, status(licensing.Inactive))
	e.license(x, status(licensing.Revoked))
	e.license(newID())
	e.license("")
	e.other().license(x)

	// Once the Active license is revoked, the Inactive one comes back.
	e.update(active, licensing.RevokedEvent, status(licensing.Revoked))
	back := e.update(inactive, licensing.Reactivated, status(licensing.Active))
	requireLicenses(t, []licensing.License{back}, e.list(licensing.LicenseQuery{AccountID: x, Status: licensing.Active}))
	got, err := e.s.AccountLicense(e.ctx, e.pid, x)
	require.NoError(t, err)
	requireLicense(t, back, got)
}
