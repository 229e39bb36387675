package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/tenancy"
)

// filter is the accounts page's query: ?q=&locked=1&test=1&setup=1&
// templates=1&mine=1&tag=&plan=&sort=name|newest&after=.
type filter struct {
	Q                                    string
	Locked, Test, Setup, Templates, Mine bool
	Tag, Plan                            string
	Sort                                 string
	After                                string
}

// parseFilter reads the query string; a flag is on when its value is "1".
func parseFilter(q url.Values) (filter, error) {
	f := filter{
		Q: strings.TrimSpace(q.Get("q")), Locked: q.Get("locked") == "1", Test: q.Get("test") == "1",
		Setup: q.Get("setup") == "1", Templates: q.Get("templates") == "1", Mine: q.Get("mine") == "1",
		Tag: q.Get("tag"), Plan: q.Get("plan"), Sort: q.Get("sort"), After: q.Get("after"),
	}
	switch f.Sort {
	case "", string(tenancy.SortNewest):
		f.Sort = string(tenancy.SortNewest)
	case string(tenancy.SortName):
	default:
		return filter{}, errors.New(`Unknown sort order: use "name" or "newest".`)
	}
	return f, nil
}

// params is the ListAccounts call of the filter; userID is the staff
// member asking (for "my accounts").
func (f filter) params(platformID, userID string, limit int) tenancy.ListAccountsParams {
	test := tenancy.AnyAccount
	if f.Test {
		test = tenancy.TestAccounts
	}
	operator := ""
	if f.Mine {
		operator = userID
	}
	return tenancy.ListAccountsParams{
		OperatorID: operator,
		PlatformID: platformID, Search: f.Q, IncludeLocked: f.Locked, Test: test,
		OnlyInSetup: f.Setup, OnlyTemplates: f.Templates, Tag: f.Tag, Plan: f.Plan,
		Sort: tenancy.AccountSort(f.Sort), After: f.After, Limit: limit, WithFigures: true,
	}
}

// query encodes the filter back into a query string, without the cursor,
// leaving out what is at its default.
func (f filter) query() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	flag := func(k string, on bool) {
		if on {
			v.Set(k, "1")
		}
	}
	set("q", f.Q)
	flag("locked", f.Locked)
	flag("test", f.Test)
	flag("setup", f.Setup)
	flag("templates", f.Templates)
	flag("mine", f.Mine)
	set("tag", f.Tag)
	set("plan", f.Plan)
	if f.Sort != string(tenancy.SortNewest) {
		v.Set("sort", f.Sort)
	}
	return v
}

// link is the accounts page URL of f with one parameter changed (an empty
// value removes it).
func (f filter) link(key, value string) string {
	v := f.query()
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	return pageURL(v)
}

func pageURL(v url.Values) string {
	if len(v) == 0 {
		return "/accounts"
	}
	return "/accounts?" + v.Encode()
}

// accountsView is the data of the accounts page.
type accountsView struct {
	Filter filter
	Rows   []accountRow
	// NextURL is the next page's link, FirstURL the first page's when this
	// is not the first page; ClearTag and ClearPlan drop those filters.
	NextURL, FirstURL   string
	ClearTag, ClearPlan string
	// Form is the "Create account" form, with its outcome.
	Form createForm
}

// createForm is the "Create account" form: what was typed, and what
// happened.
type createForm struct {
	Name, Email, Plan string
	Error, Created    string
	// CreatedID and SetPasswordURL are the new account and the link its
	// client sets their password with.
	CreatedID, SetPasswordURL string
}

// accounts serves the accounts list: GET /accounts.
func (s *server) accounts(w http.ResponseWriter, r *http.Request) {
	s.accountsPage(w, r, http.StatusOK, createForm{})
}

func (s *server) accountsPage(w http.ResponseWriter, r *http.Request, status int, form createForm) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	u, _ := s.user(r)
	page, err := s.p.Tenancy.ListAccounts(r.Context(), f.params(s.platformID, u.ID, s.pageSize))
	if errors.Is(err, tenancy.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an invalid filter or page position. Start again from the first page.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	v := s.accountsView(f, page)
	if err := s.licenseBadges(r.Context(), v.Rows); err != nil {
		s.internal(w, r, err)
		return
	}
	v.Form = form
	s.render(w, r, status, "accounts", "Accounts", v)
}

// licenseBadges sets each row's license badge, reading the page's
// licenses in one batch.
func (s *server) licenseBadges(ctx context.Context, rows []accountRow) error {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	licenses, err := s.p.Licensing.AccountLicenses(ctx, s.platformID, ids)
	if err != nil {
		return err
	}
	now := s.now()
	for i := range rows {
		if l, ok := licenses[rows[i].ID]; ok {
			rows[i].License = licenseBadge(l, now)
		} else {
			rows[i].License = badge{"no license", "bad", "Not served: the account has no license"}
		}
	}
	return nil
}

func (s *server) accountsView(f filter, page tenancy.AccountPage) accountsView {
	v := accountsView{Filter: f, ClearTag: f.link("tag", ""), ClearPlan: f.link("plan", "")}
	now := s.now()
	for _, a := range page.Accounts {
		v.Rows = append(v.Rows, newAccountRow(a, page.Figures[a.ID], now))
	}
	if page.Next != "" {
		v.NextURL = f.link("after", page.Next)
	}
	if f.After != "" {
		v.FirstURL = pageURL(f.query())
	}
	return v
}

// createAccount creates an account directly (active at once): POST
// /accounts. Without a password the client sets theirs at first login,
// through the link shown once.
func (s *server) createAccount(w http.ResponseWriter, r *http.Request) {
	form := createForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Plan: strings.TrimSpace(r.PostFormValue("plan"))}
	res, err := s.p.Tenancy.CreateAccount(r.Context(), tenancy.CreateAccountParams{
		PlatformID: s.platformID, Name: form.Name, Email: form.Email, Plan: form.Plan,
		Password: r.PostFormValue("password"), Nickname: strings.TrimSpace(r.PostFormValue("nickname")),
		Note: r.PostFormValue("note"), Tags: strings.Fields(strings.ReplaceAll(r.PostFormValue("tags"), ",", " ")),
	})
	if err != nil {
		form.Error = userError(err)
		s.accountsPage(w, r, statusOf(err), form)
		return
	}
	form = createForm{Created: res.Account.Name, CreatedID: res.Account.ID}
	if res.SetPasswordToken != "" {
		form.SetPasswordURL = s.passwordLink(r, res.SetPasswordToken)
	}
	s.accountsPage(w, r, http.StatusOK, form)
}
