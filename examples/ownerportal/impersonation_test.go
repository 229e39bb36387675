package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/testdb"
)

var passwordLinkRe = regexp.MustCompile(`<code>(http://[^<]*/password\?token=[^<]*)</code>`)

// loginAs starts a "log in as" session with c and checks it began.
func (p *portal) loginAs(t *testing.T, c *http.Client, accountID string, form url.Values) {
	t.Helper()
	status, body, loc := post(t, c, p.url+"/accounts/"+accountID+"/login-as", form)
	require.Equal(t, http.StatusSeeOther, status, body)
	require.Equal(t, "/dashboard", loc)
}

func TestLogInAsClientThenExit(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	c := p.login(t, ownerEmail, ownerPassword)
	acc := p.account(t, "northwind")
	p.loginAs(t, c, acc.ID, url.Values{"mode": {"client"}})
	status, body := fetch(t, c, p.url+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `class="banner"`)
	assert.Contains(t, body, "Logged in as "+clientEmail)
	assert.Contains(t, body, `action="/impersonation/exit"`)
	assert.Contains(t, body, "Northwind Traders")
	status, _ = fetch(t, c, p.url+"/accounts")
	assert.Equal(t, http.StatusForbidden, status, "inside the session the request is the client's")

	status, _, loc := post(t, c, p.url+"/impersonation/exit", nil)
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/accounts/"+acc.ID, loc)
	status, body = fetch(t, c, p.url+"/accounts")
	assert.Equal(t, http.StatusOK, status, "the owner's own session is back, with a new token")
	assert.NotContains(t, body, `class="banner"`)
}

func TestLogInAsStaffMemberAndRefusals(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc := p.account(t, "northwind")
	maria, err := p.svc.UserByEmail(context.Background(), demoPlatformID, "maria.lopez@northwind.example")
	require.NoError(t, err)
	c := p.login(t, ownerEmail, ownerPassword)
	p.loginAs(t, c, acc.ID, url.Values{"mode": {"staff"}, "user": {maria.ID}})
	_, body := fetch(t, c, p.url+"/dashboard")
	assert.Contains(t, body, "Logged in as maria.lopez@northwind.example")

	// Platform staff are never impersonated, nor locked accounts entered.
	owner := p.client
	status, body, _ := post(t, owner, p.url+"/accounts/"+acc.ID+"/login-as", url.Values{"mode": {"staff"}, "user": {operatorID(t, p)}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "Log in as refused")
	locked := p.account(t, "helios-solar")
	status, body, _ = post(t, owner, p.url+"/accounts/"+locked.ID+"/login-as", url.Values{"mode": {"client"}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "account locked")
	status, _ = fetch(t, owner, p.url+"/accounts")
	assert.Equal(t, http.StatusOK, status, "a refused attempt keeps the actor's own session")
}

// TestLockEndsTheImpersonation locks the account through the façade while
// an operator is inside it: the next request of the session is refused.
func TestLockEndsTheImpersonation(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc := p.account(t, "northwind")
	c := p.login(t, operatorEmail, operatorPassword)
	p.loginAs(t, c, acc.ID, url.Values{"mode": {"client"}})
	status, _ := fetch(t, c, p.url+"/dashboard")
	require.Equal(t, http.StatusOK, status)

	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	_, err := p.p.Tenancy.LockAccount(ctx, demoPlatformID, acc.ID)
	require.NoError(t, err)
	status, body := fetch(t, c, p.url+"/dashboard")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "session has ended")
}

// TestLockFromThePortalEndsTheImpersonation does the same through the
// portal's own Lock button, pressed by the owner.
func TestLockFromThePortalEndsTheImpersonation(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc := p.account(t, "northwind")
	c := p.login(t, operatorEmail, operatorPassword)
	p.loginAs(t, c, acc.ID, url.Values{"mode": {"partner"}})
	status, _, _ := post(t, p.client, p.url+"/accounts/"+acc.ID+"/lock", nil)
	require.Equal(t, http.StatusOK, status)
	status, _ = fetch(t, c, p.url+"/dashboard")
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestAccountControls(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	acc := p.account(t, "kaffeehaus-wien")
	base := p.url + "/accounts/" + acc.ID + "/"
	for _, step := range []struct {
		action string
		form   url.Values
		want   string
	}{
		{"disable", nil, "Account disabled"}, {"enable", nil, "Account enabled"},
		{"lock", nil, "Account locked"}, {"unlock", nil, "Account unlocked"},
		{"template", url.Values{"on": {"1"}}, "Template on."}, {"links", url.Values{"on": {"1"}}, "Sending links on."},
		{"reset-password", nil, "/password?token="},
		// Last: a secure account is for secure operators only.
		{"secure", url.Values{"on": {"1"}}, "Secure (HIPAA) on."},
	} {
		status, body, _ := post(t, p.client, base+step.action, step.form)
		require.Equal(t, http.StatusOK, status, step.action)
		assert.Contains(t, body, step.want, step.action)
	}
	got := p.account(t, "kaffeehaus-wien")
	assert.True(t, got.Secure)
	assert.True(t, got.Template)
	_, body := p.get(t, "/accounts/"+acc.ID)
	for _, action := range []string{"account.disable", "account.enable", "account.lock", "account.unlock"} {
		assert.Contains(t, body, action, "history")
	}

	status, body, _ := post(t, p.client, base+"unlock", nil)
	assert.Equal(t, http.StatusForbidden, status, "a secure account is for secure operators only")
	assert.Contains(t, body, "secure")

	del := p.account(t, "cedar-stone")
	status, _, _ = post(t, p.client, p.url+"/accounts/"+del.ID+"/delete", url.Values{"confirm": {"wrong"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	status, _, loc := post(t, p.client, p.url+"/accounts/"+del.ID+"/delete", url.Values{"confirm": {del.Name}})
	assert.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/accounts", loc)
	status, _ = p.get(t, "/accounts/"+del.ID)
	assert.Equal(t, http.StatusNotFound, status)
}

func TestCreateAccountAndSetPassword(t *testing.T) {
	t.Parallel()
	p := newPortal(t)
	status, body, _ := post(t, p.client, p.url+"/accounts", url.Values{"name": {"Brand New Bakery"}, "email": {"bake@new.example"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Brand New Bakery</a> created")
	m := passwordLinkRe.FindStringSubmatch(body)
	require.NotNil(t, m, "the set-password link is shown")
	link, err := url.Parse(m[1])
	require.NoError(t, err)
	c := newClient(t)
	status, _ = fetch(t, c, p.url+"/password?"+link.RawQuery)
	require.Equal(t, http.StatusOK, status)
	status, _, _ = post(t, c, p.url+"/password", url.Values{"token": {link.Query().Get("token")}, "password": {"bakery-password-1"}})
	require.Equal(t, http.StatusSeeOther, status)
	c = p.login(t, "bake@new.example", "bakery-password-1")
	_, body = fetch(t, c, p.url+"/dashboard")
	assert.Contains(t, body, "Brand New Bakery")
}

// TestPortalPagesOnPostgres logs in and uses the façade's pages on
// PostgreSQL (skipped when none is available; see internal/testdb).
func TestPortalPagesOnPostgres(t *testing.T) {
	t.Parallel()
	p := newPortalOn(t, testdb.Postgres(t))
	acc := p.account(t, "northwind")
	for _, path := range []string{"/accounts", "/accounts/" + acc.ID, "/licenses", "/users", "/dashboard"} {
		status, _ := p.get(t, path)
		assert.Equal(t, http.StatusOK, status, path)
	}
	c := p.login(t, operatorEmail, operatorPassword)
	p.loginAs(t, c, acc.ID, url.Values{"mode": {"client"}})
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	_, err := p.p.Tenancy.LockAccount(ctx, demoPlatformID, acc.ID)
	require.NoError(t, err)
	status, _ := fetch(t, c, p.url+"/dashboard")
	assert.Equal(t, http.StatusUnauthorized, status)
}
