package main

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/tenantry/tenantry/tenancy"
)

//go:embed templates/*.html
var templateFS embed.FS

// defaultPageSize is how many accounts one page of the accounts list shows.
const defaultPageSize = 25

// server serves the owner portal pages of one platform.
//
// It has no login yet (that comes later in the project): it is a read-only
// view that anyone who reaches it may see, so it offers no action that
// changes anything, and every page says so in its footer.
type server struct {
	svc        *tenancy.Service
	platformID string
	log        *slog.Logger
	now        func() time.Time
	pageSize   int
	pages      map[string]*template.Template
	mux        *http.ServeMux
}

// newServer returns the portal of platformID over svc.
func newServer(svc *tenancy.Service, platformID string, log *slog.Logger) (*server, error) {
	pages, err := parsePages("accounts", "account", "error")
	if err != nil {
		return nil, err
	}
	s := &server{svc: svc, platformID: platformID, log: log, now: time.Now,
		pageSize: defaultPageSize, pages: pages, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/accounts", http.StatusSeeOther)
	})
	s.mux.HandleFunc("GET /accounts", s.accounts)
	s.mux.HandleFunc("GET /accounts/{id}", s.account)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok"))
	})
	s.mux.HandleFunc("GET /", s.notFound) // other methods get the mux's 405
	return s, nil
}

// ServeHTTP serves a request with the portal's security headers, and logs
// it.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.mux.ServeHTTP(rec, r)
	s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
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

// parsePages parses each page template together with the layout.
func parsePages(names ...string) (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(names))
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html")
		if err != nil {
			return nil, err
		}
		pages[n] = t
	}
	return pages, nil
}

// pageData is what the layout renders: the page's title, the platform's
// name, and the page's own data as Content.
type pageData struct {
	Title    string
	Platform string
	Content  any
}

// render writes page with data, or a bare 500 when the template fails (the
// page is built in memory first, so nothing half-written goes out).
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	pd := pageData{Title: title, Platform: s.platformID, Content: data}
	if p, err := s.svc.Platform(r.Context(), s.platformID); err == nil {
		pd.Platform = p.Name
	}
	var buf bytes.Buffer
	if err := s.pages[page].Execute(&buf, pd); err != nil {
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
	s.log.Error("request failed", "path", r.URL.Path, "error", err)
	s.fail(w, r, http.StatusInternalServerError, "Something went wrong on our side. Please try again.")
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "There is no page at this address.")
}
