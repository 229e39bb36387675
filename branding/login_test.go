package branding_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

func TestLoginSettings(t *testing.T) {
	f := newSvcFixture(t, nil)
	ls, err := f.svc.LoginSettings(f.ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, branding.DefaultLoginSettings("p1"), ls)
	require.True(t, ls.Password)
	require.False(t, ls.SelfRegistration, "white-label platforms start closed")

	_, err = f.svc.SetLoginSettings(f.ctx, branding.LoginSettings{PlatformID: "p1", Password: false})
	var inv *branding.InvalidError
	require.ErrorAs(t, err, &inv, "no way in left")
	require.Equal(t, "password", inv.Field)

	p, err := f.svc.AddProvider(f.ctx, branding.Provider{
		PlatformID: "p1", Name: "Okta", ClientID: "cid", ClientSecret: "s3cret",
		AuthURL: "https://idp.example/authorize", TokenURL: "https://idp.example/token", Enabled: true,
	})
	require.NoError(t, err)
	ls, err = f.svc.SetLoginSettings(f.ctx, branding.LoginSettings{PlatformID: "p1", Password: false, SelfRegistration: true})
	require.NoError(t, err)
	require.Equal(t, int64(1), ls.Version)
	_, err = f.svc.SetLoginSettings(f.ctx, branding.LoginSettings{PlatformID: "p1", Password: true, Version: 5})
	require.ErrorIs(t, err, branding.ErrStale)
	ls, err = f.svc.SetLoginSettings(f.ctx, branding.LoginSettings{PlatformID: "p1", Password: true, Version: 1})
	require.NoError(t, err)
	require.Equal(t, int64(2), ls.Version)

	t.Run("Providers", func(t *testing.T) {
		_, err := f.svc.AddProvider(f.ctx, branding.Provider{PlatformID: "p1", Name: "okta", ClientID: "x", ClientSecret: "y",
			AuthURL: "https://idp.example/a", TokenURL: "https://idp.example/t"})
		require.ErrorIs(t, err, branding.ErrConflict, "names are unique whatever their case")
		_, err = f.svc.AddProvider(f.ctx, branding.Provider{PlatformID: "p1", Name: "Evil", ClientID: "x", ClientSecret: "y",
			AuthURL: "javascript:alert(1)", TokenURL: "https://idp.example/t"})
		require.ErrorIs(t, err, branding.ErrInvalid)

		cfg, err := f.svc.OAuth2Config(f.ctx, "p1", p.ID, "https://bots.acme.example/cb")
		require.NoError(t, err)
		require.Equal(t, "s3cret", cfg.ClientSecret)

		p.Name, p.ClientSecret, p.Enabled = "Okta SSO", "", false // keep the secret
		upd, err := f.svc.UpdateProvider(f.ctx, p)
		require.NoError(t, err)
		require.Equal(t, int64(2), upd.Version)
		_, err = f.svc.OAuth2Config(f.ctx, "p1", p.ID, "https://bots.acme.example/cb")
		require.ErrorIs(t, err, branding.ErrForbidden, "disabled")
		upd.Enabled, upd.ClientSecret = true, "rotated"
		_, err = f.svc.UpdateProvider(f.ctx, upd)
		require.NoError(t, err)
		cfg, err = f.svc.OAuth2Config(f.ctx, "p1", p.ID, "https://bots.acme.example/cb")
		require.NoError(t, err)
		require.Equal(t, "rotated", cfg.ClientSecret)
		_, err = f.svc.UpdateProvider(f.ctx, upd) // upd.Version is now stale
		require.ErrorIs(t, err, branding.ErrStale)

		list, err := f.svc.Providers(f.ctx, "p1")
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Empty(t, list[0].ClientSecret)
		require.NoError(t, f.svc.RemoveProvider(f.ctx, "p1", p.ID))
		_, err = f.svc.OAuth2Config(f.ctx, "p1", p.ID, "https://bots.acme.example/cb")
		require.ErrorIs(t, err, branding.ErrNotFound)
	})
	t.Run("NoKey", func(t *testing.T) {
		g := newSvcFixture(t, &branding.Config{SecretKey: []byte("short")})
		_, err := g.svc.AddProvider(g.ctx, branding.Provider{PlatformID: "p1", Name: "X", ClientID: "x", ClientSecret: "y",
			AuthURL: "https://idp.example/a", TokenURL: "https://idp.example/t"})
		require.ErrorContains(t, err, "SecretKey")
	})
}

func TestLogoHandler(t *testing.T) {
	f := newSvcFixture(t, nil)
	h := f.svc.LogoHandler(func(r *http.Request) (string, string, error) { return "p1", r.URL.Query().Get("account"), nil })
	get := func(target string, header ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	require.Equal(t, http.StatusNotFound, get("/logo").Code)
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4" fill="#123456"/></svg>`)
	_, err := f.svc.SetLogo(f.ctx, "p1", "", svg)
	require.NoError(t, err)
	w := get("/logo?account=a9")
	require.Equal(t, http.StatusOK, w.Code)
	require.Equal(t, "image/svg+xml", w.Header().Get("Content-Type"))
	require.Equal(t, "nosniff", w.Header().Get("X-Content-Type-Options"))
	require.Contains(t, w.Header().Get("Content-Security-Policy"), "sandbox")
	etag := w.Header().Get("ETag")
	require.NotEmpty(t, etag)
	require.Equal(t, http.StatusNotModified, get("/logo", "If-None-Match", etag).Code)
}
