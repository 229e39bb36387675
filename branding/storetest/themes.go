package storetest

import (
	"cmp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// testThemeRoundTrip stores a platform theme with every field set, an
// account theme with every field set and one that overrides a single
// colour (the rest empty, "inherit"), and reads them back as given.
func testThemeRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	e.requireNoTheme("")
	platform := e.theme("")
	full := e.theme(newAccountID())
	sparse := e.theme(newAccountID(), func(th *branding.Theme) {
		th.Colors = branding.Colors{ButtonText: "#000000"}
		th.ProductName, th.SupportEmail, th.EmailSenderName, th.LogoLinkURL = "", "", "", ""
	})
	e.requireTheme(platform, full, sparse) // each colour in its own area
	e.requireNoTheme(newAccountID())
}

// testThemeUpdate updates a theme twice, changing every field: each write
// bumps the version by one and lands with its event.
func testThemeUpdate(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, acct := range []string{"", newAccountID()} {
		th := e.theme(acct)
		th = e.updateTheme(th, func(th *branding.Theme) {
			next := e.newTheme(acct)
			th.Colors, th.ProductName, th.SupportEmail = next.Colors, next.ProductName, next.SupportEmail
			th.EmailSenderName, th.LogoLinkURL = next.EmailSenderName, next.LogoLinkURL
		})
		th = e.updateTheme(th, func(th *branding.Theme) {
			th.Colors.Link, th.LogoLinkURL = "", "" // back to inherit
		})
		require.EqualValues(t, 3, th.Version)
	}
}

// testThemeInsertTwice inserts a theme (Version 1) where one exists:
// ErrConflict, whatever the stored version, and nothing changes.
func testThemeInsertTwice(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, acct := range []string{"", newAccountID()} {
		th := e.theme(acct)
		e.requirePutThemeFails(e.newTheme(acct), branding.ErrConflict, "insert over version 1")
		e.requireTheme(th)
		th = e.updateTheme(th, func(th *branding.Theme) { th.ProductName = "Updated" })
		e.requirePutThemeFails(e.newTheme(acct), branding.ErrConflict, "insert over version 2")
		e.requireTheme(th)
	}
}

// testThemeStale writes from versions other than the stored one plus one:
// each is ErrStale and writes nothing.
func testThemeStale(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, acct := range []string{"", newAccountID()} {
		th := e.theme(acct)
		th = e.updateTheme(th, func(th *branding.Theme) { th.ProductName = "Second" })
		th = e.updateTheme(th, func(th *branding.Theme) { th.ProductName = "Third" })
		for _, v := range []int64{th.Version - 1, th.Version, th.Version + 2} {
			u := e.newTheme(acct, func(u *branding.Theme) { u.Version = v })
			e.requirePutThemeFails(u, branding.ErrStale, "version "+itoa(v)+" over "+itoa(th.Version))
			e.requireTheme(th)
		}
	}
}

// testThemeUpdateNotFound updates (Version above 1) a theme that does not
// exist: ErrNotFound, and nothing is created.
func testThemeUpdateNotFound(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newAccountID()
	e.theme(acct) // the platform has a theme, for another key
	for _, key := range []string{"", newAccountID()} {
		for _, v := range []int64{2, 5} {
			u := e.newTheme(key, func(u *branding.Theme) { u.Version = v })
			e.requirePutThemeFails(u, branding.ErrNotFound, "version "+itoa(v)+" of a missing theme")
			e.requireNoTheme(key)
		}
	}
}

// testThemePlatformAndAccount checks that the platform's theme and each
// account's are separate records: each has its own versions, and writing
// or deleting one leaves the others.
func testThemePlatformAndAccount(t *testing.T, h Harness) {
	e := setup(t, h)
	a1, a2 := newAccountID(), newAccountID()
	acct := e.theme(a1) // an account's theme before the platform has one
	e.requireNoTheme("")
	e.requireNoTheme(a2)
	platform := e.theme("")
	platform = e.updateTheme(platform, func(th *branding.Theme) { th.ProductName = "Platform v2" })
	other := e.theme(a2)
	acct = e.updateTheme(acct, func(th *branding.Theme) { th.ProductName = "Account v2" })
	acct = e.updateTheme(acct, func(th *branding.Theme) { th.ProductName = "Account v3" })
	e.requireTheme(platform, acct, other)

	e.deleteTheme("")
	e.requireTheme(acct, other)
	e.deleteTheme(a1)
	e.requireTheme(other)
	e.requireNoTheme(a1)
}

// testThemeDelete deletes themes: they are gone, deleting again is
// ErrNotFound with no event, and a theme can be inserted anew at
// Version 1.
func testThemeDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	for _, acct := range []string{"", newAccountID()} {
		th := e.theme(acct)
		th = e.updateTheme(th, func(th *branding.Theme) { th.ProductName = "v2" })
		e.deleteTheme(acct)
		e.requireNoTheme(acct)

		ev := e.themeEvent(actionThemeDelete, acct)
		require.ErrorIs(t, e.s.DeleteTheme(e.ctx, e.pid, acct, ev), branding.ErrNotFound, "delete twice")
		e.requireNoEvent(ev)
		e.requirePutThemeFails(e.newTheme(acct, func(u *branding.Theme) { u.Version = th.Version + 1 }),
			branding.ErrNotFound, "update of a deleted theme")
		e.theme(acct)
	}
}

// requirePutThemeFails checks that PutTheme(th) fails with want and wrote
// no event.
func (e *env) requirePutThemeFails(th branding.Theme, want error, what string) {
	e.t.Helper()
	ev := e.themeEvent(actionTheme, th.AccountID)
	require.ErrorIs(e.t, e.s.PutTheme(e.ctx, th, ev), want, what)
	e.requireNoEvent(ev)
}

// deleteTheme deletes e's theme for accountID and checks it is gone and
// the event landed.
func (e *env) deleteTheme(accountID string) {
	e.t.Helper()
	ev := e.themeEvent(actionThemeDelete, accountID)
	require.NoError(e.t, e.s.DeleteTheme(e.ctx, e.pid, accountID, ev), "delete theme %q", accountID)
	e.requireEvent(ev)
	e.requireNoTheme(accountID)
}

// ---- logos ----

// testLogoRoundTrip stores the platform's logo and accounts' logos, of
// sizes from one byte to 256 KiB, and reads them back byte for byte.
func testLogoRoundTrip(t *testing.T, h Harness) {
	e := setup(t, h)
	e.requireNoLogo("")
	platform := e.putLogo(e.newLogo("", 4096))
	tiny := e.putLogo(e.newLogo(newAccountID(), 1))
	large := e.putLogo(e.newLogo(newAccountID(), 256<<10))
	e.requireLogo(platform, tiny, large)
	e.requireNoLogo(newAccountID())
}

// testLogoReplace puts logos over existing ones: the new one replaces the
// old, every field, with its event.
func testLogoReplace(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newAccountID()
	platform := e.putLogo(e.newLogo("", 2048))
	account := e.putLogo(e.newLogo(acct, 512))
	for range 2 {
		platform = e.putLogo(e.newLogo("", 300))
		e.requireLogo(account)
		account = e.putLogo(e.newLogo(acct, 9000))
		e.requireLogo(platform)
	}
	// The same bytes again, with only the time changed.
	again := account
	again.UpdatedAt = again.UpdatedAt.Add(day)
	e.putLogo(again)
}

// testLogoCopies checks that the store keeps its own copy of a logo's
// bytes: changing the slice given to PutLogo, or the one GetLogo returned,
// changes nothing stored.
func testLogoCopies(t *testing.T, h Harness) {
	e := setup(t, h)
	l := e.newLogo(newAccountID(), 64)
	given := l
	given.Data = append([]byte(nil), l.Data...)
	e.putLogo(given)
	given.Data[0], given.Data[63] = 'x', 'y'
	e.requireLogo(l)

	got, err := e.s.GetLogo(e.ctx, e.pid, l.AccountID)
	require.NoError(t, err)
	for i := range got.Data {
		got.Data[i] = 'z'
	}
	e.requireLogo(l)
}

// testLogoDelete deletes logos: each is gone and the others stay,
// deleting again is ErrNotFound with no event, and a new one can be put.
func testLogoDelete(t *testing.T, h Harness) {
	e := setup(t, h)
	acct := newAccountID()
	platform := e.putLogo(e.newLogo("", 100))
	account := e.putLogo(e.newLogo(acct, 100))

	e.deleteLogo("")
	e.requireLogo(account)
	e.deleteLogo(acct)
	for _, key := range []string{"", acct, newAccountID()} {
		ev := e.event(actionLogoDelete, targetLogo, cmp.Or(key, e.pid), key)
		require.ErrorIs(t, e.s.DeleteLogo(e.ctx, e.pid, key, ev), branding.ErrNotFound, "delete missing logo %q", key)
		e.requireNoEvent(ev)
	}
	platform.UpdatedAt = platform.UpdatedAt.Add(day)
	e.putLogo(platform)
	e.requireNoLogo(acct)
}

// deleteLogo deletes e's logo for accountID and checks it is gone and the
// event landed.
func (e *env) deleteLogo(accountID string) {
	e.t.Helper()
	ev := e.event(actionLogoDelete, targetLogo, cmp.Or(accountID, e.pid), accountID)
	require.NoError(e.t, e.s.DeleteLogo(e.ctx, e.pid, accountID, ev), "delete logo %q", accountID)
	e.requireEvent(ev)
	e.requireNoLogo(accountID)
}

// itoa formats a version for messages.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
