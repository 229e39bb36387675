package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry/tenancy"
)

// filter is the accounts page's query: ?q=&locked=1&test=1&setup=1&
// templates=1&tag=&plan=&sort=name|newest&after=.
type filter struct {
	Q                              string
	Locked, Test, Setup, Templates bool
	Tag, Plan                      string
	Sort                           string
	After                          string
}

// parseFilter reads the query string; a flag is on when its value is "1".
func parseFilter(q url.Values) (filter, error) {
	f := filter{
		Q: strings.TrimSpace(q.Get("q")), Locked: q.Get("locked") == "1", Test: q.Get("test") == "1",
		Setup: q.Get("setup") == "1", Templates: q.Get("templates") == "1",
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

// params is the ListAccounts call of the filter.
func (f filter) params(platformID string, limit int) tenancy.ListAccountsParams {
	test := tenancy.AnyAccount
	if f.Test {
		test = tenancy.TestAccounts
	}
	return tenancy.ListAccountsParams{
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
}

// accounts serves the accounts list: GET /accounts.
func (s *server) accounts(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	page, err := s.svc.ListAccounts(r.Context(), f.params(s.platformID, s.pageSize))
	if errors.Is(err, tenancy.ErrInvalid) {
		s.fail(w, r, http.StatusBadRequest, "This link holds an invalid filter or page position. Start again from the first page.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "accounts", "Accounts", s.accountsView(f, page))
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
