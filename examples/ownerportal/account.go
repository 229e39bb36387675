package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// historyWindow is how far back the account page's history goes.
const historyWindow = 183 * day

// memberView is one member on the account page.
type memberView struct {
	UserID, Name, Email string
	Primary             bool
	Permissions         []string
	Status              tenancy.UserStatus
	Since               string
}

// operatorView is one operator of the platform, and whether the account
// is in their care.
type operatorView struct {
	ID, Name, Email string
	Secure          bool
	Assigned        bool
}

// licenseView is the account's license on its page.
type licenseView struct {
	License  licensing.License
	PlanName string
	Badge    badge
}

// accountView is the data of the account page.
type accountView struct {
	Account   tenancy.Account
	Badges    []badge
	Steps     []stepView
	Members   []memberView
	License   *licenseView
	Chart     template.HTML
	History   []audit.Event
	Quotas    []tenancy.Allocation
	Operators []operatorView
	// LinksAllowed says whether the account may send external links now.
	LinksAllowed bool
	// Notice and Error are the outcome of the control just used; Link is a
	// password link to hand to the client.
	Notice, Error, Link string
}

// account serves one account's details: GET /accounts/{id}.
func (s *server) account(w http.ResponseWriter, r *http.Request) {
	s.accountPage(w, r, http.StatusOK, accountView{})
}

// accountPage renders the account page with the outcome in msg (Notice,
// Error, Link).
func (s *server) accountPage(w http.ResponseWriter, r *http.Request, status int, msg accountView) {
	acc, err := s.p.Tenancy.Account(r.Context(), s.platformID, r.PathValue("id"))
	if errors.Is(err, tenancy.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "There is no such account on this platform.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v, err := s.accountView(r.Context(), acc)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v.Notice, v.Error, v.Link = msg.Notice, msg.Error, msg.Link
	s.render(w, r, status, "account", acc.Name, v)
}

// accountView reads everything the account page shows.
func (s *server) accountView(ctx context.Context, acc tenancy.Account) (accountView, error) {
	v := accountView{Account: acc, Badges: badges(acc, s.now()), Steps: steps(acc.Onboarding.StepsDone)}
	var err error
	if v.Members, err = s.members(ctx, acc.ID); err != nil {
		return v, err
	}
	if v.License, err = s.accountLicense(ctx, acc.ID); err != nil {
		return v, err
	}
	series, err := s.p.Tenancy.Activity(ctx, s.platformID, acc.ID)
	if err != nil {
		return v, err
	}
	v.Chart = activityChart(series)
	hist, err := s.p.Audit.List(ctx, audit.Query{PlatformID: s.platformID, AccountID: acc.ID,
		Since: s.now().Add(-historyWindow), Limit: 100})
	if err != nil {
		return v, err
	}
	v.History = hist.Events
	if v.Quotas, err = s.p.Tenancy.Allocations(ctx, s.platformID, acc.ID); err != nil {
		return v, err
	}
	if v.Operators, err = s.operators(ctx, acc.ID); err != nil {
		return v, err
	}
	v.LinksAllowed, err = s.p.Tenancy.MaySendLinks(ctx, s.platformID, acc.ID)
	return v, err
}

// accountLicense is the account's license and its plan's name; nil when it
// never had one.
func (s *server) accountLicense(ctx context.Context, accountID string) (*licenseView, error) {
	l, err := s.p.Licensing.AccountLicense(ctx, s.platformID, accountID)
	if errors.Is(err, licensing.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	lv := &licenseView{License: l, PlanName: l.PlanID, Badge: licenseBadge(l, s.now())}
	if p, err := s.p.Licensing.Plan(ctx, s.platformID, l.PlanID); err == nil {
		lv.PlanName = p.Name
	}
	return lv, nil
}

// operators lists the platform's operators, marking those the account is
// assigned to.
func (s *server) operators(ctx context.Context, accountID string) ([]operatorView, error) {
	ops, err := s.p.Tenancy.ListUsers(ctx, tenancy.ListUsersParams{PlatformID: s.platformID,
		Roles: []tenancy.Role{tenancy.RoleOperator, tenancy.RoleSecureOperator}, Limit: tenancy.MaxPageSize})
	if err != nil {
		return nil, err
	}
	as, err := s.p.Tenancy.Assignments(ctx, s.platformID, accountID)
	if err != nil {
		return nil, err
	}
	assigned := map[string]bool{}
	for _, a := range as {
		assigned[a.OperatorID] = true
	}
	out := make([]operatorView, 0, len(ops.Users))
	for _, u := range ops.Users {
		out = append(out, operatorView{ID: u.ID, Name: u.Name, Email: u.Email,
			Secure: u.Role == tenancy.RoleSecureOperator, Assigned: assigned[u.ID]})
	}
	return out, nil
}

// members lists an account's members with their users, in two queries
// whatever the size of the team: the members, then their users.
func (s *server) members(ctx context.Context, accountID string) ([]memberView, error) {
	ms, err := s.p.Tenancy.Members(ctx, s.platformID, accountID)
	if err != nil {
		return nil, err
	}
	users, err := s.p.Tenancy.ListUsers(ctx, tenancy.ListUsersParams{
		PlatformID: s.platformID, AccountID: accountID, IncludeDisabled: true, Limit: tenancy.MaxPageSize,
	})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]tenancy.User, len(users.Users))
	for _, u := range users.Users {
		byID[u.ID] = u
	}
	out := make([]memberView, 0, len(ms))
	for _, m := range ms {
		u, ok := byID[m.UserID]
		if !ok {
			u.Name = m.UserID // beyond the page read; not with the default team quota
		}
		out = append(out, memberView{UserID: m.UserID, Name: u.Name, Email: u.Email, Primary: m.Primary,
			Permissions: m.Permissions, Status: u.Status, Since: m.CreatedAt.UTC().Format("2 Jan 2006")})
	}
	return out, nil
}
