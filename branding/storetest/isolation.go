package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/conformance"
)

// testPlatformIsolation calls every platform-scoped method with another
// platform's ID on platform A's records: each is ErrNotFound or finds
// nothing, writes nothing (no primary demoted either), and A's records
// stay as they were.
func testPlatformIsolation(t *testing.T, h Harness) {
	a := setup(t, h)
	acct := newAccountID()
	themes := []branding.Theme{
		a.updateTheme(a.theme(""), func(th *branding.Theme) { th.ProductName = "A v2" }),
		a.theme(acct),
	}
	logos := []branding.Logo{a.putLogo(a.newLogo("", 64)), a.putLogo(a.newLogo(acct, 64))}
	domains := []branding.Domain{a.domain("aaa", primary), a.domain("bbb", verified), a.domain("ccc")}
	settings := a.putSettings(a.newSettings(1, true, true))
	settings = a.putSettings(a.newSettings(2, false, true))
	providers := []branding.StoredProvider{a.provider("Okta"), a.provider("GitHub")}

	// B is not empty, and holds nothing under A's keys.
	b := a.other()
	theirTheme := b.theme(newAccountID())
	theirLogo := b.putLogo(b.newLogo(newAccountID(), 32))
	theirDomains := []branding.Domain{b.domain("aaa", primary), b.domain("bbb")}
	theirSettings := b.putSettings(b.newSettings(1, false, false))
	theirProviders := []branding.StoredProvider{b.provider("Okta"), b.provider("Google")}

	conformance.OtherPlatforms(t, b.pid, newID(), func(t *testing.T, pid string) {
		ctx, s := a.ctx, a.s
		var evs []audit.Event
		ev := func(action, targetType, targetID string) audit.Event {
			e := audit.Event{PlatformID: pid, ID: newID(), At: base, ActorID: actor, Action: action, TargetType: targetType, TargetID: targetID}
			evs = append(evs, e)
			return e
		}
		notFound := func(err error, what string) {
			t.Helper()
			require.ErrorIs(t, err, branding.ErrNotFound, what)
		}

		for _, th := range themes {
			_, err := s.GetTheme(ctx, pid, th.AccountID)
			notFound(err, "GetTheme")
			up := th
			up.PlatformID, up.Version, up.ProductName = pid, th.Version+1, "stolen"
			notFound(s.PutTheme(ctx, up, ev(actionTheme, targetTheme, th.AccountID)), "PutTheme update")
			notFound(s.DeleteTheme(ctx, pid, th.AccountID, ev(actionThemeDelete, targetTheme, th.AccountID)), "DeleteTheme")
		}
		for _, l := range logos {
			_, err := s.GetLogo(ctx, pid, l.AccountID)
			notFound(err, "GetLogo")
			notFound(s.DeleteLogo(ctx, pid, l.AccountID, ev(actionLogoDelete, targetLogo, l.AccountID)), "DeleteLogo")
		}
		for _, d := range domains {
			_, err := s.GetDomain(ctx, pid, d.Host)
			notFound(err, "GetDomain")
			up := d
			up.PlatformID, up.Version, up.Primary, up.VerificationToken = pid, d.Version+1, true, "stolen"
			notFound(s.UpdateDomain(ctx, up, ev(actionDomainUpdate, targetDomain, d.Host)), "UpdateDomain")
			notFound(s.DeleteDomain(ctx, pid, d.Host, ev(actionDomainDelete, targetDomain, d.Host)), "DeleteDomain")
		}
		list, err := s.Domains(ctx, pid)
		require.NoError(t, err, "Domains")
		for _, d := range list {
			require.Equal(t, pid, d.PlatformID, "Domains")
			require.NotContains(t, hosts(domains), d.Host, "Domains")
		}

		got, err := s.GetLoginSettings(ctx, pid)
		if err == nil {
			require.Equal(t, pid, got.PlatformID, "GetLoginSettings")
		} else {
			notFound(err, "GetLoginSettings")
		}
		up := settings
		up.PlatformID, up.Version = pid, settings.Version+1
		err = s.PutLoginSettings(ctx, up, ev(actionLogin, targetLogin, pid))
		require.True(t, errors.Is(err, branding.ErrNotFound) || errors.Is(err, branding.ErrStale),
			"PutLoginSettings at A's next version: %v", err)

		for _, p := range providers {
			_, err := s.GetProvider(ctx, pid, p.ID)
			notFound(err, "GetProvider")
			up := p
			up.PlatformID, up.Version, up.Name = pid, p.Version+1, "Stolen"
			notFound(s.UpdateProvider(ctx, up, ev(actionProviderEdit, targetProvider, p.ID)), "UpdateProvider")
			notFound(s.DeleteProvider(ctx, pid, p.ID, ev(actionProviderClose, targetProvider, p.ID)), "DeleteProvider")
		}
		ps, err := s.Providers(ctx, pid)
		require.NoError(t, err, "Providers")
		for _, p := range ps {
			require.Equal(t, pid, p.PlatformID, "Providers")
			require.NotContains(t, []string{providers[0].ID, providers[1].ID}, p.ID, "Providers")
		}

		a.with(t).requireNoEvent(evs...)
	})

	// Every platform's records are as they were.
	a.requireTheme(themes...)
	a.requireLogo(logos...)
	a.requireDomains(domains...)
	for _, d := range domains {
		a.requireRoute(d, domains[0].Host)
	}
	a.requireSettings(settings)
	a.requireProviders(providers...)

	b.requireTheme(theirTheme)
	b.requireLogo(theirLogo)
	b.requireDomains(theirDomains...)
	b.requireRoute(theirDomains[1], theirDomains[0].Host)
	b.requireSettings(theirSettings)
	b.requireProviders(theirProviders...)
	b.requireNoTheme("")
	b.requireNoLogo("")
}

// testPlatformSameKeys stores on platforms A and B records under the same
// keys (themes and logos of one account ID, providers with one ID and
// name): keys are per platform, so neither blocks the other, each
// platform reads its own, and changing or deleting one leaves the other.
func testPlatformSameKeys(t *testing.T, h Harness) {
	a := setup(t, h)
	b := a.other()
	acct := newAccountID()
	for _, key := range []string{"", acct} {
		thA, thB := a.theme(key), b.theme(key)
		lA, lB := a.putLogo(a.newLogo(key, 16)), b.putLogo(b.newLogo(key, 17))
		thB = b.updateTheme(thB, func(th *branding.Theme) { th.ProductName = "B v2" })
		a.requireTheme(thA)
		b.requireLogo(lB)
		b.deleteLogo(key)
		a.requireLogo(lA)
		a.deleteTheme(key)
		b.requireTheme(thB)
	}

	sA := a.putSettings(a.newSettings(1, true, false))
	sB := b.putSettings(b.newSettings(1, false, true))
	sB = b.putSettings(b.newSettings(2, true, true))
	a.requireSettings(sA)
	b.requireSettings(sB)

	pA := a.provider("Okta")
	pB := b.provider("Okta", func(p *branding.StoredProvider) { p.ID = pA.ID })
	a.requireProviders(pA)
	b.requireProviders(pB)
	pB = b.updateProvider(pB, func(p *branding.StoredProvider) { p.ClientID = "b-only" })
	a.requireProvider(pA)
	a.deleteProvider(pA)
	b.requireProviders(pB)
}
