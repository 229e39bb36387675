package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

func init() {
	registerPages("accounts", "account", "licenses", "license", "users", "password")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /password", s.passwordPage)
		s.mux.HandleFunc("POST /password", s.setPassword)
	})
}

// licenseRow is one line of the licenses page.
type licenseRow struct {
	License     licensing.License
	Badge       badge
	AccountName string
}

// licensesView is the data of the licenses page.
type licensesView struct {
	Rows    []licenseRow
	Status  string
	NextURL string
}

// licenses lists the platform's licenses: GET /licenses?status=&after=.
func (s *server) licenses(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := s.p.Licensing.ListLicenses(r.Context(), licensing.ListLicensesParams{PlatformID: s.platformID,
		Status: licensing.Status(q.Get("status")), After: q.Get("after"), Limit: 50})
	if errors.Is(err, licensing.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an invalid filter or page position.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := licensesView{Status: q.Get("status")}
	names, err := s.accountNames(r, page.Licenses)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	for _, l := range page.Licenses {
		v.Rows = append(v.Rows, licenseRow{License: l, Badge: licenseBadge(l, s.now()), AccountName: names[l.AccountID]})
	}
	if page.Next != "" {
		v.NextURL = "/licenses?after=" + page.Next
		if v.Status != "" {
			v.NextURL += "&status=" + v.Status
		}
	}
	s.render(w, r, http.StatusOK, "licenses", "Licenses", v)
}

// accountNames reads the names of the licenses' accounts, one read per
// distinct account of the page (tenancy reads accounts one by one).
func (s *server) accountNames(r *http.Request, ls []licensing.License) (map[string]string, error) {
	names := map[string]string{}
	for _, l := range ls {
		if _, ok := names[l.AccountID]; ok || l.AccountID == "" {
			continue
		}
		a, err := s.p.Tenancy.Account(r.Context(), s.platformID, l.AccountID)
		if errors.Is(err, tenancy.ErrNotFound) {
			names[l.AccountID] = "(deleted account)"
			continue
		}
		if err != nil {
			return nil, err
		}
		names[l.AccountID] = a.Name
	}
	return names, nil
}

// licenseHistoryView is the data of one license's page.
type licenseHistoryView struct {
	licenseRow
	PlanName string
	History  []licensing.HistoryEntry
}

// license shows one license and its history: GET /licenses/{id}.
func (s *server) license(w http.ResponseWriter, r *http.Request) {
	l, err := s.p.Licensing.License(r.Context(), s.platformID, r.PathValue("id"))
	if errors.Is(err, licensing.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "There is no such license on this platform.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	hist, err := s.p.Licensing.History(r.Context(), s.platformID, l.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	names, err := s.accountNames(r, []licensing.License{l})
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := licenseHistoryView{licenseRow: licenseRow{License: l, Badge: licenseBadge(l, s.now()), AccountName: names[l.AccountID]},
		PlanName: l.PlanID, History: hist}
	if p, err := s.p.Licensing.Plan(r.Context(), s.platformID, l.PlanID); err == nil {
		v.PlanName = p.Name
	}
	s.render(w, r, http.StatusOK, "license", "License "+l.Number, v)
}

// usersView is the data of the users page.
type usersView struct {
	Users         []tenancy.User
	Owner         bool
	Q             string
	NextURL       string
	Notice, Error string
}

// users lists the users across every account: GET /users?q=&after=.
func (s *server) users(w http.ResponseWriter, r *http.Request) {
	s.usersPage(w, r, http.StatusOK, usersView{})
}

func (s *server) usersPage(w http.ResponseWriter, r *http.Request, status int, msg usersView) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := s.p.Tenancy.ListUsers(r.Context(), tenancy.ListUsersParams{PlatformID: s.platformID, Search: q,
		IncludeDisabled: true, After: r.URL.Query().Get("after"), Limit: 50})
	if errors.Is(err, tenancy.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an invalid page position.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	u, _ := s.user(r)
	v := usersView{Users: page.Users, Owner: u.Role == tenancy.RoleOwner, Q: q, Notice: msg.Notice, Error: msg.Error}
	if page.Next != "" {
		v.NextURL = "/users?after=" + page.Next
	}
	s.render(w, r, status, "users", "Users", v)
}

// promote makes a user an owner: POST /users/{id}/promote (owners only).
func (s *server) promote(w http.ResponseWriter, r *http.Request) {
	u, err := s.p.Tenancy.SetRole(r.Context(), s.platformID, r.PathValue("id"), tenancy.RoleOwner)
	if err != nil {
		s.usersPage(w, r, statusOf(err), usersView{Error: userError(err)})
		return
	}
	s.usersPage(w, r, http.StatusOK, usersView{Notice: u.Email + " is now an owner of the platform."})
}

// dashboardView is the data of the customer dashboard.
type dashboardView struct {
	User        tenancy.User
	Memberships []tenancy.Membership
	Pending     []invites.Invitation
}

// dashboard is where customers land: their accounts, their place in each,
// and the invitations waiting for them. GET /dashboard.
func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	u, _ := s.user(r)
	ms, err := s.p.Tenancy.Memberships(r.Context(), s.platformID, u.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	pending, err := s.p.Invites.PendingFor(r.Context(), s.platformID, u.Email)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", "Dashboard", dashboardView{User: u, Memberships: ms, Pending: pending})
}

// passwordView is the data of the set-password page.
type passwordView struct {
	Token, Error string
}

// passwordPage asks for a new password for the link's token: GET
// /password?token=.
func (s *server) passwordPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "password", "Set your password", passwordView{Token: r.URL.Query().Get("token")})
}

// setPassword uses the link's token once: POST /password.
func (s *server) setPassword(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	_, err := s.p.Tenancy.UsePasswordToken(r.Context(), s.platformID, token, r.PostFormValue("password"))
	if err != nil {
		msg := "This link is not valid any more: ask for a new one."
		if errors.Is(err, tenancy.ErrInvalid) {
			msg = err.Error()
		}
		s.render(w, r, http.StatusUnprocessableEntity, "password", "Set your password", passwordView{Token: token, Error: msg})
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
