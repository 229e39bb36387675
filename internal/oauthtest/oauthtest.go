// Package oauthtest runs an OAuth 2.0 authorization server for tests, on
// httptest over loopback HTTP. It knows one confidential client and serves:
//
//   - /authorize (RFC 6749 section 4.1.1 with RFC 7636 PKCE): checks
//     client_id and redirect_uri (refused with a 400 page, never redirected,
//     when wrong), then response_type=code, a code_challenge and
//     code_challenge_method=S256 (refused by redirecting with error=...),
//     and redirects to redirect_uri with a fresh code and the state;
//   - /token (section 4.1.3): authenticates the client by HTTP Basic (with
//     the form-urlencoded id and secret of section 2.3.1) or by the
//     client_id and client_secret form parameters, never both; checks
//     grant_type, the code (single use: a second use is refused and revokes
//     the access token the first one got), the redirect_uri and the PKCE
//     code_verifier against the stored S256 challenge; refuses with the JSON
//     errors of section 5.2 (invalid_request, invalid_client, invalid_grant,
//     unsupported_grant_type) and answers with a Bearer access token;
//   - /userinfo: answers {"email": ...} for a valid Bearer access token.
//
// A test plays the browser with Authorize, which follows the authorization
// URL and returns the redirect the browser would be sent to.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultEmail is the email of the user who signs in until SetUser is
// called.
const DefaultEmail = "user@example.com"

// CodeLifetime is how long an authorization code can be exchanged.
const CodeLifetime = 10 * time.Minute

// TokenLifetime is how long an access token is accepted by /userinfo.
const TokenLifetime = time.Hour

// Provider is a running authorization server. Its methods are safe for
// concurrent use.
type Provider struct {
	srv          *httptest.Server
	clientID     string
	clientSecret string

	mu           sync.Mutex
	email        string
	redirectURIs []string
	deny         *denial
	codes        map[string]*grant
	tokens       map[string]*issued
}

type denial struct{ code, description string }

// grant is what an authorization code was issued for.
type grant struct {
	clientID    string
	redirectURI string
	challenge   string
	scope       string
	email       string
	expires     time.Time
	used        bool
	token       string // access token issued for it, revoked on reuse
}

type issued struct {
	email   string
	expires time.Time
}

// Start runs a Provider for the confidential client clientID with
// clientSecret, closed when the test ends.
func Start(t testing.TB, clientID, clientSecret string) *Provider {
	t.Helper()
	p := &Provider{
		clientID:     clientID,
		clientSecret: clientSecret,
		email:        DefaultEmail,
		codes:        map[string]*grant{},
		tokens:       map[string]*issued{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", p.authorize)
	mux.HandleFunc("/token", p.token)
	mux.HandleFunc("/userinfo", p.userinfo)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// URL is the server's base URL (http://127.0.0.1:port).
func (p *Provider) URL() string { return p.srv.URL }

// AuthURL is the authorization endpoint.
func (p *Provider) AuthURL() string { return p.srv.URL + "/authorize" }

// TokenURL is the token endpoint.
func (p *Provider) TokenURL() string { return p.srv.URL + "/token" }

// UserInfoURL is the endpoint that returns the signed-in user's email.
func (p *Provider) UserInfoURL() string { return p.srv.URL + "/userinfo" }

// SetUser sets the email of the user who signs in at the next
// authorizations; codes and tokens already issued keep theirs.
func (p *Provider) SetUser(email string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.email = email
}

// AllowRedirectURI registers a redirect URI of the client. Once one is
// registered, /authorize accepts only registered URIs, compared exactly;
// until then it accepts any absolute http or https URI without fragment.
func (p *Provider) AllowRedirectURI(uri string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirectURIs = append(p.redirectURIs, uri)
}

// DenyNext makes the next valid authorization request redirect back with
// the error code (such as "access_denied") and description instead of a
// code, as when the user cancels.
func (p *Provider) DenyNext(code, description string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = &denial{code: code, description: description}
}

// Authorize plays the browser: it requests authURL without following
// redirects and returns where the server redirects to, which carries
// either code and state or error, error_description and state. It returns
// an error when the server answers anything but a redirect (as it does for
// an unknown client or a bad redirect_uri).
func (p *Provider) Authorize(authURL string) (redirect *url.URL, err error) {
	client := p.srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Get(authURL)
	if err != nil {
		return nil, fmt.Errorf("oauthtest: authorize: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("oauthtest: authorize: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("oauthtest: authorize: %w", err)
	}
	return loc, nil
}

func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if k := repeated(q); k != "" {
		http.Error(w, "invalid_request: parameter "+k+" repeated", http.StatusBadRequest)
		return
	}
	// Errors in the client or the redirect URI must not be redirected
	// (RFC 6749 section 4.1.2.1): the redirect target is not trusted.
	if cid := q.Get("client_id"); cid == "" || cid != p.clientID {
		http.Error(w, "invalid_request: unknown client_id", http.StatusBadRequest)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if reason := p.checkRedirectURI(redirectURI); reason != "" {
		http.Error(w, "invalid_request: redirect_uri "+reason, http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	back := func(v url.Values) {
		u, _ := url.Parse(redirectURI)
		rq := u.Query()
		for k, vs := range v {
			rq[k] = vs
		}
		if state != "" {
			rq.Set("state", state)
		}
		u.RawQuery = rq.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, description string) {
		back(url.Values{"error": {code}, "error_description": {description}})
	}
	switch rt := q.Get("response_type"); {
	case rt == "":
		fail("invalid_request", "response_type is required")
		return
	case rt != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	switch m := q.Get("code_challenge_method"); m {
	case "S256":
	case "":
		fail("invalid_request", "code_challenge_method=S256 is required")
		return
	default:
		fail("invalid_request", "transform algorithm not supported")
		return
	}
	challenge := q.Get("code_challenge")
	if challenge == "" {
		fail("invalid_request", "code challenge required")
		return
	}
	if d, err := base64.RawURLEncoding.DecodeString(challenge); err != nil || len(d) != sha256.Size {
		fail("invalid_request", "code_challenge is not a base64url SHA-256 digest")
		return
	}

	p.mu.Lock()
	deny := p.deny
	p.deny = nil
	email := p.email
	var code string
	if deny == nil {
		code = randomText()
		p.codes[code] = &grant{
			clientID:    p.clientID,
			redirectURI: redirectURI,
			challenge:   challenge,
			scope:       q.Get("scope"),
			email:       email,
			expires:     time.Now().Add(CodeLifetime),
		}
	}
	p.mu.Unlock()
	if deny != nil {
		fail(deny.code, deny.description)
		return
	}
	back(url.Values{"code": {code}})
}

// checkRedirectURI returns why uri is refused, or "".
func (p *Provider) checkRedirectURI(uri string) string {
	if uri == "" {
		return "is required"
	}
	u, err := url.Parse(uri)
	if err != nil || !u.IsAbs() || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an absolute http or https URI"
	}
	if u.Fragment != "" || strings.Contains(uri, "#") {
		return "must not have a fragment"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.redirectURIs) > 0 && !slices.Contains(p.redirectURIs, uri) {
		return "is not registered"
	}
	return ""
}

// tokenError is an RFC 6749 section 5.2 error response.
type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, description string) {
		writeJSON(w, status, tokenError{Error: code, Description: description})
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		fail(http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail(http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	f := r.PostForm
	if k := repeated(f); k != "" {
		fail(http.StatusBadRequest, "invalid_request", "parameter "+k+" repeated")
		return
	}

	// Client authentication (RFC 6749 section 2.3.1).
	user, pass, basic := r.BasicAuth()
	var clientID, secret string
	switch {
	case basic && f.Has("client_secret"):
		fail(http.StatusBadRequest, "invalid_request", "more than one client authentication method")
		return
	case basic:
		var err1, err2 error
		clientID, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil || (f.Has("client_id") && f.Get("client_id") != clientID) {
			w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
			fail(http.StatusUnauthorized, "invalid_client", "client authentication failed")
			return
		}
	default:
		clientID, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if clientID == "" || secret == "" || !equal(clientID, p.clientID) || !equal(secret, p.clientSecret) {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="oauthtest"`)
		}
		fail(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}

	switch gt := f.Get("grant_type"); gt {
	case "authorization_code":
	case "":
		fail(http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := f.Get("code")
	if code == "" {
		fail(http.StatusBadRequest, "invalid_request", "code is required")
		return
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.codes[code]
	if g == nil || g.clientID != clientID {
		fail(http.StatusBadRequest, "invalid_grant", "unknown authorization code")
		return
	}
	if g.used {
		// RFC 6749 section 4.1.2: refuse, and revoke what the code got.
		delete(p.tokens, g.token)
		fail(http.StatusBadRequest, "invalid_grant", "authorization code already used")
		return
	}
	// Any attempt by the authenticated client uses the code up, so a
	// failed exchange cannot be retried with another verifier.
	g.used = true
	if time.Now().After(g.expires) {
		fail(http.StatusBadRequest, "invalid_grant", "authorization code expired")
		return
	}
	if f.Get("redirect_uri") != g.redirectURI {
		fail(http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request")
		return
	}
	verifier := f.Get("code_verifier")
	if verifier == "" {
		fail(http.StatusBadRequest, "invalid_request", "code_verifier is required")
		return
	}
	if !validVerifier(verifier) {
		fail(http.StatusBadRequest, "invalid_request", "code_verifier must be 43 to 128 unreserved characters")
		return
	}
	sum := sha256.Sum256([]byte(verifier))
	if !equal(base64.RawURLEncoding.EncodeToString(sum[:]), g.challenge) {
		fail(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code challenge")
		return
	}
	access := randomText()
	g.token = access
	p.tokens[access] = &issued{email: g.email, expires: time.Now().Add(TokenLifetime)}
	resp := map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(TokenLifetime / time.Second),
	}
	if g.scope != "" {
		resp["scope"] = g.scope
	}
	writeJSON(w, http.StatusOK, resp)
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthtest"`)
		http.Error(w, "bearer token required", http.StatusUnauthorized)
		return
	}
	p.mu.Lock()
	it := p.tokens[tok]
	p.mu.Unlock()
	if it == nil || time.Now().After(it.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="oauthtest", error="invalid_token"`)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"email": it.email})
}

// repeated returns the name of a parameter sent more than once, which
// RFC 6749 section 3.1 forbids, or "".
func repeated(v url.Values) string {
	for k, vs := range v {
		if len(vs) > 1 {
			return k
		}
	}
	return ""
}

// validVerifier reports whether v has the RFC 7636 section 4.1 form.
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func randomText() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b[:])
}
