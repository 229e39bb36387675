package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/tenancy"
)

func init() {
	registerPages("invitations")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /invitations", s.requireStaff(s.invitations))
		s.mux.HandleFunc("POST /invitations", s.requireStaff(s.sendInvitation))
		s.mux.HandleFunc("POST /invitations/{id}/resend", s.requireStaff(s.resendInvitation))
		s.mux.HandleFunc("POST /invitations/{id}/revoke", s.requireStaff(s.revokeInvitation))
	})
}

// invitationStatuses are the statuses the invitations page filters by.
var invitationStatuses = []invites.Status{invites.Pending, invites.Accepted, invites.Declined, invites.Revoked, invites.Expired}

// teamPermissions are the permissions a team-member invitation offers.
var teamPermissions = []string{tenancy.PermLiveChat, tenancy.PermAnalytics, tenancy.PermLeads, tenancy.PermBots,
	tenancy.PermBilling, tenancy.PermSettings, tenancy.PermTeam}

// staffRoles are the roles a staff invitation offers.
var staffRoles = []string{string(tenancy.RoleAdmin), string(tenancy.RoleOperator), string(tenancy.RoleSecureOperator)}

// invitationRow is one line of the invitations page.
type invitationRow struct {
	Inv         invites.Invitation
	Status      invites.Status
	Badge       badge
	Kind        string
	AccountName string
	Inviter     string
	// Open is true while the invitation can be resent or revoked.
	Open bool
}

// inviteForm is the "Send invitation" form, kept on a refusal.
type inviteForm struct {
	Kind, Email, Account, AccountName, Resource, Role string
	Permissions                                       []string
}

// Has reports whether the form ticks permission p.
func (f inviteForm) Has(p string) bool { return slices.Contains(f.Permissions, p) }

// invitationsView is the data of the invitations page.
type invitationsView struct {
	Rows          []invitationRow
	Status, Kind  string
	Email         string
	Statuses      []invites.Status
	Kinds         []string
	NextURL       string
	Form          inviteForm
	Owner         bool
	Permissions   []string
	Roles         []string
	SMTP          string
	Catcher       bool
	Notice, Error string
}

// invitations lists the platform's invitations, newest first, with the
// status each has now: GET /invitations?status=&kind=&email=&after=.
func (s *server) invitations(w http.ResponseWriter, r *http.Request) {
	s.invitationsPage(w, r, http.StatusOK, invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)}})
}

func (s *server) invitationsPage(w http.ResponseWriter, r *http.Request, status int, v invitationsView) {
	q := r.URL.Query()
	v.Status, v.Kind, v.Email = q.Get("status"), q.Get("kind"), strings.TrimSpace(q.Get("email"))
	if v.Status != "" && !slices.Contains(invitationStatuses, invites.Status(v.Status)) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an unknown invitation status.")
		return
	}
	page, err := s.p.Invites.List(r.Context(), invites.ListParams{PlatformID: s.platformID,
		OnlyPending: v.Status == string(invites.Pending), Kind: invites.Kind(v.Kind), Email: v.Email,
		After: q.Get("after"), Limit: 100})
	if errors.Is(err, invites.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an invalid filter or page position: "+err.Error())
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	names := map[string]string{}
	for _, inv := range page.Invitations {
		st := inv.StatusAt(s.now())
		if v.Status != "" && st != invites.Status(v.Status) {
			continue
		}
		row := invitationRow{Inv: inv, Status: st, Badge: invitationBadge(st), Kind: kindName(inv),
			Open: st == invites.Pending}
		if row.AccountName, err = s.cachedName(r.Context(), names, "account", inv.AccountID); err != nil {
			s.internal(w, r, err)
			return
		}
		if row.Inviter, err = s.cachedName(r.Context(), names, "user", inv.InviterID); err != nil {
			s.internal(w, r, err)
			return
		}
		v.Rows = append(v.Rows, row)
	}
	if page.Next != "" {
		nq := url.Values{"after": {page.Next}}
		for k, val := range map[string]string{"status": v.Status, "kind": v.Kind, "email": v.Email} {
			if val != "" {
				nq.Set(k, val)
			}
		}
		v.NextURL = "/invitations?" + nq.Encode()
	}
	u, _ := s.user(r)
	v.Owner = u.Role == tenancy.RoleOwner
	v.Statuses, v.Permissions, v.Roles = invitationStatuses, teamPermissions, staffRoles
	v.Kinds = []string{string(invites.KindAccount), string(invites.KindTeamMember), string(invites.KindManager), string(invites.KindStaff)}
	v.SMTP, v.Catcher = s.smtpInfo()
	s.render(w, r, status, "invitations", "Invitations", v)
}

// cachedName is an account's name or a user's email, read once per page.
func (s *server) cachedName(ctx context.Context, cache map[string]string, kind, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if strings.HasPrefix(id, "system:") {
		return id, nil
	}
	key := kind + "/" + id
	if n, ok := cache[key]; ok {
		return n, nil
	}
	var name string
	var err error
	if kind == "account" {
		var a tenancy.Account
		a, err = s.p.Tenancy.Account(ctx, s.platformID, id)
		name = a.Name
	} else {
		var u tenancy.User
		u, err = s.p.Tenancy.User(ctx, s.platformID, id)
		name = u.Email
	}
	if errors.Is(err, tenancy.ErrNotFound) {
		name, err = "(deleted)", nil
	}
	if err != nil {
		return "", err
	}
	cache[key] = name
	return name, nil
}

// kindName says what an invitation offers, in words.
func kindName(inv invites.Invitation) string {
	switch inv.Kind {
	case invites.KindAccount:
		return "customer account"
	case invites.KindTeamMember:
		return "team member"
	case invites.KindManager:
		return "manager of " + inv.ResourceID
	case invites.KindStaff:
		return "staff: " + inv.Role
	}
	return string(inv.Kind)
}

// invitationBadge colours an invitation's status.
func invitationBadge(st invites.Status) badge {
	switch st {
	case invites.Pending:
		return badge{"pending", "warn", "Waiting for the invitee"}
	case invites.Accepted:
		return badge{"accepted", "ok", "The invitee accepted"}
	case invites.Declined:
		return badge{"declined", "muted", "The invitee turned it down"}
	case invites.Revoked:
		return badge{"revoked", "bad", "Withdrawn: the link no longer works"}
	case invites.Expired:
		return badge{"expired", "bad", "The link expired before it was used"}
	}
	return badge{string(st), "muted", ""}
}

// sendInvitation creates an invitation and emails it: POST /invitations.
func (s *server) sendInvitation(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	f := inviteForm{Kind: r.PostFormValue("kind"), Email: strings.TrimSpace(r.PostFormValue("email")),
		Account: strings.TrimSpace(r.PostFormValue("account")), AccountName: strings.TrimSpace(r.PostFormValue("account_name")),
		Resource: strings.TrimSpace(r.PostFormValue("resource")), Role: r.PostFormValue("role"),
		Permissions: r.PostForm["permissions"]}
	for _, p := range f.Permissions {
		if !slices.Contains(teamPermissions, p) {
			s.invitationsPage(w, r, http.StatusUnprocessableEntity, invitationsView{Form: f, Error: "Unknown permission " + p + "."})
			return
		}
	}
	p := invites.CreateParams{PlatformID: s.platformID, Kind: invites.Kind(f.Kind), Email: f.Email}
	switch p.Kind {
	case invites.KindAccount:
		p.AccountName = f.AccountName
	case invites.KindTeamMember, invites.KindManager:
		acc, err := s.findInviteAccount(r.Context(), f.Account)
		if err != nil {
			s.invitationsPage(w, r, statusOf(err), invitationsView{Form: f, Error: accountLookupError(f.Account, err)})
			return
		}
		p.AccountID = acc.ID
		if p.Kind == invites.KindTeamMember {
			p.Permissions = f.Permissions
		} else {
			p.ResourceID = f.Resource
		}
	case invites.KindStaff:
		p.Role = f.Role
	}
	created, err := s.p.Invites.Create(r.Context(), p)
	if err != nil && created.Invitation.ID != "" {
		s.log.Warn("invitation saved but not sent", "invitation", created.Invitation.ID, "error", err)
		s.invitationsPage(w, r, http.StatusBadGateway, invitationsView{Form: inviteForm{Kind: f.Kind},
			Error: "The invitation to " + created.Invitation.Email + " is saved, but the email could not be sent (" +
				s.smtpName() + " did not take it). Resend it once the mail server is back."})
		return
	}
	if err != nil {
		s.invitationsPage(w, r, inviteStatus(err), invitationsView{Form: f, Error: inviteError(err)})
		return
	}
	if s.mail == nil {
		s.invitationsPage(w, r, http.StatusOK, invitationsView{Form: inviteForm{Kind: f.Kind},
			Notice: "Invitation to " + created.Invitation.Email + " saved, but no mail server is configured: no email was sent."})
		return
	}
	s.invitationsPage(w, r, http.StatusOK, invitationsView{Form: inviteForm{Kind: f.Kind},
		Notice: "Invitation sent to " + created.Invitation.Email + " (" + kindName(created.Invitation) + "). The link works once, until " +
			created.Invitation.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC") + "."})
}

// smtpName names the mail server, for messages.
func (s *server) smtpName() string {
	addr, catcher := s.smtpInfo()
	switch {
	case catcher:
		return "the mail catcher at " + addr
	case addr != "":
		return "the SMTP server " + addr
	}
	return "no mail server"
}

// findInviteAccount finds an account by its nickname, UID or ID.
func (s *server) findInviteAccount(ctx context.Context, ref string) (tenancy.Account, error) {
	if ref == "" {
		return tenancy.Account{}, &tenancy.InvalidError{Field: "account", Reason: "is required for this kind of invitation"}
	}
	acc, err := s.p.Tenancy.AccountByNickname(ctx, s.platformID, ref)
	if !errors.Is(err, tenancy.ErrNotFound) && !errors.Is(err, tenancy.ErrInvalid) {
		return acc, err
	}
	if acc, err = s.p.Tenancy.AccountByUID(ctx, s.platformID, ref); !errors.Is(err, tenancy.ErrNotFound) && !errors.Is(err, tenancy.ErrInvalid) {
		return acc, err
	}
	return s.p.Tenancy.Account(ctx, s.platformID, ref)
}

func accountLookupError(ref string, err error) string {
	switch {
	case errors.Is(err, tenancy.ErrInvalid) && ref == "":
		return "Name the account: its nickname, UID or ID."
	case errors.Is(err, tenancy.ErrNotFound), errors.Is(err, tenancy.ErrInvalid):
		return "There is no account " + quoted(ref) + " on this platform (give its nickname, UID or ID)."
	}
	return userError(err)
}

func quoted(s string) string { return "“" + s + "”" }

// resendInvitation sends a pending invitation again with a new link:
// POST /invitations/{id}/resend.
func (s *server) resendInvitation(w http.ResponseWriter, r *http.Request) {
	created, err := s.p.Invites.Resend(r.Context(), s.platformID, r.PathValue("id"))
	if err != nil && created.Invitation.ID != "" {
		s.invitationsPage(w, r, http.StatusBadGateway, invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)},
			Error: "A new link is saved, but the email could not be sent (" + s.smtpName() + " did not take it). Try again later."})
		return
	}
	if err != nil {
		s.invitationsPage(w, r, inviteStatus(err), invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)}, Error: inviteError(err)})
		return
	}
	s.invitationsPage(w, r, http.StatusOK, invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)},
		Notice: "Sent a new link to " + created.Invitation.Email + "; the old one no longer works."})
}

// revokeInvitation withdraws a pending invitation: POST
// /invitations/{id}/revoke.
func (s *server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	inv, err := s.p.Invites.Revoke(r.Context(), s.platformID, r.PathValue("id"))
	if err != nil {
		s.invitationsPage(w, r, inviteStatus(err), invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)}, Error: inviteError(err)})
		return
	}
	s.invitationsPage(w, r, http.StatusOK, invitationsView{Form: inviteForm{Kind: string(invites.KindTeamMember)},
		Notice: "Revoked the invitation to " + inv.Email + "; its link no longer works."})
}

// inviteError is what the invitations page says of a refusal.
func inviteError(err error) string {
	var inv *invites.InvalidError
	switch {
	case errors.As(err, &inv):
		return "Check the form: " + inv.Field + " " + inv.Reason + "."
	case errors.Is(err, invites.ErrRateLimited):
		return "Too many invitations were sent in the last hour; try again later."
	case errors.Is(err, invites.ErrTooSoon):
		return "This invitation was sent moments ago; wait a minute before sending it again."
	case errors.Is(err, tenancy.ErrQuotaExceeded):
		return "The account has no free team seat: every seat of its team quota is taken (pending invitations hold one each). Revoke an invitation, remove a member, or raise its quota."
	case errors.Is(err, invites.ErrConflict):
		return "This person already has a pending invitation to the same place. Resend it instead."
	case errors.Is(err, invites.ErrForbidden):
		if strings.Contains(err.Error(), "owner") {
			return "Only the platform's owners may invite staff."
		}
		return "You may not do this: " + err.Error()
	case errors.Is(err, invites.ErrExpired):
		return "This invitation has expired; send a new one."
	case errors.Is(err, invites.ErrRevoked):
		return "This invitation was already revoked."
	case errors.Is(err, invites.ErrUsed):
		return "This invitation was already accepted."
	case errors.Is(err, invites.ErrDeclined):
		return "The invitee declined this invitation."
	case errors.Is(err, invites.ErrNotFound):
		return "There is no such invitation."
	}
	return userError(err)
}

// inviteStatus is the HTTP status of a refused invitation change.
func inviteStatus(err error) int {
	switch {
	case errors.Is(err, invites.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, invites.ErrRateLimited), errors.Is(err, invites.ErrTooSoon):
		return http.StatusTooManyRequests
	case errors.Is(err, invites.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, invites.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, invites.ErrConflict), errors.Is(err, tenancy.ErrQuotaExceeded), errors.Is(err, invites.ErrExpired),
		errors.Is(err, invites.ErrRevoked), errors.Is(err, invites.ErrUsed), errors.Is(err, invites.ErrDeclined):
		return http.StatusConflict
	}
	return statusOf(err)
}
