package main

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/tenancy"
)

func init() {
	registerPages("accept")
	registerRoutes(func(s *server) {
		s.mux.HandleFunc("GET /invite/{token}", s.invitePage)
		s.mux.HandleFunc("POST /invite/{token}/accept", s.acceptInvite)
		s.mux.HandleFunc("POST /invite/{token}/signup", s.signupAndAccept)
		s.mux.HandleFunc("POST /invite/{token}/login", s.loginAndAccept)
		s.mux.HandleFunc("POST /invite/{token}/decline", s.declineInvite)
	})
}

// signupPrincipal creates the users who register through an invitation
// link: the link's token proves they read mail sent to the address.
var signupPrincipal = audit.System("portal-signup")

// acceptView is the data of the page an invitation link opens.
type acceptView struct {
	Token string
	// Inv is set once the token is verified; nothing is shown otherwise.
	Inv     *invites.Invitation
	Offer   string
	Product string
	// Refusal says why the invitation cannot be accepted (expired,
	// revoked, used, declined, not for this user).
	Refusal string
	// Signed is the signed-in user, when there is one; Match is true when
	// their email is the invited one.
	Signed *tenancy.User
	Match  bool
	// Impersonating refuses accepting inside a "log in as" session.
	Impersonating bool
	// Password is false when the platform turned password login off.
	Password bool
	Name     string
	Error    string
	Notice   string
}

// logPath is the request path as the log may show it: an invitation's
// token is a secret, so it is cut from /invite/<token> paths.
func logPath(path string) string {
	if rest, ok := strings.CutPrefix(path, "/invite/"); ok && rest != "" {
		if _, tail, found := strings.Cut(rest, "/"); found {
			return "/invite/…/" + tail
		}
		return "/invite/…"
	}
	return path
}

// invitePage shows what the link offers and how to accept it: GET
// /invite/{token}.
func (s *server) invitePage(w http.ResponseWriter, r *http.Request) {
	v, status := s.acceptState(r)
	s.renderAccept(w, r, status, v)
}

func (s *server) renderAccept(w http.ResponseWriter, r *http.Request, status int, v acceptView) {
	// The token is in the address: never send it on in a Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "accept", "Your invitation", v)
}

// acceptState verifies the link's token and works out what the visitor
// may do, with the page's status.
func (s *server) acceptState(r *http.Request) (acceptView, int) {
	ctx := r.Context()
	v := acceptView{Token: r.PathValue("token"), Password: true}
	inv, err := s.p.Invites.Preview(ctx, s.platformID, v.Token)
	if errors.Is(err, invites.ErrNotFound) {
		v.Refusal = "This invitation link is not valid. If you were sent a newer email, use its link; otherwise ask for a new invitation."
		return v, http.StatusNotFound
	}
	if err != nil {
		s.log.Error("invitation preview", "error", err)
		v.Refusal = "Something went wrong on our side. Please try again."
		return v, http.StatusInternalServerError
	}
	v.Inv = &inv
	v.Offer = s.inviteOffer(ctx, inv)
	if t, err := s.p.Branding.Theme(ctx, s.platformID); err == nil && t.ProductName != "" {
		v.Product = t.ProductName
	} else if p, err := s.p.Tenancy.Platform(ctx, s.platformID); err == nil {
		v.Product = p.Name
	}
	if ls, err := s.p.Branding.LoginSettings(ctx, s.platformID); err == nil {
		v.Password = ls.Password
	}
	if st := inv.StatusAt(s.now()); st != invites.Pending {
		v.Refusal = refusalText(st)
		return v, http.StatusGone
	}
	_, v.Impersonating = impersonation.BannerFrom(ctx)
	if u, ok := s.user(r); ok {
		v.Signed = &u
		v.Match = sameEmail(u.Email, inv.Email)
		if !v.Match {
			v.Refusal = "You are signed in as " + u.Email + ", but this invitation is for " + inv.Email +
				". Log out, then open the link again to accept it with that address."
			return v, http.StatusForbidden
		}
	}
	return v, http.StatusOK
}

// sameEmail compares a user's email with the invited (canonical) one;
// invites.Accept checks again with its own canonical form.
func sameEmail(userEmail, invited string) bool {
	e, err := tenancy.NormalizeEmail(userEmail)
	return err == nil && e == invited
}

// inviteOffer says, in words, what the invitation offers.
func (s *server) inviteOffer(ctx context.Context, inv invites.Invitation) string {
	account := ""
	if inv.AccountID != "" {
		if a, err := s.p.Tenancy.Account(ctx, s.platformID, inv.AccountID); err == nil {
			account = a.Name
		}
	}
	switch inv.Kind {
	case invites.KindAccount:
		if inv.AccountName != "" {
			return "a customer account for " + inv.AccountName
		}
		return "a customer account of your own"
	case invites.KindTeamMember:
		out := "a place in the team of " + account
		if len(inv.Permissions) > 0 {
			out += " (" + strings.Join(inv.Permissions, ", ") + ")"
		}
		return out
	case invites.KindManager:
		return "access to the chatbot " + inv.ResourceID + " of " + account
	case invites.KindStaff:
		return "a place in the platform's staff as " + tenancy.Role(inv.Role).String()
	}
	return string(inv.Kind)
}

// refusalText explains an invitation that can no longer be accepted.
func refusalText(st invites.Status) string {
	switch st {
	case invites.Expired:
		return "This invitation has expired. Ask the person who invited you to send a new one."
	case invites.Revoked:
		return "This invitation was withdrawn by the person who sent it."
	case invites.Accepted:
		return "This invitation was already accepted: log in to continue."
	case invites.Declined:
		return "This invitation was declined."
	}
	return "This invitation can no longer be accepted."
}

// acceptError is what the accept page says of a refused acceptance.
func acceptError(err error) (string, int) {
	switch {
	case errors.Is(err, invites.ErrNotFound):
		return "This invitation link is not valid any more: use the latest email you received.", http.StatusNotFound
	case errors.Is(err, invites.ErrExpired):
		return refusalText(invites.Expired), http.StatusGone
	case errors.Is(err, invites.ErrRevoked):
		return refusalText(invites.Revoked), http.StatusGone
	case errors.Is(err, invites.ErrUsed):
		return refusalText(invites.Accepted), http.StatusGone
	case errors.Is(err, invites.ErrDeclined):
		return refusalText(invites.Declined), http.StatusGone
	case errors.Is(err, invites.ErrWrongRecipient):
		return "This invitation is for another email address.", http.StatusForbidden
	case errors.Is(err, invites.ErrConflict):
		return "The invitation could not be granted (" + err.Error() + "). Ask the person who invited you.", http.StatusConflict
	}
	return "Something went wrong on our side. Please try again.", http.StatusInternalServerError
}

// landingFor is where a user goes once in.
func landingFor(u tenancy.User) string {
	if isStaff(u) {
		return "/accounts"
	}
	return "/dashboard"
}

// acceptInvite accepts the invitation as the signed-in user: POST
// /invite/{token}/accept.
func (s *server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	v, status := s.acceptState(r)
	if status != http.StatusOK || v.Signed == nil || v.Impersonating {
		if status == http.StatusOK && v.Signed == nil {
			v.Error, status = "Log in or set your password below to accept.", http.StatusUnauthorized
		}
		if v.Impersonating {
			v.Error, status = "You are in a “log in as” session: only the invitee may accept. Exit first.", http.StatusForbidden
		}
		s.renderAccept(w, r, status, v)
		return
	}
	u := *v.Signed
	s.finishAccept(w, r, v, u, false)
}

// finishAccept accepts the invitation for u, then lands them (starting
// their session when login is true).
func (s *server) finishAccept(w http.ResponseWriter, r *http.Request, v acceptView, u tenancy.User, login bool) {
	_, err := s.p.Invites.Accept(r.Context(), invites.AcceptParams{PlatformID: s.platformID, Token: v.Token, UserID: u.ID, UserEmail: u.Email})
	if err != nil {
		msg, status := acceptError(err)
		if status == http.StatusInternalServerError || status == http.StatusConflict {
			s.log.Error("accept invitation", "error", err)
		}
		if login { // the user exists now: they can log in and try again
			s.startSession(w, r, u.ID)
		}
		v.Error = msg
		s.renderAccept(w, r, status, v)
		return
	}
	if login {
		s.startSession(w, r, u.ID)
	}
	// Re-read: accepting a staff invitation changed the role.
	if fresh, err := s.p.Tenancy.User(r.Context(), s.platformID, u.ID); err == nil {
		u = fresh
	}
	http.Redirect(w, r, landingFor(u), http.StatusSeeOther)
}

// signupAndAccept registers the invitee with the invited email, a name
// and a password, accepts, and logs them in: POST /invite/{token}/signup.
func (s *server) signupAndAccept(w http.ResponseWriter, r *http.Request) {
	v, status := s.acceptState(r)
	if status != http.StatusOK || v.Signed != nil || !v.Password {
		s.renderAccept(w, r, status, v)
		return
	}
	v.Name = strings.TrimSpace(r.PostFormValue("name"))
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		v.Error = "The two passwords differ."
		s.renderAccept(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	ctx := audit.WithPrincipal(r.Context(), signupPrincipal)
	created, err := s.p.Tenancy.CreateUser(ctx, tenancy.CreateUserParams{PlatformID: s.platformID,
		Email: v.Inv.Email, Name: v.Name, Password: password})
	switch {
	case errors.Is(err, tenancy.ErrConflict):
		// The token holder was sent the email: telling them a login exists
		// for it reveals nothing they do not know.
		v.Error = "A login already exists for " + v.Inv.Email + ": log in below to accept."
		s.renderAccept(w, r, http.StatusConflict, v)
		return
	case errors.Is(err, tenancy.ErrInvalid):
		v.Error = err.Error()
		var ie *tenancy.InvalidError
		if errors.As(err, &ie) {
			v.Error = "Check the form: " + ie.Field + " " + ie.Reason + "."
		}
		s.renderAccept(w, r, http.StatusUnprocessableEntity, v)
		return
	case err != nil:
		s.internal(w, r, err)
		return
	}
	s.finishAccept(w, r, v, created.User, true)
}

// loginAndAccept logs the invitee in with the invited email and their
// password, and accepts: POST /invite/{token}/login.
func (s *server) loginAndAccept(w http.ResponseWriter, r *http.Request) {
	v, status := s.acceptState(r)
	if status != http.StatusOK || v.Signed != nil || !v.Password {
		s.renderAccept(w, r, status, v)
		return
	}
	res, err := s.p.Tenancy.Authenticate(r.Context(), tenancy.AuthenticateParams{
		PlatformID: s.platformID, Email: v.Inv.Email, Password: r.PostFormValue("password")})
	if err != nil {
		if !refusal(err) {
			s.log.Warn("login failed", "error", err)
		}
		v.Error = loginMessage(err)
		s.renderAccept(w, r, http.StatusUnauthorized, v)
		return
	}
	s.finishAccept(w, r, v, res.User, true)
}

// declineInvite turns the invitation down: POST /invite/{token}/decline.
// The token proves the invitee read the email, signed in or not.
func (s *server) declineInvite(w http.ResponseWriter, r *http.Request) {
	v, status := s.acceptState(r)
	if status != http.StatusOK || v.Impersonating {
		if v.Impersonating {
			v.Error, status = "You are in a “log in as” session: only the invitee may decline. Exit first.", http.StatusForbidden
		}
		s.renderAccept(w, r, status, v)
		return
	}
	ctx, userID := r.Context(), ""
	if v.Signed != nil {
		userID = v.Signed.ID
	} else {
		ctx = audit.WithPrincipal(ctx, audit.System("portal-invite-link"))
	}
	if _, err := s.p.Invites.Decline(ctx, s.platformID, v.Token, userID, v.Inv.Email); err != nil {
		v.Error, status = acceptError(err)
		s.renderAccept(w, r, status, v)
		return
	}
	v.Refusal, v.Notice = "", "You declined the invitation. You can close this page."
	v.Inv.Status = invites.Declined
	s.renderAccept(w, r, http.StatusOK, v)
}
