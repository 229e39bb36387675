package impersonation_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/secret"
)

// hostApp is a host web application: its own login sessions (token →
// user), its own pages, and impersonation wired in front of them.
type hostApp struct {
	f      *fixture
	events *audit.Service
	http   *impersonation.HTTP

	mu       sync.Mutex
	sessions map[string]string
}

const hostCookie = "host_session"

func newHostApp(t *testing.T, f *fixture) (*hostApp, *httptest.Server) {
	h := &hostApp{f: f, events: audit.New(f.store.Audit(), &audit.Config{Now: f.clock.Now}), sessions: map[string]string{}}
	h.http = &impersonation.HTTP{
		Service:        f.svc,
		Platform:       func(*http.Request) (string, error) { return pid, nil },
		InsecureCookie: true, // httptest serves plain HTTP
		Suspend: func(w http.ResponseWriter, r *http.Request) error {
			if c, err := r.Cookie(hostCookie); err == nil {
				h.mu.Lock()
				delete(h.sessions, c.Value)
				h.mu.Unlock()
			}
			http.SetCookie(w, &http.Cookie{Name: hostCookie, Path: "/", MaxAge: -1})
			return nil
		},
		Resume: func(w http.ResponseWriter, _ *http.Request, ended impersonation.Session) error {
			http.SetCookie(w, &http.Cookie{Name: hostCookie, Value: h.login(ended.ActorID), Path: "/"})
			return nil
		},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /support/login-as/{account}", func(w http.ResponseWriter, r *http.Request) {
		p := impersonation.StartParams{PlatformID: pid, AccountID: r.PathValue("account"), Mode: impersonation.AsClient, ReadOnly: r.FormValue("read_only") == "1"}
		if _, err := h.http.Begin(w, r, p); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dashboard", func(w http.ResponseWriter, r *http.Request) {
		p, ok := audit.PrincipalFrom(r.Context())
		if !ok {
			http.Error(w, "log in", http.StatusUnauthorized)
			return
		}
		if b, ok := impersonation.BannerFrom(r.Context()); ok {
			fmt.Fprintf(w, "[%s | Exit: %s]\n", b.Text, b.ExitURL)
		}
		fmt.Fprintf(w, "user=%s actor=%s\n", p.UserID, p.ActorID)
	})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		ev := audit.FromContext(r.Context(), pid, "note.create")
		ev.AccountID = "acc"
		if _, err := h.events.Record(r.Context(), ev); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.Handle("POST /impersonation/exit", h.http.ExitHandler())
	srv := httptest.NewServer(h.http.Middleware(h.hostLogin(mux)))
	t.Cleanup(srv.Close)
	return h, srv
}

// login starts a host session for user and returns its token.
func (h *hostApp) login(user string) string {
	token, _ := secret.New()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sessions[token] = user
	return token
}

// hostLogin is the host's own login middleware; it keeps a principal
// already set by impersonation.
func (h *hostApp) hostLogin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := audit.PrincipalFrom(r.Context()); !ok {
			if c, err := r.Cookie(hostCookie); err == nil {
				h.mu.Lock()
				user, ok := h.sessions[c.Value]
				h.mu.Unlock()
				if ok {
					r = r.WithContext(audit.WithPrincipal(r.Context(), audit.Principal{PlatformID: pid, UserID: user}))
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, srv: srv, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) setCookie(name, value string) {
	u, _ := url.Parse(b.srv.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// do sends a request and returns the status and body.
func (b *browser) do(method, path string, header ...string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(method, b.srv.URL+path, strings.NewReader(""))
	require.NoError(b.t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestHTTPRoundTrip logs in as the client, sees the banner, acts (recorded
// with both names), exits, is back as the actor under a new token, and
// finds the old impersonation token refused.
func TestHTTPRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	h, srv := newHostApp(t, f)
	br := newBrowser(t, srv)
	actorToken := h.login("admin")
	br.setCookie(hostCookie, actorToken)

	code, body := br.do("GET", "/dashboard")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "user=admin actor=\n", body)

	code, _ = br.do("POST", "/support/login-as/acc")
	require.Equal(t, http.StatusSeeOther, code)
	impToken := br.cookie("tenantry_impersonation")
	require.NotEmpty(t, impToken)
	require.Empty(t, br.cookie(hostCookie), "the actor's own session is suspended")

	code, body = br.do("GET", "/dashboard")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "[Logged in as customer@example.com | Exit: /impersonation/exit]\nuser=client actor=admin\n", body)

	code, _ = br.do("POST", "/notes")
	require.Equal(t, http.StatusCreated, code)
	var note audit.Event
	for _, e := range f.events(t) {
		if e.Action == "note.create" {
			note = e
		}
	}
	require.Equal(t, "admin", note.ActorID, "recorded with the actor")
	require.Equal(t, "client", note.OnBehalfOfID, "and the subject")

	code, _ = br.do("POST", "/impersonation/exit")
	require.Equal(t, http.StatusSeeOther, code)
	newToken := br.cookie(hostCookie)
	require.NotEmpty(t, newToken)
	require.NotEqual(t, actorToken, newToken, "a new session token, never the old one")
	require.NotEqual(t, impToken, newToken)
	require.Empty(t, br.cookie("tenantry_impersonation"))

	code, body = br.do("GET", "/dashboard")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, "user=admin actor=\n", body, "back as the actor, no banner")

	old := newBrowser(t, srv)
	code, _ = old.do("GET", "/dashboard", "Tenantry-Impersonation", impToken)
	require.Equal(t, http.StatusUnauthorized, code, "the old impersonation token is refused")
	old.setCookie(hostCookie, actorToken)
	code, _ = old.do("GET", "/dashboard")
	require.Equal(t, http.StatusUnauthorized, code, "the actor's pre-impersonation token is dead")

	code, _ = br.do("GET", "/impersonation/exit")
	require.Equal(t, http.StatusMethodNotAllowed, code)
	require.Equal(t, []string{"impersonation.start", "note.create", "impersonation.exit"}, f.actions(t))
}

// TestHTTPRefusals: past the maximum time, after the actor's demotion, and
// once the account is locked, the next request is refused and the cookie
// cleared.
func TestHTTPRefusals(t *testing.T) {
	begin := func(t *testing.T, f *fixture, srv *httptest.Server, h *hostApp) *browser {
		br := newBrowser(t, srv)
		br.setCookie(hostCookie, h.login("operator"))
		code, _ := br.do("POST", "/support/login-as/acc")
		require.Equal(t, http.StatusSeeOther, code)
		code, _ = br.do("GET", "/dashboard")
		require.Equal(t, http.StatusOK, code)
		return br
	}
	refused := func(t *testing.T, br *browser) {
		code, _ := br.do("GET", "/dashboard")
		require.Equal(t, http.StatusUnauthorized, code)
		require.Empty(t, br.cookie("tenantry_impersonation"), "cookie cleared")
	}
	t.Run("Expired", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := begin(t, f, srv, h)
		f.clock.Advance(time.Hour)
		refused(t, br)
	})
	t.Run("ActorDemoted", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := begin(t, f, srv, h)
		f.dir.updateUser(pid, "operator", func(u *impersonation.User) { u.Role = impersonation.RoleRegular })
		refused(t, br)
	})
	t.Run("AccountLocked", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := begin(t, f, srv, h)
		// What the façade's cascade does on lock: the state, then the
		// sessions. Either alone refuses the next request.
		f.dir.updateAccount(pid, "acc", func(a *impersonation.Account) { a.Locked = true })
		_, err := f.svc.EndAccount(as("owner"), pid, "acc")
		require.NoError(t, err)
		refused(t, br)
	})
	t.Run("EndAccountAlone", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := begin(t, f, srv, h)
		_, err := f.svc.EndAccount(as("owner"), pid, "acc")
		require.NoError(t, err)
		refused(t, br)
	})
	t.Run("ReadOnly", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := newBrowser(t, srv)
		br.setCookie(hostCookie, h.login("operator"))
		code, _ := br.do("POST", "/support/login-as/acc?read_only=1")
		require.Equal(t, http.StatusSeeOther, code)
		code, _ = br.do("GET", "/dashboard")
		require.Equal(t, http.StatusOK, code)
		code, _ = br.do("POST", "/notes")
		require.Equal(t, http.StatusForbidden, code)
		code, _ = br.do("POST", "/impersonation/exit")
		require.Equal(t, http.StatusSeeOther, code, "exit is allowed")
	})
	t.Run("Nested", func(t *testing.T) {
		f := newFixture(t, nil)
		h, srv := newHostApp(t, f)
		br := begin(t, f, srv, h)
		code, body := br.do("POST", "/support/login-as/acc")
		require.Equal(t, http.StatusForbidden, code)
		require.Contains(t, body, "already impersonating")
	})
}
