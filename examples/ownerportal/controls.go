package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/tenancy"
)

// accountAction is one of the account controls: it changes the account
// through the façade (so the cascades run) and returns what to tell.
type accountAction func(s *server, r *http.Request, acc tenancy.Account) (accountView, error)

// toggle makes an action of a Service call taking the account.
func toggle(notice string, fn func(t *tenancy.Service) func(context.Context, string, string) (tenancy.Account, error)) accountAction {
	return func(s *server, r *http.Request, acc tenancy.Account) (accountView, error) {
		_, err := fn(s.p.Tenancy)(r.Context(), s.platformID, acc.ID)
		return accountView{Notice: notice}, err
	}
}

// flag makes an action of a Service call setting a boolean from the
// form's "on" field ("1" or not).
func boolFlag(what string, fn func(t *tenancy.Service) func(context.Context, string, string, bool) (tenancy.Account, error)) accountAction {
	return func(s *server, r *http.Request, acc tenancy.Account) (accountView, error) {
		on := r.PostFormValue("on") == "1"
		_, err := fn(s.p.Tenancy)(r.Context(), s.platformID, acc.ID, on)
		state := " off."
		if on {
			state = " on."
		}
		return accountView{Notice: what + state}, err
	}
}

// accountActions are the account controls by the last part of their path.
var accountActions = map[string]accountAction{
	"disable": toggle("Account disabled: login and API access blocked.", func(t *tenancy.Service) func(context.Context, string, string) (tenancy.Account, error) {
		return t.DisableAccount
	}),
	"enable": toggle("Account enabled.", func(t *tenancy.Service) func(context.Context, string, string) (tenancy.Account, error) {
		return t.EnableAccount
	}),
	"lock": toggle("Account locked: nobody logs in.", func(t *tenancy.Service) func(context.Context, string, string) (tenancy.Account, error) {
		return t.LockAccount
	}),
	"unlock": toggle("Account unlocked.", func(t *tenancy.Service) func(context.Context, string, string) (tenancy.Account, error) {
		return t.UnlockAccount
	}),
	"secure": boolFlag("Secure (HIPAA)", func(t *tenancy.Service) func(context.Context, string, string, bool) (tenancy.Account, error) {
		return t.SetSecure
	}),
	"template": boolFlag("Template", func(t *tenancy.Service) func(context.Context, string, string, bool) (tenancy.Account, error) {
		return t.SetTemplate
	}),
	"links": boolFlag("Sending links", func(t *tenancy.Service) func(context.Context, string, string, bool) (tenancy.Account, error) {
		return t.SetLinksAllowed
	}),
	"assign":   assignOperator(true),
	"unassign": assignOperator(false),
	"reset-password": func(s *server, r *http.Request, acc tenancy.Account) (accountView, error) {
		tok, err := s.p.Tenancy.IssuePasswordToken(r.Context(), s.platformID, acc.PrimaryUserID, tenancy.TokenResetPassword)
		if err != nil {
			return accountView{}, err
		}
		return accountView{Notice: "Password reset link for " + acc.Email + " (hand it to the client; it works once, until " +
			tok.ExpiresAt.UTC().Format("2 Jan 2006 15:04 UTC") + "):", Link: s.passwordLink(r, tok.Token)}, nil
	},
}

// assignOperator puts the account in the care of the operator of the form,
// or takes it away.
func assignOperator(assign bool) accountAction {
	return func(s *server, r *http.Request, acc tenancy.Account) (accountView, error) {
		op := r.PostFormValue("operator")
		if assign {
			return accountView{Notice: "Operator assigned."}, s.p.Tenancy.AssignAccounts(r.Context(), s.platformID, op, []string{acc.ID})
		}
		return accountView{Notice: "Operator unassigned."}, s.p.Tenancy.UnassignAccounts(r.Context(), s.platformID, op, []string{acc.ID})
	}
}

// control runs one account control: POST /accounts/{id}/{action}.
func (s *server) control(w http.ResponseWriter, r *http.Request) {
	acc, err := s.p.Tenancy.Account(r.Context(), s.platformID, r.PathValue("id"))
	if errors.Is(err, tenancy.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, "There is no such account on this platform.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	action := r.PathValue("action")
	if action == "delete" {
		s.deleteAccount(w, r, acc)
		return
	}
	fn, ok := accountActions[action]
	if !ok {
		s.notFound(w, r)
		return
	}
	msg, err := fn(s, r, acc)
	if err != nil {
		s.accountPage(w, r, statusOf(err), accountView{Error: userError(err)})
		return
	}
	s.accountPage(w, r, http.StatusOK, msg)
}

// deleteAccount deletes the account for good once the form's confirm
// field repeats its name.
func (s *server) deleteAccount(w http.ResponseWriter, r *http.Request, acc tenancy.Account) {
	if strings.TrimSpace(r.PostFormValue("confirm")) != acc.Name {
		s.accountPage(w, r, http.StatusUnprocessableEntity, accountView{Error: "To delete the account, type its name exactly in the confirmation box."})
		return
	}
	if _, err := s.p.Tenancy.DeleteAccount(r.Context(), s.platformID, acc.ID); err != nil {
		s.accountPage(w, r, statusOf(err), accountView{Error: userError(err)})
		return
	}
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
}

// loginAs starts a "log in as" session: POST /accounts/{id}/login-as with
// mode=client|partner, or mode=staff&user=ID. The impersonation package
// checks the rules (never staff, never a locked account, ...) and ends the
// actor's own login until Exit.
func (s *server) loginAs(w http.ResponseWriter, r *http.Request) {
	p := impersonation.StartParams{PlatformID: s.platformID, AccountID: r.PathValue("id"),
		Mode: impersonation.Mode(r.PostFormValue("mode")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	if p.Mode == impersonation.AsStaff {
		p.UserID = r.PostFormValue("user")
	}
	if _, err := s.imp.Begin(w, r, p); err != nil {
		s.log.Info("log in as refused", "account", p.AccountID, "error", err)
		s.accountPage(w, r, http.StatusForbidden, accountView{Error: "Log in as refused: " + impersonationMessage(err)})
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// impersonationMessage is the refusal's own words when impersonation
// explains it, a generic line otherwise.
func impersonationMessage(err error) string {
	for _, e := range []error{impersonation.ErrInvalid, impersonation.ErrNotFound, impersonation.ErrForbidden,
		impersonation.ErrNested, impersonation.ErrActorNotStaff, impersonation.ErrSelf, impersonation.ErrTargetStaff,
		impersonation.ErrTargetInactive, impersonation.ErrNotMember, impersonation.ErrAccountDeleted,
		impersonation.ErrAccountLocked, impersonation.ErrAccountDisabled, impersonation.ErrTestExpired,
		impersonation.ErrSecureAccount, impersonation.ErrNotAssigned} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "something went wrong on our side."
}

// passwordLink is the portal's set-password page for token.
func (s *server) passwordLink(r *http.Request, token string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/password?token=" + url.QueryEscape(token)
}
