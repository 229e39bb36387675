package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/tenancy"
)

// sessionCookie is the cookie of the portal's own login.
const sessionCookie = "portal_session"

// sessions is the portal's own login store: random 256-bit tokens, kept
// in memory by their hash, each naming a user. Tenantry leaves the host's
// login to the host; a real host keeps these in its database or a signed
// cookie so that a restart or a second process keeps them.
type sessions struct {
	mu     sync.Mutex
	byHash map[string]string
}

func newSessions() *sessions { return &sessions{byHash: map[string]string{}} }

func (st *sessions) lookup(token string) (string, bool) {
	h, err := secret.Hash(token)
	if err != nil {
		return "", false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	id, ok := st.byHash[h]
	return id, ok
}

// startSession logs userID in with a new token (never one used before)
// and sets its cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, userID string) {
	s.endSession(w, r)
	token, hash := secret.New()
	s.sessions.mu.Lock()
	s.sessions.byHash[hash] = userID
	s.sessions.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// endSession forgets the request's login session, if any, and clears its
// cookie.
func (s *server) endSession(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if h, err := secret.Hash(c.Value); err == nil {
			s.sessions.mu.Lock()
			delete(s.sessions.byHash, h)
			s.sessions.mu.Unlock()
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// sessionMiddleware puts the logged-in user's principal in the context,
// unless one is there already (impersonation's middleware runs outside
// it: inside a session the request is the subject's).
func (s *server) sessionMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := audit.PrincipalFrom(r.Context()); !ok {
			if c, err := r.Cookie(sessionCookie); err == nil {
				if id, ok := s.sessions.lookup(c.Value); ok {
					ctx := audit.WithPrincipal(r.Context(), audit.Principal{PlatformID: s.platformID, UserID: id})
					r = r.WithContext(ctx)
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// userKey caches the request's user in its context.
type userKey struct{}

type cachedUser struct {
	u  tenancy.User
	ok bool
}

// user returns the active user the request acts as (the subject while
// impersonating), read fresh.
func (s *server) user(r *http.Request) (tenancy.User, bool) {
	if c, ok := r.Context().Value(userKey{}).(*cachedUser); ok {
		return c.u, c.ok
	}
	p, ok := audit.PrincipalFrom(r.Context())
	if !ok || p.UserID == "" || p.PlatformID != s.platformID {
		return tenancy.User{}, false
	}
	u, err := s.p.Tenancy.User(r.Context(), s.platformID, p.UserID)
	if err != nil || u.Status != tenancy.UserActive {
		return tenancy.User{}, false
	}
	return u, true
}

// withUser reads the user once and keeps it in the request's context.
func (s *server) withUser(r *http.Request) *http.Request {
	u, ok := s.user(r)
	return r.WithContext(context.WithValue(r.Context(), userKey{}, &cachedUser{u: u, ok: ok}))
}

// isStaff reports whether u works for the platform: owner, admin or
// operator.
func isStaff(u tenancy.User) bool {
	switch u.Role {
	case tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleOperator, tenancy.RoleSecureOperator:
		return true
	}
	return false
}

// requireRole serves h to users allowed by ok; anybody else logged in gets
// a 403, and a visitor is sent to /login.
func (s *server) requireRole(ok func(tenancy.User) bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = s.withUser(r)
		u, in := s.user(r)
		switch {
		case !in:
			http.Redirect(w, r, "/login", http.StatusSeeOther)
		case !ok(u):
			s.fail(w, r, http.StatusForbidden, "This page is for the platform's staff.")
		default:
			h(w, r)
		}
	}
}

// requireLogin serves h to any logged-in user.
func (s *server) requireLogin(h http.HandlerFunc) http.HandlerFunc {
	return s.requireRole(func(tenancy.User) bool { return true }, h)
}

// requireStaff serves h to owners, admins and operators.
func (s *server) requireStaff(h http.HandlerFunc) http.HandlerFunc {
	return s.requireRole(isStaff, h)
}

// requireOwner serves h to owners only.
func (s *server) requireOwner(h http.HandlerFunc) http.HandlerFunc {
	return s.requireRole(func(u tenancy.User) bool { return u.Role == tenancy.RoleOwner }, h)
}

// loginView is the data of the login page.
type loginView struct {
	Email, Error string
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "Log in", loginView{})
}

// login checks the email and password with tenancy and starts a session:
// staff land on the accounts, customers on their dashboard.
func (s *server) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	res, err := s.p.Tenancy.Authenticate(r.Context(), tenancy.AuthenticateParams{
		PlatformID: s.platformID, Email: email, Password: r.PostFormValue("password"),
	})
	if err != nil {
		if !refusal(err) {
			s.log.Warn("login failed", "error", err)
		}
		s.render(w, r, http.StatusUnauthorized, "login", "Log in", loginView{Email: email, Error: loginMessage(err)})
		return
	}
	s.startSession(w, r, res.User.ID)
	if isStaff(res.User) {
		http.Redirect(w, r, "/accounts", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// refusal reports whether err is one of tenancy's login refusals.
func refusal(err error) bool {
	for _, e := range []error{tenancy.ErrInvalidCredentials, tenancy.ErrUserDisabled, tenancy.ErrAccountDisabled,
		tenancy.ErrAccountLocked, tenancy.ErrTestExpired, tenancy.ErrAccountDeleted} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// loginMessage is what the login form says: tenancy gives its distinct
// reasons only after a right password, so they reveal nothing to someone
// guessing.
func loginMessage(err error) string {
	switch {
	case errors.Is(err, tenancy.ErrAccountLocked):
		return "Your account is locked. Contact your provider's support."
	case errors.Is(err, tenancy.ErrAccountDisabled):
		return "Your account is disabled. Contact your provider's support."
	case errors.Is(err, tenancy.ErrTestExpired):
		return "Your trial has ended. Contact your provider to continue."
	case errors.Is(err, tenancy.ErrUserDisabled):
		return "Your login is disabled. Contact your account's administrator."
	}
	return "Wrong email or password."
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	s.endSession(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
