package main

import (
	"context"
	"errors"
	"net/http"

	"github.com/tenantry/tenantry/tenancy"
)

// memberView is one member on the account page.
type memberView struct {
	Name, Email string
	Primary     bool
	Permissions []string
	Status      tenancy.UserStatus
	Since       string
}

// accountView is the data of the account page.
type accountView struct {
	Account tenancy.Account
	Badges  []badge
	Steps   []stepView
	Members []memberView
}

// account serves one account's details: GET /accounts/{id}.
func (s *server) account(w http.ResponseWriter, r *http.Request) {
	acc, err := s.svc.Account(r.Context(), s.platformID, r.PathValue("id"))
	if errors.Is(err, tenancy.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "There is no such account on this platform.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	members, err := s.members(r.Context(), acc.ID)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := accountView{Account: acc, Badges: badges(acc, s.now()), Steps: steps(acc.Onboarding.StepsDone), Members: members}
	s.render(w, r, http.StatusOK, "account", acc.Name, v)
}

// members lists an account's members with their users, in two queries
// whatever the size of the team: the members, then their users.
func (s *server) members(ctx context.Context, accountID string) ([]memberView, error) {
	ms, err := s.svc.Members(ctx, s.platformID, accountID)
	if err != nil {
		return nil, err
	}
	users, err := s.svc.ListUsers(ctx, tenancy.ListUsersParams{
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
		out = append(out, memberView{Name: u.Name, Email: u.Email, Primary: m.Primary,
			Permissions: m.Permissions, Status: u.Status, Since: m.CreatedAt.UTC().Format("2 Jan 2006")})
	}
	return out, nil
}
