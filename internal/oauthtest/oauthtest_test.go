package oauthtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/internal/oauthtest"
)

const (
	clientID     = "client-1"
	clientSecret = "s3cret:with/odd&chars"
	redirectURI  = "https://app.example/oauth/callback"
)

func config(p *oauthtest.Provider, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: clientSecret,
		RedirectURL:  redirectURI,
		Scopes:       []string{"openid", "email"},
		Endpoint:     oauth2.Endpoint{AuthURL: p.AuthURL(), TokenURL: p.TokenURL(), AuthStyle: style},
	}
}

// authorize runs /authorize and returns the code.
func authorize(t *testing.T, p *oauthtest.Provider, cfg *oauth2.Config, verifier string) string {
	t.Helper()
	loc, err := p.Authorize(cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)))
	require.NoError(t, err)
	assert.Equal(t, "app.example", loc.Host)
	assert.Equal(t, "st-1", loc.Query().Get("state"))
	require.Empty(t, loc.Query().Get("error"), loc.Query().Get("error_description"))
	code := loc.Query().Get("code")
	require.NotEmpty(t, code)
	return code
}

func userinfo(t *testing.T, p *oauthtest.Provider, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.UserInfoURL(), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct{ Email string }
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Email
}

func TestRoundTrip(t *testing.T) {
	for name, style := range map[string]oauth2.AuthStyle{
		"basic": oauth2.AuthStyleInHeader, "form": oauth2.AuthStyleInParams, "auto": oauth2.AuthStyleAutoDetect,
	} {
		t.Run(name, func(t *testing.T) {
			p := oauthtest.Start(t, clientID, clientSecret)
			p.AllowRedirectURI(redirectURI)
			p.SetUser("ada@example.com")
			cfg := config(p, style)
			v := oauth2.GenerateVerifier()
			code := authorize(t, p, cfg, v)
			tok, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(v))
			require.NoError(t, err)
			assert.Equal(t, "Bearer", tok.Type())
			status, email := userinfo(t, p, tok.AccessToken)
			assert.Equal(t, http.StatusOK, status)
			assert.Equal(t, "ada@example.com", email)

			// A second use is refused and revokes the token.
			_, err = cfg.Exchange(context.Background(), code, oauth2.VerifierOption(v))
			requireCode(t, err, "invalid_grant")
			status, _ = userinfo(t, p, tok.AccessToken)
			assert.Equal(t, http.StatusUnauthorized, status)
		})
	}
}

func requireCode(t *testing.T, err error, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, code, re.ErrorCode, re.ErrorDescription)
}

func TestAuthorizeRefusals(t *testing.T) {
	p := oauthtest.Start(t, clientID, clientSecret)
	p.AllowRedirectURI(redirectURI)
	cfg := config(p, oauth2.AuthStyleInHeader)
	v := oauth2.GenerateVerifier()

	// Not redirected: unknown client, bad or unregistered redirect URI.
	other := *cfg
	other.ClientID = "nobody"
	_, err := p.Authorize(other.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
	assert.ErrorContains(t, err, "client_id")
	for _, ru := range []string{"", "https://evil.example/cb", "/relative", redirectURI + "#frag"} {
		other := *cfg
		other.RedirectURL = ru
		_, err := p.Authorize(other.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
		assert.ErrorContains(t, err, "redirect_uri", ru)
	}

	// Redirected back with an error and the state.
	back := func(authURL string) url.Values {
		t.Helper()
		loc, err := p.Authorize(authURL)
		require.NoError(t, err)
		assert.Empty(t, loc.Query().Get("code"))
		assert.Equal(t, "s", loc.Query().Get("state"))
		return loc.Query()
	}
	assert.Equal(t, "invalid_request", back(cfg.AuthCodeURL("s")).Get("error"), "no PKCE")
	assert.Equal(t, "invalid_request", back(cfg.AuthCodeURL("s",
		oauth2.SetAuthURLParam("code_challenge", v),
		oauth2.SetAuthURLParam("code_challenge_method", "plain"))).Get("error"), "plain PKCE")
	assert.Equal(t, "unsupported_response_type", back(strings.Replace(
		cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)), "response_type=code", "response_type=token", 1)).Get("error"))

	p.DenyNext("access_denied", "the user said no")
	q := back(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
	assert.Equal(t, "access_denied", q.Get("error"))
	assert.Equal(t, "the user said no", q.Get("error_description"))
	authorize(t, p, cfg, v) // only the next one is denied
}

func TestTokenRefusals(t *testing.T) {
	p := oauthtest.Start(t, clientID, clientSecret)
	cfg := config(p, oauth2.AuthStyleInParams)
	ctx := context.Background()

	post := func(form url.Values, basic bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, p.TokenURL(), strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		var e struct{ Error string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
		return resp.StatusCode, e.Error
	}

	v := oauth2.GenerateVerifier()
	code := authorize(t, p, cfg, v)
	good := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {v}, "client_id": {clientID}, "client_secret": {clientSecret}}
	with := func(k, val string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		if val == "" {
			f.Del(k)
		} else {
			f.Set(k, val)
		}
		return f
	}
	// None of these uses the code up: the client is not authenticated or
	// the request is malformed before the code is looked at.
	st, e := post(with("client_secret", "wrong"), false)
	assert.Equal(t, http.StatusUnauthorized, st)
	assert.Equal(t, "invalid_client", e)
	_, e = post(with("client_id", ""), false)
	assert.Equal(t, "invalid_client", e)
	_, e = post(good, true)
	assert.Equal(t, "invalid_request", e, "two authentication methods")
	_, e = post(with("grant_type", "password"), false)
	assert.Equal(t, "unsupported_grant_type", e)
	_, e = post(with("grant_type", ""), false)
	assert.Equal(t, "invalid_request", e)
	_, e = post(with("code", "nope"), false)
	assert.Equal(t, "invalid_grant", e)

	// Wrong verifier: refused, and the code is used up.
	_, e = post(with("code_verifier", oauth2.GenerateVerifier()), false)
	assert.Equal(t, "invalid_grant", e)
	_, e = post(good, false)
	assert.Equal(t, "invalid_grant", e, "code used up")

	// Redirect URI mismatch and missing verifier.
	code = authorize(t, p, cfg, v)
	good.Set("code", code)
	_, e = post(with("redirect_uri", "https://app.example/other"), false)
	assert.Equal(t, "invalid_grant", e)
	code = authorize(t, p, cfg, v)
	good.Set("code", code)
	_, e = post(with("code_verifier", ""), false)
	assert.Equal(t, "invalid_request", e)

	// Basic authentication alone works.
	code = authorize(t, p, cfg, v)
	f := with("client_secret", "")
	f.Set("code", code)
	st, e = post(f, true)
	assert.Equal(t, http.StatusOK, st)
	assert.Empty(t, e)

	// Through x/oauth2: a wrong verifier is an invalid_grant.
	code = authorize(t, p, cfg, v)
	_, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	requireCode(t, err, "invalid_grant")
}

func TestUserInfoRefusals(t *testing.T) {
	p := oauthtest.Start(t, clientID, clientSecret)
	st, _ := userinfo(t, p, "")
	assert.Equal(t, http.StatusUnauthorized, st)
	st, _ = userinfo(t, p, "made-up")
	assert.Equal(t, http.StatusUnauthorized, st)
}
