package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// testLoginSettings reads settings before any are stored (ErrNotFound),
// inserts them at Version 1, and updates them through every combination:
// each comes back as written, false values included.
func testLoginSettings(t *testing.T, h Harness) {
	e := setup(t, h)
	_, err := e.s.GetLoginSettings(e.ctx, e.pid)
	require.ErrorIs(t, err, branding.ErrNotFound, "before the first put")

	s := e.putSettings(e.newSettings(1, false, false))
	for i, c := range [][2]bool{{true, false}, {true, true}, {false, true}, {false, false}} {
		s = e.putSettings(e.newSettings(int64(i)+2, c[0], c[1]))
	}
	require.EqualValues(t, 5, s.Version)

	// Another platform's settings are its own.
	o := e.other()
	_, err = o.s.GetLoginSettings(o.ctx, o.pid)
	require.ErrorIs(t, err, branding.ErrNotFound, "another platform")
	o.putSettings(o.newSettings(1, true, true))
	e.requireSettings(s)
}

// testLoginSettingsStale inserts settings where they exist (ErrConflict),
// writes from versions other than the stored one plus one (ErrStale), and
// updates settings never inserted (ErrNotFound): each writes nothing.
func testLoginSettingsStale(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, v := range []int64{2, 3} {
		e.requirePutSettingsFails(e.newSettings(v, true, true), branding.ErrNotFound, "update before insert")
	}
	_, err := e.s.GetLoginSettings(e.ctx, e.pid)
	require.ErrorIs(t, err, branding.ErrNotFound, "nothing created")

	s := e.putSettings(e.newSettings(1, true, false))
	e.requirePutSettingsFails(e.newSettings(1, false, true), branding.ErrConflict, "insert twice")
	s = e.putSettings(e.newSettings(2, false, false))
	s = e.putSettings(e.newSettings(3, true, true))
	e.requirePutSettingsFails(e.newSettings(1, false, false), branding.ErrConflict, "insert over version 3")
	for _, v := range []int64{s.Version - 1, s.Version, s.Version + 2} {
		e.requirePutSettingsFails(e.newSettings(v, false, false), branding.ErrStale, "version "+itoa(v)+" over 3")
	}
	e.requireSettings(s)
}

// requirePutSettingsFails checks that PutLoginSettings(s) fails with want
// and wrote no event.
func (e *env) requirePutSettingsFails(s branding.LoginSettings, want error, what string) {
	e.t.Helper()
	ev := e.event(actionLogin, targetLogin, e.pid, "")
	require.ErrorIs(e.t, e.s.PutLoginSettings(e.ctx, s, ev), want, what)
	e.requireNoEvent(ev)
}

// ---- providers ----

// testProviderRoundTrip stores providers with every field set, an OAuth
// provider without issuer, a disabled one with a single scope, and reads
// them back as given: the sealed secret byte for byte, the clear secret
// never.
func testProviderRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	oidc := e.provider("Okta")
	plain := e.provider("GitHub", func(p *branding.StoredProvider) { p.IssuerURL = "" })
	off := e.provider("Corporate SSO", func(p *branding.StoredProvider) {
		p.Enabled, p.Scopes = false, []string{"read:user"}
	})
	// A secret in clear given by mistake is not kept.
	inClear := e.provider("Google", func(p *branding.StoredProvider) { p.ClientSecret = "in clear" })
	e.requireProvider(oidc, plain, off, inClear)
	e.requireProviders(oidc, plain, off, inClear)
	e.requireNoProvider(newID())
}

// testProviderEmptyScopesAreNil stores providers with nil and empty
// Scopes: both come back nil.
func testProviderEmptyScopesAreNil(t *testing.T, h Harness) {
	e := setup(t, h)
	for i, scopes := range [][]string{nil, {}} {
		p := e.provider([]string{"Apple", "Azure"}[i], func(p *branding.StoredProvider) { p.Scopes = scopes })
		got, err := e.s.GetProvider(e.ctx, e.pid, p.ID)
		require.NoError(t, err)
		require.Nil(t, got.Scopes, "scopes %#v come back nil", scopes)
		list, err := e.s.Providers(e.ctx, e.pid)
		require.NoError(t, err)
		for _, x := range list {
			if x.ID == p.ID {
				require.Nil(t, x.Scopes, "scopes %#v come back nil in the list", scopes)
			}
		}
	}
}

// testProviderCopies checks that the store keeps its own copies of a
// provider's Scopes and SealedSecret: changing the slices given, or those
// returned by GetProvider or Providers, changes nothing stored.
func testProviderCopies(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.newProvider("Okta")
	given := p
	given.Scopes = append([]string(nil), p.Scopes...)
	given.SealedSecret = append([]byte(nil), p.SealedSecret...)
	e.insertProvider(given)
	given.Scopes[0], given.SealedSecret[0] = "changed", 'x'
	e.requireProvider(p)

	got, err := e.s.GetProvider(e.ctx, e.pid, p.ID)
	require.NoError(t, err)
	got.Scopes[0], got.SealedSecret[0] = "changed", 'x'
	e.requireProvider(p)

	list, err := e.s.Providers(e.ctx, e.pid)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list[0].Scopes[1], list[0].SealedSecret[1] = "changed", 'x'
	e.requireProvider(p)

	// And through an update.
	u := p
	u.Scopes, u.SealedSecret = []string{"openid"}, []byte{1, 2, 3}
	u.Version++
	ev := e.providerEvent(actionProviderEdit, u)
	require.NoError(t, e.s.UpdateProvider(e.ctx, u, ev))
	want := u
	want.Scopes, want.SealedSecret = []string{"openid"}, []byte{1, 2, 3}
	u.Scopes[0], u.SealedSecret[0] = "changed", 9
	e.requireProvider(want)
}

// testProviderInsertConflict inserts providers whose name is in use on
// the platform in any case, or whose ID is: ErrConflict, nothing written.
// The same name on another platform, and a name that only contains a
// taken one, are fine.
func testProviderInsertConflict(t *testing.T, h Harness) {
	e := setup(t, h)
	okta := e.provider("Okta")
	for _, name := range []string{"Okta", "okta", "OKTA", "oKtA"} {
		p := e.newProvider(name)
		e.requireInsertProviderConflict(p, "name "+name)
		e.requireNoProvider(p.ID)
	}
	sameID := e.newProvider("Other", func(p *branding.StoredProvider) { p.ID = okta.ID })
	e.requireInsertProviderConflict(sameID, "ID in use")
	e.requireProviders(okta)

	more := e.provider("Okta Staff")
	o := e.other()
	theirs := o.provider("OKTA")
	e.requireProviders(okta, more)
	o.requireProviders(theirs)
}

// testProviderUpdate changes every field of a provider but its ID and
// CreatedAt, which keep their stored values whatever the update gives;
// renaming to its own name in another case is fine, and a rename frees the
// old name.
func testProviderUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.provider("Okta")
	other := e.provider("GitHub")
	p = e.updateProvider(p, func(p *branding.StoredProvider) {
		next := e.newProvider("Okta Workforce")
		p.Name, p.ClientID, p.AuthURL, p.TokenURL = next.Name, next.ClientID, next.AuthURL, next.TokenURL
		p.UserInfoURL, p.IssuerURL, p.Scopes = next.UserInfoURL, "", []string{"openid"}
		p.Enabled, p.SealedSecret = false, next.SealedSecret
	})
	p = e.updateProvider(p, func(p *branding.StoredProvider) { p.Name, p.Enabled = "OKTA WORKFORCE", true })
	p = e.updateProvider(p, func(p *branding.StoredProvider) { p.Scopes = nil })
	// The names it had are free again.
	freed := e.provider("okta")
	e.requireInsertProviderConflict(e.newProvider("Okta Workforce"), "its current name in another case")

	// CreatedAt is not written.
	u := p
	u.CreatedAt, u.Version, u.ClientID = u.CreatedAt.Add(-day), u.Version+1, "client-new"
	u.UpdatedAt = u.UpdatedAt.Add(time.Minute)
	ev := e.providerEvent(actionProviderEdit, u)
	require.NoError(t, e.s.UpdateProvider(e.ctx, u, ev))
	e.requireEvent(ev)
	u.CreatedAt = p.CreatedAt
	e.requireProvider(u)
	require.EqualValues(t, 5, u.Version)
	e.requireProviders(u, other, freed)
}

// testProviderRenameConflict renames a provider to a name another one of
// the platform holds, in any case: ErrConflict, nothing written. A name
// held on another platform is fine.
func testProviderRenameConflict(t *testing.T, h Harness) {
	e := setup(t, h)
	okta := e.provider("Okta")
	gh := e.provider("GitHub")
	for _, name := range []string{"Okta", "okta", "OKTA"} {
		u := gh
		u.Name, u.Version = name, gh.Version+1
		ev := e.providerEvent(actionProviderEdit, u)
		require.ErrorIs(t, e.s.UpdateProvider(e.ctx, u, ev), branding.ErrConflict, "rename to %s", name)
		e.requireNoEvent(ev)
	}
	e.requireProviders(okta, gh)
	o := e.other()
	o.provider("Google")
	gh = e.updateProvider(gh, func(p *branding.StoredProvider) { p.Name = "google" })
	e.requireProviders(okta, gh)
}

// testProviderUpdateStale writes from versions other than the stored one
// plus one (ErrStale), and updates a provider that does not exist
// (ErrNotFound): each writes nothing.
func testProviderUpdateStale(t *testing.T, h Harness) {
	e := setup(t, h)
	p := e.provider("Okta")
	p = e.updateProvider(p, func(p *branding.StoredProvider) { p.ClientID = "second" })
	for _, v := range []int64{p.Version - 1, p.Version, p.Version + 2} {
		u := p
		u.Version, u.Name, u.ClientID = v, "Renamed", "stale"
		ev := e.providerEvent(actionProviderEdit, u)
		require.ErrorIs(t, e.s.UpdateProvider(e.ctx, u, ev), branding.ErrStale, "version %d over %d", v, p.Version)
		e.requireNoEvent(ev)
		e.requireProvider(p)
	}
	for _, v := range []int64{1, 2} {
		u := e.newProvider("Missing", func(x *branding.StoredProvider) { x.Version = v })
		ev := e.providerEvent(actionProviderEdit, u)
		require.ErrorIs(t, e.s.UpdateProvider(e.ctx, u, ev), branding.ErrNotFound, "missing, version %d", v)
		e.requireNoEvent(ev)
		e.requireNoProvider(u.ID)
	}
	e.requireProviders(p)
}

// testProviderDelete deletes providers: each is gone, the others stay,
// deleting again is ErrNotFound with no event, and the name is free again
// in any case.
func testProviderDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	okta := e.provider("Okta")
	gh := e.provider("GitHub")
	e.deleteProvider(okta)
	e.requireProviders(gh)
	for _, id := range []string{okta.ID, newID()} {
		ev := e.event(actionProviderClose, targetProvider, id, "")
		require.ErrorIs(t, e.s.DeleteProvider(e.ctx, e.pid, id, ev), branding.ErrNotFound, "delete missing %s", id)
		e.requireNoEvent(ev)
	}
	again := e.provider("OKTA")
	e.requireProviders(again, gh)
	e.deleteProvider(gh)
	e.deleteProvider(again)
	require.Empty(t, e.providers())
}

// deleteProvider deletes p and checks it is gone and the event landed.
func (e *env) deleteProvider(p branding.StoredProvider) {
	e.t.Helper()
	ev := e.providerEvent(actionProviderClose, p)
	require.NoError(e.t, e.s.DeleteProvider(e.ctx, p.PlatformID, p.ID, ev), "delete provider %q", p.Name)
	e.requireEvent(ev)
	e.requireNoProvider(p.ID)
}

// providers returns e's platform's providers.
func (e *env) providers() []branding.StoredProvider {
	e.t.Helper()
	got, err := e.s.Providers(e.ctx, e.pid)
	require.NoError(e.t, err, "list providers")
	return got
}

// testProviderList lists providers of mixed-case names: by name,
// case-insensitively, whatever the order they were added in.
func testProviderList(t *testing.T, h Harness) {
	e := setup(t, h)
	require.Empty(t, e.providers(), "a new platform has none")
	var ps []branding.StoredProvider
	for _, name := range []string{"delta", "Charlie", "alpha", "Echo", "bravo", "Alphabet"} {
		ps = append(ps, e.provider(name))
	}
	e.requireProviders(ps...)
	got := names(e.providers())
	require.Equal(t, []string{"alpha", "Alphabet", "bravo", "Charlie", "delta", "Echo"}, got)
}
