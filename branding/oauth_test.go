package branding_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/oauthtest"
)

const (
	oauthPlatform = "platform-1"
	oauthCallback = "https://reseller.example/oauth/callback"
)

var (
	oauthKey = bytes.Repeat([]byte{0x42}, 32)
	oauthNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

type oauthFixture struct {
	op       *oauthtest.Provider
	provider branding.Provider
	cfg      *oauth2.Config
}

func newOAuthFixture(t *testing.T) oauthFixture {
	t.Helper()
	op := oauthtest.Start(t, "client-1", "secret-1")
	op.AllowRedirectURI(oauthCallback)
	p := branding.Provider{
		PlatformID:   oauthPlatform,
		ID:           "prov-1",
		Name:         "Test IdP",
		ClientID:     "client-1",
		ClientSecret: "secret-1",
		AuthURL:      op.AuthURL(),
		TokenURL:     op.TokenURL(),
		UserInfoURL:  op.UserInfoURL(),
		Scopes:       []string{"openid", "email"},
		Enabled:      true,
	}
	require.NoError(t, branding.CheckProvider(p))
	return oauthFixture{op: op, provider: p, cfg: p.OAuth2Config(oauthCallback)}
}

// begin runs BeginLogin, seals the state into a cookie value, plays the
// browser at the provider and opens the cookie at the callback.
func (f oauthFixture) begin(t *testing.T) (branding.LoginState, url.Values) {
	t.Helper()
	authURL, st := branding.BeginLogin(f.cfg, f.provider.ID, "/settings?tab=2", oauthNow)
	cookie, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
	require.NoError(t, err)
	loc, err := f.op.Authorize(authURL)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(loc.String(), oauthCallback+"?"), loc.String())
	opened, err := branding.OpenLoginState(oauthKey, oauthPlatform, cookie, oauthNow.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, st, opened)
	return opened, loc.Query()
}

func TestOAuthLoginRoundTrip(t *testing.T) {
	f := newOAuthFixture(t)
	f.op.SetUser("ada@example.com")
	ctx := context.Background()

	authURL, st := branding.BeginLogin(f.cfg, f.provider.ID, "/settings?tab=2", oauthNow)
	u, err := url.Parse(authURL)
	require.NoError(t, err)
	q := u.Query()
	assert.Equal(t, "client-1", q.Get("client_id"))
	assert.Equal(t, oauthCallback, q.Get("redirect_uri"))
	assert.Equal(t, "openid email", q.Get("scope"))
	assert.Equal(t, st.State, q.Get("state"))
	assert.Equal(t, "S256", q.Get("code_challenge_method"))
	assert.Equal(t, oauth2.S256ChallengeFromVerifier(st.Verifier), q.Get("code_challenge"))
	assert.NotContains(t, authURL, st.Verifier, "the verifier never leaves the server in the authorization request")
	raw, err := base64.RawURLEncoding.DecodeString(st.State)
	require.NoError(t, err)
	assert.Len(t, raw, 32, "256 bits of state")
	assert.Equal(t, "prov-1", st.ProviderID)
	assert.Equal(t, "/settings?tab=2", st.ReturnTo)
	assert.Equal(t, oauthNow.Add(branding.LoginStateLifetime), st.Expires)

	cookie, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
	require.NoError(t, err)
	assert.NotContains(t, cookie, st.Verifier)
	assert.NotContains(t, cookie, st.State)
	assert.Equal(t, url.QueryEscape(cookie), cookie, "cookie-safe text")

	loc, err := f.op.Authorize(authURL)
	require.NoError(t, err)
	opened, err := branding.OpenLoginState(oauthKey, oauthPlatform, cookie, oauthNow.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, st, opened)

	tok, err := branding.CompleteLogin(ctx, f.cfg, opened, loc.Query())
	require.NoError(t, err)
	require.NotEmpty(t, tok.AccessToken)

	resp, err := f.cfg.Client(ctx, tok).Get(f.provider.UserInfoURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var info struct{ Email string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
	assert.Equal(t, "ada@example.com", info.Email)
}

func TestOAuthLoginRefusals(t *testing.T) {
	ctx := context.Background()

	t.Run("wrong state", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		wrong := []byte(st.State)
		wrong[0] ^= 0x01 // still base64url, another value
		q.Set("state", string(wrong))
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		assert.ErrorContains(t, err, "state mismatch")
		q.Del("state")
		_, err = branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		// A callback begun in another browser: its own valid state, not ours.
		other, _ := f.begin(t)
		_, err = branding.CompleteLogin(ctx, f.cfg, other, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
	})

	t.Run("repeated parameter", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		q.Add("code", "other")
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
	})

	t.Run("no code", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		q.Del("code")
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		assert.ErrorContains(t, err, "no code")
	})

	t.Run("reused code", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		require.NoError(t, err)
		_, err = branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, "invalid_grant", re.ErrorCode)
	})

	t.Run("missing verifier", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		st.Verifier = ""
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		assert.ErrorContains(t, err, "verifier")
	})

	t.Run("wrong verifier", func(t *testing.T) {
		f := newOAuthFixture(t)
		st, q := f.begin(t)
		st.Verifier = oauth2.GenerateVerifier()
		_, err := branding.CompleteLogin(ctx, f.cfg, st, q)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re, "refused by the provider")
		assert.Equal(t, "invalid_grant", re.ErrorCode)
	})

	t.Run("provider error parameter", func(t *testing.T) {
		f := newOAuthFixture(t)
		f.op.DenyNext("access_denied", "The user\x1b[31m cancelled\r\nSet-Cookie: x=1 "+strings.Repeat("z", 500))
		authURL, st := branding.BeginLogin(f.cfg, f.provider.ID, "/", oauthNow)
		loc, err := f.op.Authorize(authURL)
		require.NoError(t, err)
		_, err = branding.CompleteLogin(ctx, f.cfg, st, loc.Query())
		require.ErrorIs(t, err, branding.ErrOAuth)
		msg := err.Error()
		assert.Contains(t, msg, `"access_denied"`)
		assert.Contains(t, msg, "The user[31m cancelledSet-Cookie")
		assert.NotContains(t, msg, "\x1b")
		assert.NotContains(t, msg, "\r\n")
		assert.Less(t, len(msg), 400, "description truncated")

		// A forged error callback without the state is a state mismatch.
		_, err = branding.CompleteLogin(ctx, f.cfg, st, url.Values{"error": {"access_denied"}})
		assert.ErrorIs(t, err, branding.ErrOAuth)
		assert.NotContains(t, err.Error(), "access_denied")
	})

	t.Run("expired state", func(t *testing.T) {
		_, st := branding.BeginLogin(newOAuthFixture(t).cfg, "prov-1", "/", oauthNow)
		cookie, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
		require.NoError(t, err)
		_, err = branding.OpenLoginState(oauthKey, oauthPlatform, cookie, oauthNow.Add(branding.LoginStateLifetime))
		assert.ErrorIs(t, err, branding.ErrOAuth)
		assert.ErrorContains(t, err, "expired")
		_, err = branding.OpenLoginState(oauthKey, oauthPlatform, cookie, oauthNow.Add(branding.LoginStateLifetime-time.Second))
		assert.NoError(t, err)
	})

	t.Run("sealed for another platform or key", func(t *testing.T) {
		_, st := branding.BeginLogin(newOAuthFixture(t).cfg, "prov-1", "/", oauthNow)
		cookie, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
		require.NoError(t, err)
		_, err = branding.OpenLoginState(oauthKey, "platform-2", cookie, oauthNow)
		assert.ErrorIs(t, err, branding.ErrOAuth)
		_, err = branding.OpenLoginState(bytes.Repeat([]byte{1}, 32), oauthPlatform, cookie, oauthNow)
		assert.ErrorIs(t, err, branding.ErrOAuth)
	})

	t.Run("tampered sealed state", func(t *testing.T) {
		_, st := branding.BeginLogin(newOAuthFixture(t).cfg, "prov-1", "/", oauthNow)
		cookie, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
		require.NoError(t, err)
		box, err := base64.RawURLEncoding.DecodeString(cookie)
		require.NoError(t, err)
		for i := range box {
			b := bytes.Clone(box)
			b[i] ^= 0x01
			_, err := branding.OpenLoginState(oauthKey, oauthPlatform, base64.RawURLEncoding.EncodeToString(b), oauthNow)
			require.ErrorIs(t, err, branding.ErrOAuth, "byte %d", i)
		}
		for _, bad := range []string{"", "not base64!", cookie[:20], cookie + "A", strings.Repeat("A", 10000)} {
			_, err := branding.OpenLoginState(oauthKey, oauthPlatform, bad, oauthNow)
			assert.ErrorIs(t, err, branding.ErrOAuth, bad)
		}
	})

	t.Run("bad key", func(t *testing.T) {
		_, err := branding.SealLoginState([]byte("short"), oauthPlatform, branding.LoginState{})
		assert.ErrorIs(t, err, branding.ErrInvalid)
		_, err = branding.OpenLoginState(nil, oauthPlatform, "x", oauthNow)
		assert.ErrorIs(t, err, branding.ErrInvalid)
	})
}

func TestBeginLoginSanitizesReturnTo(t *testing.T) {
	cfg := branding.Provider{ClientID: "c", AuthURL: "https://idp.example/authorize"}.OAuth2Config(oauthCallback)
	_, st := branding.BeginLogin(cfg, "p", "//evil.example/x", oauthNow)
	assert.Equal(t, "/", st.ReturnTo)
	_, st2 := branding.BeginLogin(cfg, "p", "/", oauthNow)
	assert.NotEqual(t, st.State, st2.State)
	assert.NotEqual(t, st.Verifier, st2.Verifier)
}

func TestOAuth2Config(t *testing.T) {
	p := branding.Provider{ClientID: "id", ClientSecret: "sec", AuthURL: "https://idp.example/a",
		TokenURL: "https://idp.example/t", Scopes: []string{"openid"}}
	cfg := p.OAuth2Config(oauthCallback)
	assert.Equal(t, "id", cfg.ClientID)
	assert.Equal(t, "sec", cfg.ClientSecret)
	assert.Equal(t, "https://idp.example/a", cfg.Endpoint.AuthURL)
	assert.Equal(t, "https://idp.example/t", cfg.Endpoint.TokenURL)
	assert.Equal(t, oauthCallback, cfg.RedirectURL)
	cfg.Scopes[0] = "changed"
	assert.Equal(t, "openid", p.Scopes[0], "scopes copied")
}

func TestSafeReturnTo(t *testing.T) {
	for raw, want := range map[string]string{
		"":                              "/",
		"/":                             "/",
		"/ok?x=1":                       "/ok?x=1",
		"/a/b/c?x=1&y=%2F#frag":         "/a/b/c?x=1&y=%2F#frag",
		"/%2F/evil.example":             "/%2F/evil.example",
		"//evil.example":                "/",
		"///evil.example":               "/",
		"/\\evil.example":               "/",
		"/ok\\..\\x":                    "/",
		"\\\\evil.example":              "/",
		"https://evil.example":          "/",
		"https://evil.example/ok":       "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"ok":                            "/",
		"/\t/evil.example":              "/",
		"/ok\r\nSet-Cookie: x=1":        "/",
		"/ok\x00":                       "/",
		"/ok\x7f":                       "/",
		"/ok\u0085":                     "/",
		"/\xff":                         "/",
		"/%zz":                          "/",
		"/" + strings.Repeat("a", 2047): "/" + strings.Repeat("a", 2047),
		"/" + strings.Repeat("a", 2048): "/",
	} {
		assert.Equal(t, want, branding.SafeReturnTo(raw), "%q", raw)
	}
}

func TestCheckProvider(t *testing.T) {
	good := branding.Provider{
		Name:         "Okta (staff)",
		ClientID:     "0oa1b2c3d4",
		ClientSecret: "s3cr3t",
		AuthURL:      "https://idp.example/oauth2/v1/authorize",
		TokenURL:     "https://idp.example/oauth2/v1/token",
		UserInfoURL:  "https://idp.example/oauth2/v1/userinfo",
		IssuerURL:    "https://idp.example",
		Scopes:       []string{"openid", "email", "https://www.googleapis.com/auth/userinfo.email"},
	}
	require.NoError(t, branding.CheckProvider(good))

	ok := []func(p *branding.Provider){
		func(p *branding.Provider) { p.UserInfoURL, p.IssuerURL, p.Scopes = "", "", nil },
		func(p *branding.Provider) { p.Name = "Connexion Équipe" },
		func(p *branding.Provider) { p.Name = strings.Repeat("é", 64) },
		func(p *branding.Provider) { p.AuthURL = "http://127.0.0.1:8080/authorize" },
		func(p *branding.Provider) { p.TokenURL = "http://[::1]:8080/token" },
		func(p *branding.Provider) { p.TokenURL = "http://localhost/token" },
		func(p *branding.Provider) { p.AuthURL = "https://idp.example/authorize?tenant=a" },
		func(p *branding.Provider) { p.ClientSecret = strings.Repeat("x", 1024) },
		func(p *branding.Provider) { p.ClientID = strings.Repeat("x", 512) },
		func(p *branding.Provider) {
			p.Scopes = nil
			for i := range 32 {
				p.Scopes = append(p.Scopes, "scope-"+strconv.Itoa(i))
			}
		},
	}
	for i, mod := range ok {
		p := good
		mod(&p)
		assert.NoError(t, branding.CheckProvider(p), "case %d", i)
	}

	bad := []struct {
		field string
		mod   func(p *branding.Provider)
	}{
		{"provider.name", func(p *branding.Provider) { p.Name = "" }},
		{"provider.name", func(p *branding.Provider) { p.Name = strings.Repeat("é", 65) }},
		{"provider.name", func(p *branding.Provider) { p.Name = "Okta\n" }},
		{"provider.name", func(p *branding.Provider) { p.Name = "Ok\x00ta" }},
		{"provider.name", func(p *branding.Provider) { p.Name = "Ok\u202eta" }},
		{"provider.name", func(p *branding.Provider) { p.Name = " Okta" }},
		{"provider.name", func(p *branding.Provider) { p.Name = "Ok\xffta" }},
		{"provider.client_id", func(p *branding.Provider) { p.ClientID = "" }},
		{"provider.client_id", func(p *branding.Provider) { p.ClientID = strings.Repeat("x", 513) }},
		{"provider.client_id", func(p *branding.Provider) { p.ClientID = "clïent" }},
		{"provider.client_id", func(p *branding.Provider) { p.ClientID = "client\t1" }},
		{"provider.client_id", func(p *branding.Provider) { p.ClientID = "client-1 " }},
		{"provider.client_secret", func(p *branding.Provider) { p.ClientSecret = "" }},
		{"provider.client_secret", func(p *branding.Provider) { p.ClientSecret = strings.Repeat("x", 1025) }},
		{"provider.client_secret", func(p *branding.Provider) { p.ClientSecret = "sec\nret" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "http://idp.example/authorize" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "http://127.0.0.2/authorize" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "http://localhost.evil.example/authorize" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "/authorize" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "idp.example/authorize" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "javascript:alert(1)" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "ftp://idp.example/a" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://user:pw@idp.example/a" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://idp.example/a#frag" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://idp.example/a#" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://idp.example/a b" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://ïdp.example/a" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https:///a" }},
		{"provider.auth_url", func(p *branding.Provider) { p.AuthURL = "https://idp.example/" + strings.Repeat("a", 2048) }},
		{"provider.token_url", func(p *branding.Provider) { p.TokenURL = "" }},
		{"provider.token_url", func(p *branding.Provider) { p.TokenURL = "http://idp.example/token" }},
		{"provider.userinfo_url", func(p *branding.Provider) { p.UserInfoURL = "http://idp.example/userinfo" }},
		{"provider.issuer_url", func(p *branding.Provider) { p.IssuerURL = "https://idp.example/#x" }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{""} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{"openid email"} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{`op"enid`} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{`op\enid`} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{"émail"} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{strings.Repeat("s", 129)} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = []string{"openid", "openid"} }},
		{"provider.scopes", func(p *branding.Provider) { p.Scopes = make([]string, 33) }},
	}
	for i, c := range bad {
		p := good
		p.Scopes = append([]string(nil), good.Scopes...)
		c.mod(&p)
		err := branding.CheckProvider(p)
		require.ErrorIs(t, err, branding.ErrInvalid, "case %d", i)
		var ie *branding.InvalidError
		require.True(t, errors.As(err, &ie))
		assert.Equal(t, c.field, ie.Field, "case %d: %v", i, err)
	}
}

func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/ok?x=1", "//evil.example", "/\\evil.example", "https://evil.example",
		"javascript:alert(1)", "/\t/x", "/%2F%2F", "/a\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out := branding.SafeReturnTo(raw)
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
			t.Fatalf("SafeReturnTo(%q) = %q", raw, out)
		}
		if strings.ContainsFunc(out, unicode.IsControl) || strings.Contains(out, "\\") {
			t.Fatalf("SafeReturnTo(%q) = %q has a control character or backslash", raw, out)
		}
		if out != "/" && out != raw {
			t.Fatalf("SafeReturnTo(%q) = %q: neither kept nor refused", raw, out)
		}
		u, err := url.Parse(out)
		if err != nil || u.Scheme != "" || u.Host != "" {
			t.Fatalf("SafeReturnTo(%q) = %q is not local", raw, out)
		}
	})
}

func FuzzOpenLoginState(f *testing.F) {
	st := branding.LoginState{ProviderID: "p", State: "s", Verifier: "v", ReturnTo: "/", Expires: oauthNow.Add(time.Hour)}
	good, err := branding.SealLoginState(oauthKey, oauthPlatform, st)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good[:len(good)-1] + "B")
	f.Add(good[:40])
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("A", 200))
	f.Fuzz(func(t *testing.T, sealed string) {
		if sealed == good {
			return
		}
		if _, err := branding.OpenLoginState(oauthKey, oauthPlatform, sealed, oauthNow); !errors.Is(err, branding.ErrOAuth) {
			t.Fatalf("OpenLoginState(%q) = %v, want ErrOAuth", sealed, err)
		}
	})
}
