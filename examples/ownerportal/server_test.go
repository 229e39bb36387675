package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// testConfig hashes passwords cheaply: the tests are not about hashing.
var testConfig = tenancy.Config{Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}}

// portal is a seeded demo portal on a SQLite file, served by httptest;
// its client is logged in as the owner.
type portal struct {
	db     *sqlx.DB
	p      *tenantry.Portal
	svc    *tenancy.Service
	srv    *server
	url    string
	now    time.Time
	client *http.Client
}

// newPortal serves a seeded portal on a SQLite temp file.
func newPortal(t testing.TB) *portal {
	t.Helper()
	db, err := tenantry.OpenSQLite(filepath.Join(t.TempDir(), "portal.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return newPortalOn(t, db)
}

// newPortalOn serves a seeded portal on db.
func newPortalOn(t testing.TB, db *sqlx.DB) *portal {
	t.Helper()
	ctx := context.Background()
	tp, err := openPortal(ctx, db, &testConfig, nil, nil, nil)
	require.NoError(t, err)
	store, err := sqlstore.New(db)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Second)
	seeded, err := seedDemo(ctx, seedEnv{db: db, store: store, portal: tp, cfg: &testConfig}, now)
	require.NoError(t, err)
	require.True(t, seeded)
	srv, err := newServer(tp, demoPlatformID, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv.now = func() time.Time { return now }
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	p := &portal{db: db, p: tp, svc: tp.Tenancy, srv: srv, url: hs.URL, now: now}
	p.client = p.login(t, ownerEmail, ownerPassword)
	return p
}

// newClient is a client with its own cookies that does not follow
// redirects.
func newClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login returns a client logged in with email and password.
func (p *portal) login(t testing.TB, email, password string) *http.Client {
	t.Helper()
	c := newClient(t)
	res, err := c.PostForm(p.url+"/login", url.Values{"email": {email}, "password": {password}})
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode, "login of %s", email)
	return c
}

// get fetches path as the owner and returns the status and body.
func (p *portal) get(t testing.TB, path string) (int, string) {
	t.Helper()
	return fetch(t, p.client, p.url+path)
}

// fetch GETs u with c and returns the status and body.
func fetch(t testing.TB, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// post submits a form with c and returns the status, body and Location.
func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, string) {
	t.Helper()
	res, err := c.PostForm(u, form)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header.Get("Location")
}

// page fetches an accounts page that must succeed.
func (p *portal) page(t *testing.T, path string) string {
	t.Helper()
	status, body := p.get(t, path)
	require.Equal(t, http.StatusOK, status, body)
	return body
}

var (
	rowRe  = regexp.MustCompile(`<tr data-account-id="([^"]+)">\s*<td class="name"><a href="[^"]*">([^<]*)</a>`)
	nextRe = regexp.MustCompile(`<a href="([^"]*)" rel="next">Next page</a>`)
)

// rows returns the account names listed on a page, in order.
func rows(body string) []string {
	var names []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		names = append(names, html.UnescapeString(m[2]))
	}
	return names
}

// rowIDs returns the account IDs listed on a page, in order.
func rowIDs(body string) []string {
	var ids []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

// demoNames lists the names of the demo accounts keep selects, sorted.
func demoNames(keep func(demoAccount) bool) []string {
	var names []string
	for _, d := range demoAccounts {
		if keep(d) {
			names = append(names, d.Name)
		}
	}
	slices.Sort(names)
	return names
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestAccountsPageListsDemoAccounts(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.srv.pageSize = 100
	body := p.page(t, "/accounts")
	assert.Equal(t, demoNames(func(d demoAccount) bool { return !d.Locked }), sorted(rows(body)),
		"every account but the locked ones")
	for _, want := range []string{
		`>active<`, `>disabled<`, `>secure<`, `>template<`, `>in setup<`,
		`>test · 10 days left<`, `>test · 3 days left<`, `>test · expired<`,
		"hello@northwind.example", "<code>northwind</code>", `href="/accounts?tag=vip">vip</a>`,
		`href="/accounts?plan=Agency">Agency</a>`, ">licensed<", ">no license<",
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, ">locked<", "locked accounts are left out by default")
	assert.NotContains(t, body, "Next page")
	// Summary figures: the primary admin and the team, and the activity
	// totals the seed counted.
	for _, d := range demoAccounts {
		if d.Nickname != "northwind" {
			continue
		}
		subs := int64(d.DaysAgo*7 + len(d.Name)*3)
		assert.Contains(t, body, fmt.Sprintf("%d users<br>%d subscribers<br>%d messages", 1+len(d.Team), subs, subs*13+int64(len(d.Nickname))))
	}
}

func TestAccountsDefaultOrderIsNewestFirst(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	got := rows(p.page(t, "/accounts"))
	require.NotEmpty(t, got)
	assert.Equal(t, "Cedar & Stone Architects", got[0], "created last")
	byName := rows(p.page(t, "/accounts?sort=name"))
	assert.True(t, slices.IsSortedFunc(byName, func(a, b string) int {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}), "sort=name: %v", byName)
}

func TestAccountsFilters(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.srv.pageSize = 100
	for _, tc := range []struct {
		query string
		keep  func(demoAccount) bool
	}{
		{"locked=1", func(demoAccount) bool { return true }},
		{"test=1", func(d demoAccount) bool { return d.TestEndsIn != 0 && !d.Locked }},
		{"setup=1", func(d demoAccount) bool { return !d.Complete && !d.Locked }},
		{"templates=1", func(d demoAccount) bool { return d.Template }},
		{"setup=1&test=1&locked=1", func(d demoAccount) bool { return !d.Complete && d.TestEndsIn != 0 }},
		{"tag=vip&locked=1", func(d demoAccount) bool { return slices.Contains(d.Tags, "vip") }},
		{"plan=Agency", func(d demoAccount) bool { return d.Plan == "Agency" && !d.Locked }},
		{"q=north", func(d demoAccount) bool { return d.Nickname == "northwind" }},
		{"q=HEALTH", func(demoAccount) bool { return false }}, // a tag, not searched
		{"q=.example&templates=1", func(d demoAccount) bool { return d.Template }},
		{"q=dental", func(d demoAccount) bool { return d.Nickname == "sakura-dental" }},
		{"q=trial", func(d demoAccount) bool { return strings.HasPrefix(d.Name, "Trial:") }},
	} {
		t.Run(tc.query, func(t *testing.T) {
			body := p.page(t, "/accounts?"+tc.query)
			assert.Equal(t, demoNames(tc.keep), sorted(rows(body)))
		})
	}
	body := p.page(t, "/accounts?locked=1")
	assert.Contains(t, body, ">locked<")
	assert.Contains(t, body, `name="locked" value="1" checked`, "the form shows the filter on")
}

func TestAccountsSearchByUID(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc, err := p.svc.AccountByNickname(context.Background(), demoPlatformID, "fjord-outdoor")
	require.NoError(t, err)
	body := p.page(t, "/accounts?q="+url.QueryEscape(strings.ToUpper(acc.UID)))
	assert.Equal(t, []string{"Fjord Outdoor Gear"}, rows(body))
	assert.Contains(t, body, `value="`+strings.ToUpper(acc.UID)+`"`, "the search box keeps the query")
}

func TestAccountsPagination(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.srv.pageSize = 7
	for _, start := range []string{"/accounts?locked=1", "/accounts?locked=1&sort=name"} {
		var ids []string
		next, pages := start, 0
		for next != "" {
			body := p.page(t, next)
			got := rowIDs(body)
			require.LessOrEqual(t, len(got), 7)
			ids = append(ids, got...)
			if pages++; pages > 1 {
				assert.Contains(t, body, "First page")
			}
			next = ""
			if m := nextRe.FindStringSubmatch(body); m != nil {
				next = html.UnescapeString(m[1])
				assert.Contains(t, next, "locked=1", "the next link keeps the filters")
			}
			require.Less(t, pages, 10, "pagination must end")
		}
		assert.Equal(t, 5, pages, start)
		assert.Len(t, ids, len(demoAccounts), start)
		assert.Len(t, slices.Compact(sorted(ids)), len(demoAccounts), "no account twice: %s", start)
	}
}

func TestAccountPage(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	ctx := context.Background()
	acc, err := p.svc.AccountByNickname(ctx, demoPlatformID, "northwind")
	require.NoError(t, err)
	body := p.page(t, "/accounts/"+acc.ID)
	for _, want := range []string{
		"<h1>Northwind Traders</h1>", acc.UID, "<code>northwind</code>", "Agency",
		"Pays yearly by invoice.", "12 Harbour Road, Bristol", "Europe/London", "en-GB",
		`href="/accounts?tag=retail"`, "https://shop.northwind.example",
		"setup complete", "✔ First chatbot", "Primary admin", "hello@northwind.example",
		"María López", "maria.lopez@northwind.example", "leads, live_chat",
	} {
		assert.Contains(t, body, want)
	}

	expired, err := p.svc.AccountByNickname(ctx, demoPlatformID, "lakeside-vet")
	require.NoError(t, err)
	body = p.page(t, "/accounts/"+expired.ID)
	assert.Contains(t, body, ">test · expired<")
	assert.Contains(t, body, "Trial ends")
	assert.Contains(t, body, "in setup")
	assert.Contains(t, body, "✔ Branding")
	assert.Contains(t, body, "○ First chatbot")

	status, body := p.get(t, "/accounts/no-such-account")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "no such account")
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	for _, path := range []string{"/accounts?sort=oldest", "/accounts?after=not-a-cursor"} {
		status, body := p.get(t, path)
		assert.Equal(t, http.StatusBadRequest, status, path)
		assert.Contains(t, body, "Owner portal", "the error page keeps the layout")
	}
	status, _ := p.get(t, "/nowhere")
	assert.Equal(t, http.StatusNotFound, status)
	status, body, _ := post(t, p.client, p.url+"/accounts", url.Values{})
	assert.Equal(t, http.StatusUnprocessableEntity, status, "an account needs a name and an email")
	assert.Contains(t, body, "Not created")
	res, err := p.client.Do(mustRequest(t, http.MethodDelete, p.url+"/accounts"))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
}

func TestRootAndHealth(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	res, err := p.client.Get(p.url + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/accounts", res.Header.Get("Location"))

	status, body := p.get(t, "/healthz")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", body)
}

// TestPortalOnPostgres serves the seeded portal from PostgreSQL (skipped
// when none is available, failed under CI=true; see internal/testdb).
func TestPortalOnPostgres(t *testing.T) {
	t.Parallel()
	p := newPortalOn(t, testdb.Postgres(t))
	p.srv.pageSize = 100
	body := p.page(t, "/accounts?locked=1")
	assert.Equal(t, demoNames(func(demoAccount) bool { return true }), sorted(rows(body)))
	assert.Equal(t, []string{"Sakura Dental Clinic"}, rows(p.page(t, "/accounts?q=DENTAL")))
	acc, err := p.svc.AccountByNickname(context.Background(), demoPlatformID, "northwind")
	require.NoError(t, err)
	assert.Contains(t, p.page(t, "/accounts/"+acc.ID), "maria.lopez@northwind.example")
}
