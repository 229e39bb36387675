package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// themeForm is the white label form as the page sends it for the demo
// theme, with changes.
func themeForm(op string, changes map[string]string) url.Values {
	f := url.Values{"op": {op}, "product_name": {"Demo Chat"}, "support_email": {"support@demo.example"},
		"email_sender_name": {"Demo Chat"}}
	for k, v := range changes {
		f.Set(k, v)
	}
	return f
}

func TestWhiteLabelPageAndPreview(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	body := m.page(t, "/whitelabel")
	for _, want := range []string{`name="product_name" value="Demo Chat"`, `name="sidebar" value="#1f2a44"`,
		`type="color" name="sidebar_picker" value="#1f2a44"`, "--pv-sidebar: #1f2a44;", `class="theme-preview"`,
		"support@demo.example", "demo.localhost", "No logo yet."} {
		assert.Contains(t, body, want)
	}

	// Preview: the panel shows the submitted colours, nothing is saved.
	status, body, _ := post(t, m.client, m.url+"/whitelabel", themeForm("preview", map[string]string{"sidebar": "rgb(255, 0, 0)", "button": "#0f0"}))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "--pv-sidebar: #ff0000;")
	assert.Contains(t, body, "--pv-button: #00ff00;")
	assert.Contains(t, body, "not saved")
	assert.Contains(t, body, "Button text on Buttons: contrast", "the preview warns of low contrast")
	th, err := m.p.Branding.Theme(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Equal(t, "#1f2a44", th.Colors.Sidebar, "a preview saves nothing")

	// The colour picker counts when its text was left as it was.
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("preview", map[string]string{
		"sidebar": "#1f2a44", "sidebar_was": "#1f2a44", "sidebar_picker": "#123456"}))
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "--pv-sidebar: #123456;")

	// An invalid colour: named, the preview uses the default, and saving
	// refuses it.
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("preview", map[string]string{"sidebar_text": "not-a-colour"}))
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Some colours are not valid")
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("save", map[string]string{"sidebar_text": "not-a-colour", "version": "1"}))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "Not saved: the colour “Sidebar text”")
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("save", map[string]string{"logo_link_url": "javascript:alert(1)"}))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "Not saved: the logo link must be an http or https URL")

	// Saving with low contrast: saved, with warnings.
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("save", map[string]string{"sidebar": "#777777", "sidebar_text": "#888888",
		"product_name": "Acme Bots"}))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "saved, with contrast warnings")
	assert.Contains(t, body, "Sidebar text on Sidebar: contrast 1.")
	th, err = m.p.Branding.Theme(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Equal(t, "#777777", th.Colors.Sidebar)
	assert.Equal(t, "Acme Bots", th.ProductName)

	// A stale form (loaded before that save) is refused.
	status, body, _ = post(t, m.client, m.url+"/whitelabel", themeForm("save", map[string]string{"version": "1"}))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "Someone changed this at the same time")
}

func TestWhiteLabelLogo(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var pngData bytes.Buffer
	require.NoError(t, png.Encode(&pngData, img))

	upload := func(name string, data []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("logo", name)
		require.NoError(t, err)
		_, _ = fw.Write(data)
		require.NoError(t, mw.Close())
		res, err := m.client.Post(m.url+"/whitelabel/logo", mw.FormDataContentType(), &buf)
		require.NoError(t, err)
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := upload("evil.html", []byte("<html><script>alert(1)</script></html>"))
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "Logo refused")
	status, body = upload("logo.png", pngData.Bytes())
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "The logo is saved.")
	assert.Contains(t, body, `src="/logo"`)
	assert.Contains(t, body, "image/png")

	res, err := http.Get(m.url + "/logo") // public: the login screen shows it
	require.NoError(t, err)
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "image/png", res.Header.Get("Content-Type"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "sandbox")
	assert.Equal(t, pngData.Bytes(), got)

	status, body, _ = post(t, m.client, m.url+"/whitelabel/logo/remove", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "No logo yet.")
	status, _ = fetch(t, newClient(t), m.url+"/logo")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestWhiteLabelDomains(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	status, body, _ := post(t, m.client, m.url+"/whitelabel/domains", url.Values{"host": {"Chat.Acme.Example"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Added chat.acme.example")
	assert.Contains(t, body, "<code>_tenantry-verify.chat.acme.example</code>")
	ds, err := m.p.Branding.Domains(ctx, demoPlatformID)
	require.NoError(t, err)
	var d branding.Domain
	for _, x := range ds {
		if x.Host == "chat.acme.example" {
			d = x
		}
	}
	require.NotEmpty(t, d.VerificationToken)
	assert.Contains(t, body, branding.VerificationRecord(d.VerificationToken))

	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains", url.Values{"host": {"chat.acme.example"}})
	assert.Equal(t, http.StatusConflict, status, "a host is claimed once")
	assert.Contains(t, body, "Already taken")

	form := url.Values{"host": {"chat.acme.example"}}
	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains/primary", form)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "not verified")
	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains/verify", form)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "TXT record was not found")

	m.dns.set(branding.VerificationName("chat.acme.example")+".", branding.VerificationRecord(d.VerificationToken))
	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains/verify", form)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "chat.acme.example is verified.")
	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains/primary", form)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "chat.acme.example is now the primary domain.")
	assert.Contains(t, body, ">primary</span>")
	status, body, _ = post(t, m.client, m.url+"/whitelabel/domains/remove", form)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Removed chat.acme.example.")
	assert.NotContains(t, body, "_tenantry-verify.chat.acme.example")
}

func TestWhiteLabelIsForOwnersAndAdmins(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	op := m.login(t, operatorEmail, operatorPassword)
	for _, path := range []string{"/whitelabel", "/login-methods"} {
		status, _ := fetch(t, op, m.url+path)
		assert.Equal(t, http.StatusForbidden, status, path)
	}
	status, _, _ := post(t, op, m.url+"/whitelabel", themeForm("save", map[string]string{"product_name": "Operator's"}))
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = fetch(t, op, m.url+"/mailbox")
	assert.Equal(t, http.StatusOK, status, "staff read the demo's mailbox")
	client := m.login(t, clientEmail, clientPassword)
	for _, path := range []string{"/whitelabel", "/login-methods", "/invitations", "/mailbox"} {
		status, _ := fetch(t, client, m.url+path)
		assert.Equal(t, http.StatusForbidden, status, path)
	}
	th, err := m.p.Branding.Theme(context.Background(), demoPlatformID)
	require.NoError(t, err)
	assert.Equal(t, "Demo Chat", th.ProductName)
}

func TestLoginMethodsPage(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	body := m.page(t, "/login-methods")
	assert.Contains(t, body, `name="password" value="1" checked`)
	assert.NotContains(t, body, `name="self_registration" value="1" checked`)
	assert.Contains(t, body, "No login provider yet.")

	// Password login cannot go off without a provider.
	status, body, _ := post(t, m.client, m.url+"/login-methods/settings", url.Values{"self_registration": {"1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "Password login stays on")

	const secret = "s3cret-client-secret-value"
	provider := url.Values{"name": {"Okta"}, "client_id": {"client-123"}, "client_secret": {secret},
		"auth_url": {"https://login.okta.example/authorize"}, "token_url": {"https://login.okta.example/token"},
		"scopes": {"openid  email"}, "enabled": {"1"}}
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers", provider)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Added the provider Okta.")
	assert.NotContains(t, body, secret, "the secret is never echoed")
	ps, err := m.p.Branding.Providers(ctx, demoPlatformID)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	id := ps[0].ID
	assert.Equal(t, []string{"openid", "email"}, ps[0].Scopes)

	bad := url.Values{"name": {"Bad"}, "client_id": {"x"}, "client_secret": {"y"}, "auth_url": {"http://evil.example/a"}, "token_url": {"https://evil.example/t"}}
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers", bad)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "auth url must use https")
	assert.NotContains(t, body, `value="y"`, "a refused secret is not echoed either")

	// Edit with a blank secret keeps the stored one.
	body = m.page(t, "/login-methods?edit="+id)
	assert.Contains(t, body, "Edit Okta")
	assert.Contains(t, body, `value="client-123"`)
	assert.NotContains(t, body, secret)
	edit := url.Values{"name": {"Okta SSO"}, "client_id": {"client-456"}, "client_secret": {""},
		"auth_url": {"https://login.okta.example/authorize"}, "token_url": {"https://login.okta.example/token"}, "scopes": {"openid"}, "enabled": {"1"}}
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers/"+id, edit)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Saved the provider Okta SSO.")
	cfg, err := m.p.Branding.OAuth2Config(ctx, demoPlatformID, id, "https://demo.example/callback")
	require.NoError(t, err)
	assert.Equal(t, secret, cfg.ClientSecret, "a blank secret keeps the stored one")
	assert.Equal(t, "client-456", cfg.ClientID)

	// With a provider enabled, password login may go off; the last
	// provider then cannot be disabled or removed... via remove.
	status, body, _ = post(t, m.client, m.url+"/login-methods/settings", url.Values{"self_registration": {"1"}})
	require.Equal(t, http.StatusOK, status, body)
	ls, err := m.p.Branding.LoginSettings(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.False(t, ls.Password)
	assert.True(t, ls.SelfRegistration)
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers/"+id+"/remove", nil)
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "last enabled provider")
	status, _, _ = post(t, m.client, m.url+"/login-methods/settings", url.Values{"password": {"1"}})
	require.Equal(t, http.StatusOK, status)

	status, body, _ = post(t, m.client, m.url+"/login-methods/providers/"+id+"/disable", nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Okta SSO is disabled.")
	assert.Contains(t, body, ">disabled</span>")
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers/"+id+"/enable", nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Okta SSO is enabled.")
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers/"+id+"/remove", nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Removed the provider Okta SSO.")
	ps, err = m.p.Branding.Providers(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Empty(t, ps)
}

func TestUserTextIsEscapedOnThesePages(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	const evil = "<script>alert(1)</script>"
	status, body, _ := post(t, m.client, m.url+"/whitelabel", themeForm("save", map[string]string{"product_name": evil}))
	require.Equal(t, http.StatusOK, status, body)
	status, body, _ = post(t, m.client, m.url+"/invitations", url.Values{"kind": {"account"}, "email": {"xss@example.com"}, "account_name": {evil}})
	require.Equal(t, http.StatusOK, status, body)
	status, body, _ = post(t, m.client, m.url+"/login-methods/providers", url.Values{"name": {evil}, "client_id": {"id"},
		"client_secret": {"x"}, "auth_url": {"https://p.example/a"}, "token_url": {"https://p.example/t"}})
	require.Equal(t, http.StatusOK, status, body)
	msg := m.waitMail(t, 1)
	assert.Contains(t, msg.Subject, evil, "the product name is the mail's subject")
	link := m.inviteLink(t, msg)
	ps, err := m.p.Branding.Providers(context.Background(), demoPlatformID)
	require.NoError(t, err)
	require.Len(t, ps, 1)

	pages := map[string]*struct{}{"/whitelabel": nil, "/invitations": nil, "/login-methods": nil,
		"/login-methods?edit=" + ps[0].ID: nil, "/mailbox": nil, "/mailbox/" + msg.ID: nil}
	for path := range pages {
		body := m.page(t, path)
		assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", path)
		assert.NotContains(t, body, "<script", path)
	}
	status, body = fetch(t, newClient(t), link)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "a customer account for &lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, body, "<script")
	assert.True(t, strings.Contains(body, "on &lt;script&gt;"), "the product name, escaped")
}
