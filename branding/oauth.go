package branding

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/validate"
)

// Limits on a Provider, checked by CheckProvider.
const (
	// MaxProviderNameLength is the longest provider name, in characters.
	MaxProviderNameLength = 64
	// MaxClientIDLength is the longest client ID, in bytes.
	MaxClientIDLength = 512
	// MaxClientSecretLength is the longest client secret, in bytes.
	MaxClientSecretLength = 1024
	// MaxProviderURLLength is the longest endpoint URL, in bytes.
	MaxProviderURLLength = 2048
	// MaxScopes is the most scopes a provider may ask for.
	MaxScopes = 32
	// MaxScopeLength is the longest scope, in bytes.
	MaxScopeLength = 128
)

// LoginStateLifetime is how long a login round trip begun by BeginLogin
// may take before OpenLoginState refuses its state.
const LoginStateLifetime = 10 * time.Minute

// MaxReturnToLength is the longest path SafeReturnTo keeps.
const MaxReturnToLength = 2048

// maxSealedStateLength bounds the text OpenLoginState decodes; a sealed
// state is a few hundred bytes.
const maxSealedStateLength = 8192

// OAuth2Config returns the golang.org/x/oauth2 configuration of the
// provider for a callback at redirectURL. It holds the client secret in
// clear; keep it in memory only. The client authenticates to the token
// endpoint the way x/oauth2 detects (HTTP Basic first, then form
// parameters), since providers differ. The scopes are copied.
func (p Provider) OAuth2Config(redirectURL string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   p.AuthURL,
			TokenURL:  p.TokenURL,
			AuthStyle: oauth2.AuthStyleAutoDetect,
		},
		RedirectURL: redirectURL,
		Scopes:      slices.Clone(p.Scopes),
	}
}

// CheckProvider validates a provider's settings and returns an error
// matching ErrInvalid that names the field ("provider.auth_url") and the
// reason:
//   - Name: 1 to 64 printable characters, no leading or trailing space;
//   - ClientID: required, at most 512 bytes of printable ASCII;
//   - ClientSecret: required, at most 1024 bytes, no control characters;
//   - AuthURL and TokenURL: required; UserInfoURL and IssuerURL: optional;
//     each an absolute https URL of at most 2048 bytes of ASCII, without
//     user info or fragment (http is allowed for the loopback hosts
//     127.0.0.1, ::1 and localhost, for tests and development);
//   - Scopes: at most 32, each 1 to 128 printable ASCII characters
//     without spaces, quotes or backslashes (RFC 6749 section 3.3), no
//     duplicates.
//
// It does not check PlatformID, ID or the timestamps, which the Service
// sets.
func CheckProvider(p Provider) error {
	if err := checkProviderName(p.Name); err != nil {
		return err
	}
	switch {
	case p.ClientID == "":
		return invalid("provider.client_id", "is required")
	case len(p.ClientID) > MaxClientIDLength:
		return invalid("provider.client_id", fmt.Sprintf("is longer than %d bytes", MaxClientIDLength))
	case !printableASCII(p.ClientID, true):
		return invalid("provider.client_id", "must be printable ASCII")
	case p.ClientID != strings.TrimSpace(p.ClientID):
		return invalid("provider.client_id", "must not begin or end with a space")
	}
	switch {
	case p.ClientSecret == "":
		return invalid("provider.client_secret", "is required")
	case len(p.ClientSecret) > MaxClientSecretLength:
		return invalid("provider.client_secret", fmt.Sprintf("is longer than %d bytes", MaxClientSecretLength))
	case !utf8.ValidString(p.ClientSecret):
		return invalid("provider.client_secret", "is not valid UTF-8 text")
	case strings.ContainsFunc(p.ClientSecret, unicode.IsControl):
		return invalid("provider.client_secret", "must not contain control characters")
	}
	for _, u := range []struct {
		field, value string
		required     bool
	}{
		{"provider.auth_url", p.AuthURL, true},
		{"provider.token_url", p.TokenURL, true},
		{"provider.userinfo_url", p.UserInfoURL, false},
		{"provider.issuer_url", p.IssuerURL, false},
	} {
		if u.value == "" {
			if u.required {
				return invalid(u.field, "is required")
			}
			continue
		}
		if reason := checkProviderURL(u.value); reason != "" {
			return invalid(u.field, reason)
		}
	}
	if len(p.Scopes) > MaxScopes {
		return invalid("provider.scopes", fmt.Sprintf("has more than %d scopes", MaxScopes))
	}
	seen := make(map[string]bool, len(p.Scopes))
	for _, s := range p.Scopes {
		switch {
		case s == "":
			return invalid("provider.scopes", "has an empty scope")
		case len(s) > MaxScopeLength:
			return invalid("provider.scopes", fmt.Sprintf("has a scope longer than %d bytes", MaxScopeLength))
		case !scopeToken(s):
			return invalid("provider.scopes", "scope "+validate.Excerpt(s)+" must be printable ASCII without spaces, quotes or backslashes")
		case seen[s]:
			return invalid("provider.scopes", "scope "+validate.Excerpt(s)+" appears twice")
		}
		seen[s] = true
	}
	return nil
}

func checkProviderName(name string) error {
	const field = "provider.name"
	switch {
	case name == "":
		return invalid(field, "is required")
	case !utf8.ValidString(name):
		return invalid(field, "is not valid UTF-8 text")
	case utf8.RuneCountInString(name) > MaxProviderNameLength:
		return invalid(field, fmt.Sprintf("is longer than %d characters", MaxProviderNameLength))
	case strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }):
		return invalid(field, "must contain only printable characters")
	case strings.TrimSpace(name) != name:
		return invalid(field, "must not begin or end with a space")
	}
	return nil
}

// checkProviderURL returns why raw is not an acceptable endpoint URL, or "".
func checkProviderURL(raw string) string {
	if len(raw) > MaxProviderURLLength {
		return fmt.Sprintf("is longer than %d bytes", MaxProviderURLLength)
	}
	if !printableASCII(raw, false) {
		return "must be ASCII without spaces or control characters (use the punycode form of the host)"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" || u.Host == "" {
		return "must be an absolute URL (https://provider.example/...)"
	}
	if u.User != nil {
		return "must not contain user information"
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return "must not have a fragment"
	}
	host := u.Hostname()
	if host == "" {
		return "must have a host"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopbackHost(host) {
			return "must use https (http only for 127.0.0.1, ::1 or localhost)"
		}
	default:
		return "must use https"
	}
	return ""
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.Equal(net.IPv4(127, 0, 0, 1)) || ip.Equal(net.IPv6loopback))
}

// printableASCII reports whether s is %x21-7E, or %x20-7E with space.
func printableASCII(s string, space bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c > 0x7e || c < 0x20 || (c == ' ' && !space) {
			return false
		}
	}
	return true
}

// scopeToken reports whether s is an RFC 6749 scope-token (NQCHAR).
func scopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// LoginState is what a login round trip carries from BeginLogin to
// CompleteLogin, kept by the browser in a cookie sealed by SealLoginState
// rather than on the server.
type LoginState struct {
	// ProviderID is the platform's provider the round trip goes to.
	ProviderID string
	// State is the OAuth 2.0 state parameter: 256 random bits, base64url.
	State string
	// Verifier is the PKCE code verifier (RFC 7636), sent only to the
	// token endpoint.
	Verifier string
	// ReturnTo is the local path to go to after login (see SafeReturnTo).
	ReturnTo string
	// Expires is when the round trip times out.
	Expires time.Time
}

// BeginLogin starts a login round trip with the provider configured by
// cfg: it makes a fresh state and PKCE verifier and returns the URL to
// send the browser to and the state to seal into a cookie. returnTo is
// kept only as SafeReturnTo makes it; the state expires
// LoginStateLifetime after now.
func BeginLogin(cfg *oauth2.Config, providerID, returnTo string, now time.Time) (authURL string, st LoginState) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	st = LoginState{
		ProviderID: providerID,
		State:      base64.RawURLEncoding.EncodeToString(b[:]),
		Verifier:   oauth2.GenerateVerifier(),
		ReturnTo:   SafeReturnTo(returnTo),
		Expires:    now.Add(LoginStateLifetime).UTC(),
	}
	return cfg.AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier)), st
}

// sealedState is LoginState's sealed form.
type sealedState struct {
	ProviderID string `json:"p"`
	State      string `json:"s"`
	Verifier   string `json:"v"`
	ReturnTo   string `json:"r,omitempty"`
	Expires    int64  `json:"e"` // Unix microseconds
}

func loginStateAD(platformID string) []byte {
	return []byte("tenantry/branding/oauth-login-state/v1\x00" + platformID)
}

func checkKey(key []byte) error {
	if len(key) != seal.KeySize {
		return invalid("key", fmt.Sprintf("must be %d bytes", seal.KeySize))
	}
	return nil
}

// SealLoginState encrypts st under key (XChaCha20-Poly1305, the host's
// 32-byte key), bound to platformID, as unpadded base64url text fit for a
// cookie value. The cookie should be HttpOnly, Secure, SameSite=Lax,
// scoped to the callback path, and cleared after the callback.
func SealLoginState(key []byte, platformID string, st LoginState) (string, error) {
	if err := checkKey(key); err != nil {
		return "", fmt.Errorf("branding: seal login state: %w", err)
	}
	plain, err := json.Marshal(sealedState{
		ProviderID: st.ProviderID,
		State:      st.State,
		Verifier:   st.Verifier,
		ReturnTo:   st.ReturnTo,
		Expires:    st.Expires.UnixMicro(),
	})
	if err != nil {
		return "", fmt.Errorf("branding: seal login state: %w", err)
	}
	box, err := seal.Seal(key, plain, loginStateAD(platformID))
	if err != nil {
		return "", fmt.Errorf("branding: seal login state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(box), nil
}

// OpenLoginState decrypts a state sealed by SealLoginState for the same
// platform. It refuses, with an error matching ErrOAuth that says why,
// text that was tampered with, sealed for another platform or under
// another key, or whose round trip expired by now. A key of the wrong
// size is an ErrInvalid.
func OpenLoginState(key []byte, platformID, sealed string, now time.Time) (LoginState, error) {
	const op = "branding: open login state"
	if err := checkKey(key); err != nil {
		return LoginState{}, fmt.Errorf("%s: %w", op, err)
	}
	if sealed == "" {
		return LoginState{}, fmt.Errorf("%s: %w: no login state", op, ErrOAuth)
	}
	if len(sealed) > maxSealedStateLength {
		return LoginState{}, fmt.Errorf("%s: %w: login state too long", op, ErrOAuth)
	}
	box, err := base64.RawURLEncoding.Strict().DecodeString(sealed)
	if err != nil {
		return LoginState{}, fmt.Errorf("%s: %w: login state malformed", op, ErrOAuth)
	}
	plain, err := seal.Open(key, box, loginStateAD(platformID))
	if err != nil {
		return LoginState{}, fmt.Errorf("%s: %w: login state does not open (tampered, or sealed for another platform or key)", op, ErrOAuth)
	}
	var s sealedState
	if err := json.Unmarshal(plain, &s); err != nil || s.State == "" || s.Verifier == "" {
		return LoginState{}, fmt.Errorf("%s: %w: login state malformed", op, ErrOAuth)
	}
	st := LoginState{
		ProviderID: s.ProviderID,
		State:      s.State,
		Verifier:   s.Verifier,
		ReturnTo:   s.ReturnTo,
		Expires:    time.UnixMicro(s.Expires).UTC(),
	}
	if !now.Before(st.Expires) {
		return LoginState{}, fmt.Errorf("%s: %w: login state expired", op, ErrOAuth)
	}
	return st, nil
}

// CompleteLogin finishes a login round trip at the callback: query is the
// callback URL's query and st the state opened from the cookie. It checks
// the state parameter against st (in constant time) before anything else,
// refuses an error the provider sent back (reporting its error code and a
// cleaned, shortened description), requires the code, and exchanges it at
// the token endpoint with st's PKCE verifier. Every failure matches
// ErrOAuth; a refusal by the token endpoint also matches
// *oauth2.RetrieveError.
func CompleteLogin(ctx context.Context, cfg *oauth2.Config, st LoginState, query url.Values) (*oauth2.Token, error) {
	const op = "branding: complete login"
	for _, k := range []string{"state", "code", "error"} {
		if len(query[k]) > 1 {
			return nil, fmt.Errorf("%s: %w: parameter %s repeated", op, ErrOAuth, validate.Excerpt(k))
		}
	}
	// The state comes first: only the browser that began the round trip
	// knows it, so a forged callback (login CSRF, or an error page with
	// an attacker's text) stops here.
	got := query.Get("state")
	if st.State == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.State)) != 1 {
		return nil, fmt.Errorf("%s: %w: state mismatch", op, ErrOAuth)
	}
	if query.Has("error") {
		code := cleanProviderText(query.Get("error"), 64)
		if code == "" {
			code = "unknown_error"
		}
		desc := cleanProviderText(query.Get("error_description"), 200)
		if desc != "" {
			desc = fmt.Sprintf(": %q", desc)
		}
		return nil, fmt.Errorf("%s: %w: provider returned %q%s", op, ErrOAuth, code, desc)
	}
	code := query.Get("code")
	if code == "" {
		return nil, fmt.Errorf("%s: %w: no code", op, ErrOAuth)
	}
	if st.Verifier == "" {
		return nil, fmt.Errorf("%s: %w: login state has no PKCE verifier", op, ErrOAuth)
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: token exchange: %w", op, ErrOAuth, err)
	}
	return tok, nil
}

// cleanProviderText drops control and invalid characters from text a
// provider (or whoever forged the callback) sent, and cuts it to max
// characters.
func cleanProviderText(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			continue
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// SafeReturnTo returns raw when it is a local absolute path (with optional
// query) that a redirect after login may go to, and "/" otherwise: it must
// start with a single "/" (not "//" or "/\", which browsers take for
// another host), have no scheme or host, no backslash, no control
// character (browsers drop tabs and newlines, turning "/\t/evil" into
// "//evil"), be valid UTF-8 and at most 2048 bytes.
func SafeReturnTo(raw string) string {
	if raw == "" || len(raw) > MaxReturnToLength || raw[0] != '/' {
		return "/"
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "/"
	}
	if !utf8.ValidString(raw) || strings.ContainsRune(raw, '\\') || strings.ContainsFunc(raw, unicode.IsControl) {
		return "/"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	return raw
}
