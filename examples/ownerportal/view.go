package main

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// funcs are the helpers the templates use.
var funcs = template.FuncMap{
	"date":       func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime":   func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"statusText": http.StatusText,
	"pct": func(used, limit int64) int64 {
		if limit <= 0 {
			return 0
		}
		return min(100, used*100/limit)
	},
}

// licenseBadge is the badge of an account's license at now.
func licenseBadge(l licensing.License, now time.Time) badge {
	st := l.StatusAt(now)
	title := fmt.Sprintf("License %s, %s to %s", l.Number, l.StartsAt.UTC().Format("2 Jan 2006"), l.EndsAt.UTC().Format("2 Jan 2006"))
	if l.ActiveAt(now) {
		return badge{"licensed", "ok", title}
	}
	return badge{"license " + string(st), "bad", "Not served: " + title}
}

// userError is the message a form shows for a refused change: tenancy's
// and licensing's own words for invalid input and rules, a generic line
// for anything else.
func userError(err error) string {
	switch {
	case errors.Is(err, tenancy.ErrInvalid), errors.Is(err, tenancy.ErrConflict), errors.Is(err, tenancy.ErrForbidden),
		errors.Is(err, tenancy.ErrQuotaExceeded), errors.Is(err, licensing.ErrInvalid):
		return err.Error()
	case errors.Is(err, tenancy.ErrStale):
		return "Someone changed this at the same time. Reload the page and try again."
	case errors.Is(err, tenancy.ErrNotFound):
		return "It does not exist any more."
	}
	return "Something went wrong on our side. Please try again."
}

// statusOf is the HTTP status of a refused change.
func statusOf(err error) int {
	switch {
	case errors.Is(err, tenancy.ErrInvalid), errors.Is(err, licensing.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, tenancy.ErrConflict), errors.Is(err, tenancy.ErrStale), errors.Is(err, tenancy.ErrQuotaExceeded):
		return http.StatusConflict
	case errors.Is(err, tenancy.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, tenancy.ErrNotFound):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// badge is a small coloured label next to an account's name. Class is one
// of the CSS classes of the layout (ok, bad, warn, info, muted).
type badge struct {
	Label string
	Class string
	// Title explains the badge on hover.
	Title string
}

// badges lists the labels of an account's states at now, the most
// important first.
func badges(a tenancy.Account, now time.Time) []badge {
	var out []badge
	if a.Status == tenancy.AccountActive {
		out = append(out, badge{"active", "ok", "Users may log in"})
	} else {
		out = append(out, badge{"disabled", "bad", "Login and API access blocked; data and quotas kept"})
	}
	if a.Locked {
		out = append(out, badge{"locked", "bad", "Nobody may log in, staff included"})
	}
	if a.IsTest() {
		out = append(out, testBadge(a.TestExpiresAt, now))
	}
	if a.Secure {
		out = append(out, badge{"secure", "info", "HIPAA: only secure operators may act on it"})
	}
	if a.Template {
		out = append(out, badge{"template", "muted", "New accounts can copy its settings"})
	}
	if a.InSetup() {
		out = append(out, badge{"in setup", "warn", "Onboarding not complete"})
	}
	return out
}

// testBadge shows a trial's countdown, or that it ended.
func testBadge(end, now time.Time) badge {
	title := "Trial ends " + end.UTC().Format("2 Jan 2006 15:04 UTC")
	if !now.Before(end) {
		return badge{"test · expired", "bad", "Trial ended " + end.UTC().Format("2 Jan 2006") + "; nobody can log in"}
	}
	days := int(math.Ceil(end.Sub(now).Hours() / 24))
	if days == 1 {
		return badge{"test · 1 day left", "warn", title}
	}
	return badge{fmt.Sprintf("test · %d days left", days), "warn", title}
}

// accountRow is one line of the accounts list.
type accountRow struct {
	ID, Name, Email, Nickname, Plan string
	Tags                            []string
	Created                         time.Time
	Badges                          []badge
	// License is the license badge: green when the account is licensed
	// now, red otherwise.
	License badge
	// Users, Subscribers and Messages are the summary figures.
	Users, Subscribers, Messages int64
}

func newAccountRow(a tenancy.Account, f tenancy.Figures, now time.Time) accountRow {
	return accountRow{ID: a.ID, Name: a.Name, Email: a.Email, Nickname: a.Nickname, Plan: a.Plan,
		Tags: a.Tags, Created: a.CreatedAt, Badges: badges(a, now),
		Users: f.Users, Subscribers: f.Totals["subscribers"], Messages: f.Totals["messages"]}
}

// stepView is one onboarding step on the account page.
type stepView struct {
	Name string
	Done bool
}

// steps lists the wizard's steps with whether each is done, followed by any
// other step the account completed.
func steps(done []string) []stepView {
	var out []stepView
	for _, s := range onboardingSteps {
		out = append(out, stepView{Name: stepName(s), Done: slices.Contains(done, s)})
	}
	for _, s := range done {
		if !slices.Contains(onboardingSteps, s) {
			out = append(out, stepView{Name: stepName(s), Done: true})
		}
	}
	return out
}

// stepName turns a step key into words: "first_chatbot" → "First chatbot".
func stepName(key string) string {
	s := strings.ReplaceAll(key, "_", " ")
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
