package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, u, nil)
	require.NoError(t, err)
	return r
}

// account finds a demo account by nickname.
func (p *portal) account(t *testing.T, nickname string) tenancy.Account {
	t.Helper()
	acc, err := p.svc.AccountByNickname(context.Background(), demoPlatformID, nickname)
	require.NoError(t, err)
	return acc
}

func TestEveryPageForTheOwner(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	p.srv.pageSize = 100
	acc := p.account(t, "northwind")
	recent := p.account(t, "cedar-stone")
	lic, err := p.p.Licensing.AccountLicense(context.Background(), demoPlatformID, acc.ID)
	require.NoError(t, err)
	for path, wants := range map[string][]string{
		"/accounts": {"Northwind Traders", ">licensed<", "Create account", `href="/accounts/` + acc.ID + `#delete"`,
			`<link rel="stylesheet" href="/branding.css">`, "var(--tenantry-sidebar"},
		"/accounts/" + acc.ID: {"Subscription and license", lic.Number, "Agency", "<svg", "Log in as client",
			"Log in as partner", `name="mode" value="staff"`, "History (6 months)", "Olivia Operator",
			"Reset password", "Delete account"},
		"/accounts/" + recent.ID: {"account.create", "team_members"},
		"/licenses":              {lic.Number, "Northwind Traders", ">licensed<", ">license revoked<", ">license expired<"},
		"/licenses/" + lic.ID:    {lic.Number, "Northwind Traders", "issued", "Agency"},
		"/users":                 {ownerEmail, operatorEmail, "maria.lopez@northwind.example", "Promote to owner"},
		"/dashboard":             {"Welcome, Owen Owner", "Your pending invitations"},
		"/branding.css":          {"--tenantry-sidebar:#1f2a44;"},
		"/accounts?mine=1":       {`name="mine" value="1" checked`},
		"/licenses?status=bad":   nil,
	} {
		status, body := p.get(t, path)
		if wants == nil {
			assert.Equal(t, http.StatusBadRequest, status, path)
			continue
		}
		require.Equal(t, http.StatusOK, status, path)
		for _, w := range wants {
			assert.Contains(t, body, w, path)
		}
	}
}

func TestOperatorSeesWhatOperatorsMay(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	op := p.login(t, operatorEmail, operatorPassword)
	for _, path := range []string{"/accounts", "/licenses", "/users", "/accounts/" + p.account(t, "northwind").ID} {
		status, body := fetch(t, op, p.url+path)
		assert.Equal(t, http.StatusOK, status, path)
		assert.NotContains(t, body, "Promote to owner", "only owners promote")
	}
	maria, err := p.svc.UserByEmail(context.Background(), demoPlatformID, "maria.lopez@northwind.example")
	require.NoError(t, err)
	status, _, _ := post(t, op, p.url+"/users/"+maria.ID+"/promote", nil)
	assert.Equal(t, http.StatusForbidden, status)
	u, err := p.svc.User(context.Background(), demoPlatformID, maria.ID)
	require.NoError(t, err)
	assert.Equal(t, tenancy.RoleNone, u.Role)

	// The "my accounts" filter: the operator is assigned one account.
	acc := p.account(t, "kaffeehaus-wien")
	status, _, _ = post(t, p.client, p.url+"/accounts/"+acc.ID+"/assign", url.Values{"operator": {operatorID(t, p)}})
	require.Equal(t, http.StatusOK, status)
	_, body := fetch(t, op, p.url+"/accounts?mine=1")
	assert.Equal(t, []string{"Kaffeehaus Wien"}, rows(body))
}

func operatorID(t *testing.T, p *portal) string {
	u, err := p.svc.UserByEmail(context.Background(), demoPlatformID, operatorEmail)
	require.NoError(t, err)
	return u.ID
}

func TestOwnerPromotes(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	maria, err := p.svc.UserByEmail(context.Background(), demoPlatformID, "maria.lopez@northwind.example")
	require.NoError(t, err)
	status, body, _ := post(t, p.client, p.url+"/users/"+maria.ID+"/promote", nil)
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "is now an owner")
}

func TestCustomerCannotReachStaffPages(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := newClient(t)
	status, _, loc := post(t, c, p.url+"/login", url.Values{"email": {clientEmail}, "password": {clientPassword}})
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/dashboard", loc, "customers land on their dashboard")
	status, body := fetch(t, c, p.url+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Northwind Traders")
	assert.Contains(t, body, "Primary admin")
	assert.NotContains(t, body, `href="/accounts"`)
	acc := p.account(t, "northwind")
	for _, path := range []string{"/accounts", "/accounts/" + acc.ID, "/licenses", "/users"} {
		status, _ := fetch(t, c, p.url+path)
		assert.Equal(t, http.StatusForbidden, status, path)
	}
	status, _, _ = post(t, c, p.url+"/accounts/"+acc.ID+"/lock", nil)
	assert.Equal(t, http.StatusForbidden, status)
	assert.False(t, p.account(t, "northwind").Locked)

	anon := newClient(t)
	status, _, loc = post(t, anon, p.url+"/accounts/"+acc.ID+"/lock", nil)
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/login", loc)
}

func TestCrossSiteFormIsRefused(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc := p.account(t, "northwind")
	for _, h := range []map[string]string{
		{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
		{"Origin": "https://evil.example"},
	} {
		req, err := http.NewRequest(http.MethodPost, p.url+"/accounts/"+acc.ID+"/lock", strings.NewReader(""))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header.Set(k, v)
		}
		res, err := p.client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode, h)
	}
	assert.False(t, p.account(t, "northwind").Locked, "nothing changed")
	status, _, _ := post(t, p.client, p.url+"/accounts/"+acc.ID+"/lock", nil)
	assert.Equal(t, http.StatusOK, status, "the same form from the portal itself works")
	assert.True(t, p.account(t, "northwind").Locked)
}

func TestUserTextIsEscapedEverywhere(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	status, body, _ := post(t, p.client, p.url+"/accounts", url.Values{
		"name": {"<script>alert(1)</script>"}, "email": {"xss@evil.example"}, "password": {"a-long-password"},
		"note": {"<img src=x onerror=alert(1)>"}, "tags": {`"><b>x`},
	})
	require.Equal(t, http.StatusOK, status, body)
	page, err := p.svc.ListAccounts(context.Background(), tenancy.ListAccountsParams{PlatformID: demoPlatformID, Search: "xss@evil"})
	require.NoError(t, err)
	require.Len(t, page.Accounts, 1)
	id := page.Accounts[0].ID
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	_, err = p.p.Licensing.Issue(ctx, licensing.IssueParams{PlatformID: demoPlatformID, PlanID: "pro", AccountID: id,
		EndsAt: p.now.AddDate(1, 0, 0)})
	require.NoError(t, err)
	owner := p.client
	xss := p.login(t, "xss@evil.example", "a-long-password")
	for _, v := range []struct {
		c    *http.Client
		path string
	}{{owner, "/accounts"}, {owner, "/accounts/" + id}, {owner, "/licenses"}, {owner, "/users"}, {owner, "/users?q=xss"}, {xss, "/dashboard"}} {
		status, body := fetch(t, v.c, p.url+v.path)
		require.Equal(t, http.StatusOK, status, v.path)
		assert.Contains(t, body, "&lt;script&gt;alert(1)&lt;/script&gt;", v.path)
		assert.NotContains(t, body, "<script", v.path)
		assert.NotContains(t, body, "<img", v.path)
		assert.NotContains(t, body, "<b>x", v.path)
	}
}

func TestLoginRefusals(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := newClient(t)
	status, body, _ := post(t, c, p.url+"/login", url.Values{"email": {lockedEmail}, "password": {clientPassword}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "Your account is locked")
	status, body, _ = post(t, c, p.url+"/login", url.Values{"email": {lockedEmail}, "password": {"wrong-password"}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "Wrong email or password", "no reason without the right password")
	assert.NotContains(t, body, "locked")
	status, _ = fetch(t, c, p.url+"/dashboard")
	assert.Equal(t, http.StatusSeeOther, status, "not logged in")
}

func TestLogout(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.login(t, ownerEmail, ownerPassword)
	old, _ := url.Parse(p.url)
	cookies := c.Jar.Cookies(old)
	status, _, _ := post(t, c, p.url+"/logout", nil)
	assert.Equal(t, http.StatusSeeOther, status)
	status, _ = fetch(t, c, p.url+"/accounts")
	assert.Equal(t, http.StatusSeeOther, status)
	replay := newClient(t)
	replay.Jar.SetCookies(old, cookies)
	status, _ = fetch(t, replay, p.url+"/accounts")
	assert.Equal(t, http.StatusSeeOther, status, "the old token is dead")
}
