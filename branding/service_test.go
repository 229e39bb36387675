package branding_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/memstore"
	"github.com/tenantry/tenantry/internal/testclock"
)

var svcStart = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// svcFixture is a Service over a memstore, acting as an admin of "p1".
type svcFixture struct {
	svc   *branding.Service
	store *memstore.Store
	clock *testclock.Clock
	ctx   context.Context
}

func newSvcFixture(t *testing.T, cfg *branding.Config) *svcFixture {
	t.Helper()
	f := &svcFixture{store: memstore.New(nil), clock: testclock.New(svcStart)}
	var c branding.Config
	if cfg != nil {
		c = *cfg
	}
	c.Now = f.clock.Now
	if c.SecretKey == nil {
		c.SecretKey = []byte("0123456789abcdef0123456789abcdef")
	}
	f.svc = branding.New(f.store, &c)
	f.ctx = audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "admin"})
	return f
}

func (f *svcFixture) actions(t *testing.T) []string {
	t.Helper()
	page, err := audit.New(f.store.Audit(), nil).List(context.Background(), audit.Query{PlatformID: "p1", Limit: 1000})
	require.NoError(t, err)
	var out []string
	for i := len(page.Events) - 1; i >= 0; i-- {
		out = append(out, page.Events[i].Action)
	}
	return out
}

func TestSetTheme(t *testing.T) {
	f := newSvcFixture(t, nil)
	empty, err := f.svc.Theme(f.ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, branding.Theme{PlatformID: "p1"}, empty)
	require.Contains(t, string(empty.CSS()), "--tenantry-sidebar:"+branding.DefaultColors.Sidebar)

	saved, err := f.svc.SetTheme(f.ctx, branding.Theme{
		PlatformID:  "p1",
		Colors:      branding.Colors{Sidebar: "#1E3A8A", SidebarText: "rgb(255, 255, 255)", Link: "#123"},
		ProductName: " Acme Bots ", SupportEmail: "Help@ACME.example", EmailSenderName: "Acme",
		LogoLinkURL: "https://acme.example/",
	})
	require.NoError(t, err)
	require.Empty(t, saved.Issues)
	th := saved.Theme
	require.Equal(t, "#1e3a8a", th.Colors.Sidebar, "canonical")
	require.Equal(t, "#ffffff", th.Colors.SidebarText)
	require.Equal(t, "#112233", th.Colors.Link)
	require.Equal(t, "Acme Bots", th.ProductName)
	require.Equal(t, "help@acme.example", th.SupportEmail)
	require.Equal(t, int64(1), th.Version)

	t.Run("Invalid", func(t *testing.T) {
		for field, tt := range map[string]branding.Theme{
			"colors.button":     {PlatformID: "p1", Colors: branding.Colors{Button: "red;}body{display:none"}},
			"support_email":     {PlatformID: "p1", SupportEmail: "not an email"},
			"email_sender_name": {PlatformID: "p1", EmailSenderName: "Acme\r\nBcc: victim@example.com"},
			"product_name":      {PlatformID: "p1", ProductName: string(make([]byte, 101))},
			"logo_link_url":     {PlatformID: "p1", LogoLinkURL: "javascript:alert(1)"},
		} {
			_, err := f.svc.SetTheme(f.ctx, tt)
			var inv *branding.InvalidError
			require.ErrorAs(t, err, &inv, field)
			require.Equal(t, field, inv.Field)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		_, err := f.svc.SetTheme(f.ctx, branding.Theme{PlatformID: "p1", Version: 7})
		require.ErrorIs(t, err, branding.ErrStale)
		saved, err := f.svc.SetTheme(f.ctx, branding.Theme{PlatformID: "p1", Version: 1, Colors: th.Colors, ProductName: "Acme 2"})
		require.NoError(t, err)
		require.Equal(t, int64(2), saved.Theme.Version)
	})
	t.Run("AccountOverrides", func(t *testing.T) {
		_, err := f.svc.SetTheme(f.ctx, branding.Theme{PlatformID: "p1", AccountID: "a1", Colors: branding.Colors{Button: "#b91c1c"}, ProductName: "Acme for Bob"})
		require.NoError(t, err)
		merged, err := f.svc.AccountTheme(f.ctx, "p1", "a1")
		require.NoError(t, err)
		require.Equal(t, "#b91c1c", merged.Colors.Button)
		require.Equal(t, "#1e3a8a", merged.Colors.Sidebar, "inherited")
		require.Equal(t, "Acme for Bob", merged.ProductName)
		other, err := f.svc.AccountTheme(f.ctx, "p1", "a2")
		require.NoError(t, err)
		require.Equal(t, "Acme 2", other.ProductName)
		require.NoError(t, f.svc.ResetTheme(f.ctx, "p1", "a1"))
		merged, err = f.svc.AccountTheme(f.ctx, "p1", "a1")
		require.NoError(t, err)
		require.Equal(t, "Acme 2", merged.ProductName)
	})
	t.Run("Forbidden", func(t *testing.T) {
		_, err := f.svc.SetTheme(context.Background(), branding.Theme{PlatformID: "p1"})
		require.ErrorIs(t, err, branding.ErrForbidden)
		other := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p2", UserID: "x"})
		_, err = f.svc.SetTheme(other, branding.Theme{PlatformID: "p1"})
		require.ErrorIs(t, err, branding.ErrForbidden)
	})
	require.Equal(t, []string{"branding.theme.set", "branding.theme.set", "branding.theme.set", "branding.theme.reset"}, f.actions(t))
}

func TestThemeContrast(t *testing.T) {
	low := branding.Theme{PlatformID: "p1", Colors: branding.Colors{Button: "#777777", ButtonText: "#ffffff"}}
	t.Run("Warn", func(t *testing.T) {
		f := newSvcFixture(t, nil)
		saved, err := f.svc.SetTheme(f.ctx, low)
		require.NoError(t, err)
		require.Len(t, saved.Issues, 1)
		require.Equal(t, "button", saved.Issues[0].Background)
		require.InDelta(t, 4.48, saved.Issues[0].Ratio, 0.01)
	})
	t.Run("Refuse", func(t *testing.T) {
		f := newSvcFixture(t, &branding.Config{Contrast: branding.ContrastRefuse})
		_, err := f.svc.SetTheme(f.ctx, low)
		require.ErrorIs(t, err, branding.ErrLowContrast)
		_, err = f.svc.Theme(f.ctx, "p1")
		require.NoError(t, err)
		require.Empty(t, f.actions(t), "nothing saved")
	})
	t.Run("AccountJudgedMerged", func(t *testing.T) {
		f := newSvcFixture(t, &branding.Config{Contrast: branding.ContrastRefuse})
		_, err := f.svc.SetTheme(f.ctx, branding.Theme{PlatformID: "p1", Colors: branding.Colors{Button: "#000000", ButtonText: "#ffffff"}})
		require.NoError(t, err)
		// White text on the platform's black buttons: an account making
		// the text light grey is judged on what it will show.
		_, err = f.svc.SetTheme(f.ctx, branding.Theme{PlatformID: "p1", AccountID: "a1", Colors: branding.Colors{Button: "#eeeeee"}})
		require.ErrorIs(t, err, branding.ErrLowContrast)
	})
	t.Run("Off", func(t *testing.T) {
		f := newSvcFixture(t, &branding.Config{Contrast: branding.ContrastOff})
		saved, err := f.svc.SetTheme(f.ctx, low)
		require.NoError(t, err)
		require.Empty(t, saved.Issues)
	})
}

func TestServiceLogo(t *testing.T) {
	f := newSvcFixture(t, &branding.Config{MaxLogoBytes: 64 << 10})
	_, err := f.svc.Logo(f.ctx, "p1", "")
	require.ErrorIs(t, err, branding.ErrNotFound)

	png := makePNG(t, 40, 20)
	l, err := f.svc.SetLogo(f.ctx, "p1", "", png)
	require.NoError(t, err)
	require.Equal(t, "image/png", l.ContentType)
	require.Len(t, l.SHA256, 64)

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script><rect width="4" height="4" fill="#123456"/></svg>`)
	al, err := f.svc.SetLogo(f.ctx, "p1", "a1", svg)
	require.NoError(t, err)
	require.Equal(t, "image/svg+xml", al.ContentType)
	require.NotContains(t, string(al.Data), "script")
	require.NotContains(t, string(al.Data), "onload")

	got, err := f.svc.Logo(f.ctx, "p1", "a1")
	require.NoError(t, err)
	require.Equal(t, al.Data, got.Data)
	got, err = f.svc.Logo(f.ctx, "p1", "a2")
	require.NoError(t, err)
	require.Equal(t, png, got.Data, "an account without a logo shows its platform's")

	_, err = f.svc.SetLogo(f.ctx, "p1", "", []byte("<html><script>alert(1)</script></html>"))
	require.ErrorIs(t, err, branding.ErrInvalid)
	_, err = f.svc.SetLogo(f.ctx, "p1", "", make([]byte, 65<<10))
	require.ErrorIs(t, err, branding.ErrInvalid)

	require.NoError(t, f.svc.RemoveLogo(f.ctx, "p1", "a1"))
	got, err = f.svc.Logo(f.ctx, "p1", "a1")
	require.NoError(t, err)
	require.Equal(t, png, got.Data)
	require.Equal(t, []string{"branding.logo.set", "branding.logo.set", "branding.logo.remove"}, f.actions(t))
}

// withPlatformPrincipal acts as an admin of platform pid.
func withPlatformPrincipal(pid string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: pid, UserID: "admin"})
}
