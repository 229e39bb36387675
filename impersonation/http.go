package impersonation

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// HTTP wires a Service into net/http: Middleware resolves the session of
// each request, Begin starts one and sets its cookie, ExitHandler ends it
// and hands the actor back to the host's own login. Set its fields, then
// use it; it is safe for concurrent use once set.
//
// Put Middleware outside the host's own login middleware, and let the
// latter keep a principal already in the context: inside a session the
// request is the subject's, with the actor behind it.
type HTTP struct {
	// Service resolves and ends sessions. Required.
	Service *Service
	// Platform names the platform a request is for (from its host, say).
	// Required.
	Platform func(r *http.Request) (string, error)
	// CookieName is the session cookie. Defaults to
	// "tenantry_impersonation".
	CookieName string
	// Header, when a request carries it, holds the token instead of the
	// cookie (API clients). Defaults to "Tenantry-Impersonation".
	Header string
	// CookiePath is the cookie's path. Defaults to "/".
	CookiePath string
	// InsecureCookie drops the cookie's Secure attribute: for plain-HTTP
	// development on localhost only.
	InsecureCookie bool
	// ExitURL is where the banner's Exit form posts (ExitHandler's path).
	// Defaults to "/impersonation/exit".
	ExitURL string
	// Suspend ends the actor's own login session when Begin starts an
	// impersonation, so that the token the actor had is never used again.
	// nil leaves it to the host.
	Suspend func(w http.ResponseWriter, r *http.Request) error
	// Resume starts the actor's own login session again after an Exit,
	// with a new token (set its cookie on w). Required by ExitHandler.
	Resume func(w http.ResponseWriter, r *http.Request, ended Session) error
	// AfterExit is where ExitHandler sends the actor (303). Defaults to
	// "/".
	AfterExit func(r *http.Request, ended Session) string
	// Refused answers a request whose session is refused (ended, expired,
	// no longer allowed) after the cookie was cleared. Defaults to 401
	// with a short text.
	Refused func(w http.ResponseWriter, r *http.Request, err error)
}

// Banner is what a page shows on top while impersonating: "Logged in as
// customer@example.com", with an Exit button posting to ExitURL.
type Banner struct {
	// Text is "Logged in as " and the subject's email.
	Text        string
	Email       string
	AccountName string
	Mode        Mode
	ReadOnly    bool
	ExpiresAt   time.Time
	ExitURL     string
}

type bannerKey struct{}

// BannerFrom returns the banner of the request's session, if it is inside
// one.
func BannerFrom(ctx context.Context) (Banner, bool) {
	b, ok := ctx.Value(bannerKey{}).(Banner)
	return b, ok
}

func (h *HTTP) cookieName() string { return def(h.CookieName, "tenantry_impersonation") }
func (h *HTTP) header() string     { return def(h.Header, "Tenantry-Impersonation") }
func (h *HTTP) exitURL() string    { return def(h.ExitURL, "/impersonation/exit") }

func def(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// token is the request's session token: the header, else the cookie.
func (h *HTTP) token(r *http.Request) string {
	if t := r.Header.Get(h.header()); t != "" {
		return t
	}
	if c, err := r.Cookie(h.cookieName()); err == nil {
		return c.Value
	}
	return ""
}

// Middleware resolves the session of every request that carries a token.
// A live session puts its principal (subject and actor), the Session
// (SessionFrom) and the Banner (BannerFrom) in the request's context; a
// read-only one refuses methods other than GET, HEAD and OPTIONS (403). A
// refused session clears the cookie and answers with Refused. Requests
// without a token pass through untouched.
func (h *HTTP) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := h.token(r)
		if token == "" {
			next.ServeHTTP(w, r)
			return
		}
		pid, err := h.Platform(r)
		if err != nil {
			http.Error(w, "unknown platform", http.StatusNotFound)
			return
		}
		sess, err := h.Service.Resolve(r.Context(), pid, token)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		ctx := WithSession(r.Context(), sess)
		ctx = context.WithValue(ctx, bannerKey{}, Banner{
			Text: "Logged in as " + sess.SubjectEmail, Email: sess.SubjectEmail,
			AccountName: sess.AccountName, Mode: sess.Mode, ReadOnly: sess.ReadOnly,
			ExpiresAt: sess.ExpiresAt, ExitURL: h.exitURL(),
		})
		if sess.ReadOnly && !safeMethod(r.Method) && r.URL.Path != h.exitURL() {
			err := h.Service.Guard(ctx, "http."+r.Method)
			http.Error(w, "read-only impersonation session: "+errText(err), http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func errText(err error) string {
	if err == nil {
		return "refused"
	}
	return err.Error()
}

// fail answers a request whose token did not resolve: a refusal clears the
// cookie and goes to Refused; any other failure (the database down) is a
// 500 that keeps the cookie, since the session may still be good.
func (h *HTTP) fail(w http.ResponseWriter, r *http.Request, err error) {
	if !refusal(err) {
		http.Error(w, "impersonation: session lookup failed", http.StatusInternalServerError)
		return
	}
	h.clearCookie(w)
	if h.Refused != nil {
		h.Refused(w, r, err)
		return
	}
	http.Error(w, "impersonation session ended; log in again", http.StatusUnauthorized)
}

func refusal(err error) bool {
	for _, e := range []error{ErrNotFound, ErrEnded, ErrExpired, ErrForbidden, ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// Begin starts a session for the principal in r's context (Service.Start),
// sets its cookie on w (HttpOnly, Secure, SameSite=Lax, with a Max-Age of
// the session's length, so that the browser's clock does not matter) and calls Suspend. The caller then redirects to the customer's
// dashboard.
func (h *HTTP) Begin(w http.ResponseWriter, r *http.Request, p StartParams) (Started, error) {
	st, err := h.Service.Start(r.Context(), p)
	if err != nil {
		return Started{}, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName(), Value: st.Token, Path: def(h.CookiePath, "/"),
		MaxAge: int(st.Session.ExpiresAt.Sub(st.Session.StartedAt).Seconds()), HttpOnly: true, Secure: !h.InsecureCookie, SameSite: http.SameSiteLaxMode,
	})
	if h.Suspend != nil {
		if err := h.Suspend(w, r); err != nil {
			return st, err
		}
	}
	return st, nil
}

func (h *HTTP) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: h.cookieName(), Value: "", Path: def(h.CookiePath, "/"), MaxAge: -1,
		HttpOnly: true, Secure: !h.InsecureCookie, SameSite: http.SameSiteLaxMode,
	})
}

// ExitHandler ends the request's session (Service.Exit, POST only), clears
// its cookie, calls Resume so that the actor gets their own session back
// under a new token, and redirects (303) to AfterExit. A session already
// ended, expired or unknown hands nothing back: it answers with Refused.
// Protect it against cross-site requests as any other form of the host.
func (h *HTTP) ExitHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "use POST to exit", http.StatusMethodNotAllowed)
			return
		}
		pid, err := h.Platform(r)
		if err != nil {
			http.Error(w, "unknown platform", http.StatusNotFound)
			return
		}
		ended, err := h.Service.Exit(r.Context(), pid, h.token(r))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		h.clearCookie(w)
		if h.Resume == nil {
			http.Error(w, "impersonation: HTTP.Resume is not set", http.StatusInternalServerError)
			return
		}
		if err := h.Resume(w, r, ended); err != nil {
			http.Error(w, "impersonation: could not resume your session", http.StatusInternalServerError)
			return
		}
		to := "/"
		if h.AfterExit != nil {
			to = h.AfterExit(r, ended)
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
	})
}
