package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// testDomainRoundTrip stores domains in every state (the platform's
// default host, unverified, verified, verified primary) and reads them
// back by host, by LookupHost and in the list, ordered by host.
func testDomainRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	require.Empty(t, e.list(), "a new platform has no domains")
	def := e.domain("app", func(d *branding.Domain) { d.Default, d.VerificationToken = true, "" })
	pending := e.domain("www")
	checked := e.domain("shp", verified)
	main := e.domain("dsh", primary)
	e.requireDomain(def, pending, checked, main)
	e.requireDomains(pending, checked, main, def)
	for _, d := range []branding.Domain{def, pending, checked, main} {
		e.requireRoute(d, main.Host)
	}
}

// list returns e's platform's domains.
func (e *env) list() []branding.Domain {
	e.t.Helper()
	got, err := e.s.Domains(e.ctx, e.pid)
	require.NoError(e.t, err, "list domains")
	return got
}

// testDomainHostTaken claims a host already held, on the same platform
// and from another one: ErrConflict either way, whatever the state of the
// holder, and nothing is written. Once the holder deletes it, another
// platform may claim it.
func testDomainHostTaken(t *testing.T, h Harness) {
	e := setup(t, h)
	o := e.other()
	held := []branding.Domain{
		e.domain("www"),
		e.domain("app", func(d *branding.Domain) { d.Default, d.VerificationToken = true, "" }),
		e.domain("shp", primary),
	}
	for _, d := range held {
		e.requireInsertDomainConflict(e.newDomain("x", func(x *branding.Domain) { x.Host = d.Host }), "same host, same platform: "+d.Host)
		e.requireInsertDomainConflict(e.newDomain("x", func(x *branding.Domain) {
			x.Host, x.Default, x.VerificationToken = d.Host, !d.Default, ""
			verified(x)
		}), "same host, same platform, other fields: "+d.Host)
		e.requireInsertDomainConflict(o.newDomain("x", func(x *branding.Domain) { x.Host = d.Host }), "same host, another platform: "+d.Host)
		e.requireInsertDomainConflict(o.newDomain("x", func(x *branding.Domain) { x.Host = d.Host; primary(x) }), "same host, another platform, primary: "+d.Host)
	}
	e.requireDomain(held...)
	e.requireDomains(held...)
	require.Empty(t, o.list(), "the other platform claimed nothing")
	for _, d := range held {
		_, err := o.s.GetDomain(o.ctx, o.pid, d.Host)
		require.ErrorIs(t, err, branding.ErrNotFound, "the other platform does not hold %s", d.Host)
		e.requireRoute(d, held[2].Host)
	}

	// Released, the host may go to another platform.
	e.deleteDomain(held[0])
	theirs := o.insertDomain(o.newDomain("x", func(x *branding.Domain) { x.Host = held[0].Host }))
	o.requireRoute(theirs, "")
	e.requireInsertDomainConflict(e.newDomain("x", func(x *branding.Domain) { x.Host = held[0].Host }), "taken back")
	e.requireDomains(held[1:]...)
	o.requireDomains(theirs)
}

// testDomainUpdate writes a new token, then the verification, then takes
// it back: each write stores VerifiedAt, Primary and VerificationToken and
// the bumped version, and keeps Default and CreatedAt as stored whatever
// it is given.
func testDomainUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	d := e.domain("www")
	d = e.updateDomain(d, func(d *branding.Domain) { d.VerificationToken = "new-" + newID() })
	d = e.updateDomain(d, verified)
	require.True(t, d.Verified())

	// Default and CreatedAt are not written.
	u := d
	u.Default, u.CreatedAt = true, u.CreatedAt.Add(-day)
	u.VerifiedAt = u.VerifiedAt.Add(time.Minute + time.Microsecond)
	u.Version++
	ev := e.event(actionDomainUpdate, targetDomain, u.Host, "")
	require.NoError(t, e.s.UpdateDomain(e.ctx, u, ev))
	e.requireEvent(ev)
	d.VerifiedAt, d.Version = u.VerifiedAt, u.Version
	e.requireDomain(d)

	// Verification taken back, the token kept; and a default domain.
	d = e.updateDomain(d, func(d *branding.Domain) { d.VerifiedAt = time.Time{} })
	require.False(t, d.Verified())
	def := e.domain("app", func(d *branding.Domain) { d.Default, d.VerificationToken = true, "" })
	def = e.updateDomain(def, func(d *branding.Domain) { d.VerificationToken = "tok" })
	require.EqualValues(t, 5, d.Version)
	e.requireDomains(d, def)
}

// testDomainUpdateStale writes from versions other than the stored one
// plus one: each is ErrStale and writes nothing, not even the demotion of
// the platform's primary.
func testDomainUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	main := e.domain("aaa", primary)
	d := e.domain("bbb", verified)
	d = e.updateDomain(d, func(d *branding.Domain) { d.VerificationToken = "second" })
	for _, v := range []int64{d.Version - 1, d.Version, d.Version + 2} {
		u := d
		u.Version, u.Primary, u.VerificationToken = v, true, "stale"
		ev := e.event(actionDomainUpdate, targetDomain, u.Host, "")
		require.ErrorIs(t, e.s.UpdateDomain(e.ctx, u, ev), branding.ErrStale, "version %d over %d", v, d.Version)
		e.requireNoEvent(ev)
		e.requireDomain(main, d)
		e.requireRoute(d, main.Host)
	}
}

// testDomainUpdateNotFound updates a host the platform does not hold:
// ErrNotFound, no event, nothing created, and the primary kept.
func testDomainUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	main := e.domain("aaa", primary)
	for _, v := range []int64{1, 2} {
		u := e.newDomain("zzz", primary, func(d *branding.Domain) { d.Version = v })
		ev := e.event(actionDomainUpdate, targetDomain, u.Host, "")
		require.ErrorIs(t, e.s.UpdateDomain(e.ctx, u, ev), branding.ErrNotFound, "version %d", v)
		e.requireNoEvent(ev)
		e.requireNoDomain(u.Host)
	}
	e.requireDomains(main)
	e.requireRoute(main, main.Host)
}

// testDomainPrimary moves the platform's primary from domain to domain:
// making one primary demotes the previous primary in the same call (its
// version bumped by one) and no other domain, and every route of the
// platform leads to the new primary; clearing it leaves none.
func testDomainPrimary(t *testing.T, h Harness) {
	e := setup(t, h)
	a := e.domain("aaa", verified)
	b := e.domain("bbb", verified)
	c := e.domain("ccc", verified)
	def := e.domain("dft", func(d *branding.Domain) { d.Default, d.VerificationToken = true, "" })
	all := func() []branding.Domain { return []branding.Domain{a, b, c, def} }
	routes := func(primaryHost string) {
		t.Helper()
		for _, d := range all() {
			e.requireRoute(d, primaryHost)
		}
	}
	routes("")

	a = e.updateDomain(a, func(d *branding.Domain) { d.Primary = true })
	e.requireDomain(all()...) // no one else changed
	routes(a.Host)

	b = e.updateDomain(b, func(d *branding.Domain) { d.Primary = true })
	a = demoted(a)
	e.requireDomain(all()...)
	routes(b.Host)

	// Written again as primary (a new token): nobody else to demote.
	b = e.updateDomain(b, func(d *branding.Domain) { d.VerificationToken = "again" })
	// Another domain written without Primary leaves the primary alone.
	c = e.updateDomain(c, func(d *branding.Domain) { d.VerificationToken = "other" })
	e.requireDomain(all()...)
	routes(b.Host)

	// Back and forth.
	a = e.updateDomain(a, func(d *branding.Domain) { d.Primary = true })
	b = demoted(b)
	e.requireDomain(all()...)
	routes(a.Host)

	// Cleared: no primary.
	a = e.updateDomain(a, func(d *branding.Domain) { d.Primary = false })
	e.requireDomains(all()...)
	routes("")
	require.EqualValues(t, []int64{5, 4, 2, 1}, []int64{a.Version, b.Version, c.Version, def.Version})
}

// testDomainInsertPrimary inserts a domain already primary: allowed when
// the platform has none, ErrConflict when it has one (at most one primary
// per platform, which the database enforces), whatever other platforms
// hold.
func testDomainInsertPrimary(t *testing.T, h Harness) {
	e := setup(t, h)
	o := e.other()
	theirs := o.domain("aaa", primary)
	main := e.domain("aaa", primary)
	e.requireRoute(main, main.Host)
	o.requireRoute(theirs, theirs.Host)

	second := e.newDomain("bbb", primary)
	e.requireInsertDomainConflict(second, "a second primary")
	e.requireNoDomain(second.Host)
	second.Primary = false
	second = e.insertDomain(second)
	e.requireDomains(main, second)
	e.requireRoute(second, main.Host)
}

// testDomainDelete deletes domains: each is gone for GetDomain, Domains
// and LookupHost, the others stay; deleting the primary leaves the
// platform without one; deleting again is ErrNotFound with no event.
func testDomainDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	a := e.domain("aaa", primary)
	b := e.domain("bbb", verified)
	c := e.domain("ccc")

	e.deleteDomain(c)
	e.requireDomains(a, b)
	e.requireRoute(b, a.Host)

	e.deleteDomain(a)
	e.requireDomains(b)
	e.requireRoute(b, "")

	for _, d := range []branding.Domain{a, c, e.newDomain("zzz")} {
		ev := e.event(actionDomainDelete, targetDomain, d.Host, "")
		require.ErrorIs(t, e.s.DeleteDomain(e.ctx, e.pid, d.Host, ev), branding.ErrNotFound, "delete missing %s", d.Host)
		e.requireNoEvent(ev)
	}

	// A deleted host can be added again, from version 1.
	a = e.domain("aaa", verified)
	b = e.updateDomain(b, func(d *branding.Domain) { d.Primary = true })
	e.requireDomains(a, b)
	e.requireRoute(a, b.Host)
}

// deleteDomain deletes d and checks it is gone and the event landed.
func (e *env) deleteDomain(d branding.Domain) {
	e.t.Helper()
	ev := e.event(actionDomainDelete, targetDomain, d.Host, "")
	require.NoError(e.t, e.s.DeleteDomain(e.ctx, d.PlatformID, d.Host, ev), "delete domain %s", d.Host)
	e.requireEvent(ev)
	e.requireNoDomain(d.Host)
}

// testLookupHost checks what LookupHost finds across platforms: each host
// leads to its own platform's domain and primary, never another's, and a
// host no platform holds (nor a name that merely ends or starts like one)
// is ErrNotFound.
func testLookupHost(t *testing.T, h Harness) {
	e := setup(t, h)
	o := e.other()
	n := e.other()
	mainE := e.domain("aaa", primary)
	wwwE := e.domain("www")
	mainO := o.domain("aaa", primary)
	wwwO := o.domain("www", verified)
	defN := n.domain("app", func(d *branding.Domain) { d.Default, d.VerificationToken = true, "" })

	e.requireRoute(mainE, mainE.Host)
	e.requireRoute(wwwE, mainE.Host)
	o.requireRoute(mainO, mainO.Host)
	o.requireRoute(wwwO, mainO.Host)
	n.requireRoute(defN, "")

	for _, host := range []string{
		e.host("zzz"), "x" + mainE.Host, "x." + mainE.Host, mainE.Host[1:], mainE.Host + "x", mainE.Host[:len(mainE.Host)-len(".example")],
	} {
		_, err := e.s.LookupHost(e.ctx, host)
		require.ErrorIs(t, err, branding.ErrNotFound, "look up %s", host)
	}
}
