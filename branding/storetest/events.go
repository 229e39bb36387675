package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
)

// testEventFails makes every write with an audit event that cannot be
// stored (its ID is taken): each call fails and changes nothing, not even
// the demotion of a primary domain; the same write then succeeds with a
// good event.
func testEventFails(t *testing.T, h Harness) {
	e := setup(t, h)
	used := e.event(actionTheme, targetTheme, e.pid, "")
	th := e.newTheme("")
	require.NoError(t, e.s.PutTheme(e.ctx, th, used))
	e.requireEvent(used)

	// bad returns an event of action whose ID is used's.
	bad := func(action, targetType, targetID string) audit.Event {
		ev := e.event(action, targetType, targetID, "")
		ev.ID = used.ID
		return ev
	}
	fails := func(err error, what string) {
		t.Helper()
		require.Error(t, err, "%s with an event ID in use", what)
		e.requireEvent(used) // the first event is untouched
	}

	// Themes.
	acct := newAccountID()
	newTh := e.newTheme(acct)
	fails(e.s.PutTheme(e.ctx, newTh, bad(actionTheme, targetTheme, acct)), "PutTheme insert")
	e.requireNoTheme(acct)
	up := th
	up.ProductName, up.Version = "changed", 2
	fails(e.s.PutTheme(e.ctx, up, bad(actionTheme, targetTheme, e.pid)), "PutTheme update")
	e.requireTheme(th)
	fails(e.s.DeleteTheme(e.ctx, e.pid, "", bad(actionThemeDelete, targetTheme, e.pid)), "DeleteTheme")
	e.requireTheme(th)
	e.putTheme(newTh)
	e.putTheme(up)
	e.deleteTheme("")

	// Logos.
	l := e.newLogo(acct, 128)
	fails(e.s.PutLogo(e.ctx, l, bad(actionLogo, targetLogo, acct)), "PutLogo insert")
	e.requireNoLogo(acct)
	l = e.putLogo(l)
	fails(e.s.PutLogo(e.ctx, e.newLogo(acct, 64), bad(actionLogo, targetLogo, acct)), "PutLogo replace")
	e.requireLogo(l)
	fails(e.s.DeleteLogo(e.ctx, e.pid, acct, bad(actionLogoDelete, targetLogo, acct)), "DeleteLogo")
	e.requireLogo(l)
	e.deleteLogo(acct)

	// Domains.
	main := e.domain("aaa", primary)
	d := e.newDomain("bbb", verified)
	fails(e.s.InsertDomain(e.ctx, d, bad(actionDomainAdd, targetDomain, d.Host)), "InsertDomain")
	e.requireNoDomain(d.Host)
	d = e.insertDomain(d)
	promoted := d
	promoted.Primary, promoted.Version = true, d.Version+1
	fails(e.s.UpdateDomain(e.ctx, promoted, bad(actionDomainUpdate, targetDomain, d.Host)), "UpdateDomain")
	e.requireDomain(main, d)
	e.requireRoute(d, main.Host)
	fails(e.s.DeleteDomain(e.ctx, e.pid, main.Host, bad(actionDomainDelete, targetDomain, main.Host)), "DeleteDomain")
	e.requireDomains(main, d)
	d = e.updateDomain(d, func(d *branding.Domain) { d.Primary = true })
	main = demoted(main)
	e.requireDomains(main, d)
	e.deleteDomain(main)

	// Login settings.
	s := e.newSettings(1, true, true)
	fails(e.s.PutLoginSettings(e.ctx, s, bad(actionLogin, targetLogin, e.pid)), "PutLoginSettings insert")
	_, err := e.s.GetLoginSettings(e.ctx, e.pid)
	require.ErrorIs(t, err, branding.ErrNotFound)
	s = e.putSettings(s)
	fails(e.s.PutLoginSettings(e.ctx, e.newSettings(2, false, false), bad(actionLogin, targetLogin, e.pid)), "PutLoginSettings update")
	e.requireSettings(s)
	e.putSettings(e.newSettings(2, false, false))

	// Providers.
	p := e.newProvider("Okta")
	fails(e.s.InsertProvider(e.ctx, p, bad(actionProviderAdd, targetProvider, p.ID)), "InsertProvider")
	e.requireNoProvider(p.ID)
	p = e.insertProvider(p) // the name was not taken
	pu := p
	pu.Name, pu.Version = "Renamed", p.Version+1
	fails(e.s.UpdateProvider(e.ctx, pu, bad(actionProviderEdit, targetProvider, p.ID)), "UpdateProvider")
	e.requireProviders(p)
	fails(e.s.DeleteProvider(e.ctx, e.pid, p.ID, bad(actionProviderClose, targetProvider, p.ID)), "DeleteProvider")
	e.requireProviders(p)
	e.provider("RENAMED") // the failed rename did not take the name
	e.deleteProvider(p)
}
