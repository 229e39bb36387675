package main

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/tenancy"
)

//go:embed templates/*.html
var templateFS embed.FS

// defaultPageSize is how many accounts one page of the accounts list shows.
const defaultPageSize = 25

// server serves the owner portal of one platform, and the dashboard its
// customers land on.
type server struct {
	p          *tenantry.Portal
	platformID string
	log        *slog.Logger
	now        func() time.Time
	pageSize   int
	pages      map[string]*template.Template
	mux        *http.ServeMux
	sessions   *sessions
	imp        *impersonation.HTTP
	// mail sends the portal's emails (see mailbox.go); nil sends none.
	mail    *outbox
	handler http.Handler
}

// Pages and routes other files add from their init functions.
var (
	extMu     sync.Mutex
	pageNames = []string{"error", "login", "dashboard"}
	routeFns  []func(s *server)
)

// registerPages adds pages: templates/<name>.html, parsed with the layout.
// Call it from an init function.
func registerPages(names ...string) {
	extMu.Lock()
	defer extMu.Unlock()
	pageNames = append(pageNames, names...)
}

// registerRoutes adds fn, which newServer calls after the core routes to
// register more. Call it from an init function.
func registerRoutes(fn func(s *server)) {
	extMu.Lock()
	defer extMu.Unlock()
	routeFns = append(routeFns, fn)
}

// newServer returns the portal of platformID over p.
func newServer(p *tenantry.Portal, platformID string, log *slog.Logger) (*server, error) {
	extMu.Lock()
	names, fns := slices.Clone(pageNames), slices.Clone(routeFns)
	extMu.Unlock()
	pages, err := parsePages(names...)
	if err != nil {
		return nil, err
	}
	s := &server{p: p, platformID: platformID, log: log, now: time.Now,
		pageSize: defaultPageSize, pages: pages, mux: http.NewServeMux(), sessions: newSessions()}
	s.imp = s.impersonationHTTP()
	s.coreRoutes()
	for _, fn := range fns {
		fn(s)
	}
	s.mux.HandleFunc("GET /", s.notFound) // other methods get the mux's 405
	s.handler = http.NewCrossOriginProtection().Handler(s.imp.Middleware(s.sessionMiddleware(s.mux)))
	return s, nil
}

// impersonationHTTP wires "log in as" into the portal's own login.
func (s *server) impersonationHTTP() *impersonation.HTTP {
	return &impersonation.HTTP{
		Service:  s.p.Impersonation,
		Platform: func(*http.Request) (string, error) { return s.platformID, nil },
		// The cookie is Secure only when the portal is served over TLS:
		// the demo runs on plain http://localhost.
		InsecureCookie: true,
		Suspend: func(w http.ResponseWriter, r *http.Request) error {
			s.endSession(w, r)
			return nil
		},
		Resume: func(w http.ResponseWriter, r *http.Request, ended impersonation.Session) error {
			s.startSession(w, r, ended.ActorID)
			return nil
		},
		AfterExit: func(_ *http.Request, ended impersonation.Session) string {
			return "/accounts/" + ended.AccountID
		},
		Refused: func(w http.ResponseWriter, r *http.Request, _ error) {
			s.fail(w, r, http.StatusUnauthorized, `Your "log in as" session has ended or is no longer allowed. Log in again.`)
		},
	}
}

func (s *server) coreRoutes() {
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if u, ok := s.user(r); ok && isStaff(u) {
			http.Redirect(w, r, "/accounts", http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	s.mux.Handle("GET /branding.css", branding.StylesheetHandler(func(r *http.Request) (branding.Theme, error) {
		return s.p.Branding.Theme(r.Context(), s.platformID)
	}))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.logout)
	s.mux.Handle("POST /impersonation/exit", s.imp.ExitHandler())
	s.mux.HandleFunc("GET /dashboard", s.requireLogin(s.dashboard))
	s.mux.HandleFunc("GET /accounts", s.requireStaff(s.accounts))
	s.mux.HandleFunc("POST /accounts", s.requireStaff(s.createAccount))
	s.mux.HandleFunc("GET /accounts/{id}", s.requireStaff(s.account))
	s.mux.HandleFunc("POST /accounts/{id}/login-as", s.requireStaff(s.loginAs))
	s.mux.HandleFunc("POST /accounts/{id}/{action}", s.requireStaff(s.control))
	s.mux.HandleFunc("GET /licenses", s.requireStaff(s.licenses))
	s.mux.HandleFunc("GET /licenses/{id}", s.requireStaff(s.license))
	s.mux.HandleFunc("GET /users", s.requireStaff(s.users))
	s.mux.HandleFunc("POST /users/{id}/promote", s.requireOwner(s.promote))
}

// ServeHTTP serves a request with the portal's security headers through
// the handler chain (cross-origin protection, impersonation, the portal's
// own login, the routes), and logs it.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.handler.ServeHTTP(rec, r)
	s.log.Info("request", "method", r.Method, "path", logPath(r.URL.Path), "status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
}

// statusRecorder remembers the status code written, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// parsePages parses each page template together with the layout.
func parsePages(names ...string) (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", n, err)
		}
		pages[n] = t
	}
	return pages, nil
}

// pageData is what the layout renders: the page's title, the platform's
// name, who is logged in, the impersonation banner, and the page's own
// data as Content.
type pageData struct {
	Title    string
	Platform string
	User     *tenancy.User
	Staff    bool
	Owner    bool
	// MyAccount is true for a staff user who is also a member of an
	// account: the header switches between the portal and their dashboard.
	MyAccount bool
	Banner    *impersonation.Banner
	Content   any
}

// render writes page with data, or a bare 500 when the template fails (the
// page is built in memory first, so nothing half-written goes out).
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	pd := pageData{Title: title, Platform: s.platformID, Content: data}
	ctx := r.Context()
	if p, err := s.p.Tenancy.Platform(ctx, s.platformID); err == nil {
		pd.Platform = p.Name
	}
	if b, ok := impersonation.BannerFrom(ctx); ok {
		pd.Banner = &b
	}
	if u, ok := s.user(r); ok {
		pd.User, pd.Staff, pd.Owner = &u, isStaff(u), u.Role == tenancy.RoleOwner
		if pd.Staff {
			ms, err := s.p.Tenancy.Memberships(ctx, s.platformID, u.ID)
			pd.MyAccount = err == nil && len(ms) > 0
		}
	}
	t, ok := s.pages[page]
	if !ok {
		s.log.Error("render: no such page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, pd); err != nil {
		s.log.Error("render", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Message string
}

// fail renders the error page with status and a message for the user.
func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", http.StatusText(status), errorView{Status: status, Message: msg})
}

// internal logs err and renders a 500 that reveals nothing of it.
func (s *server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "path", logPath(r.URL.Path), "error", err)
	s.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
}
