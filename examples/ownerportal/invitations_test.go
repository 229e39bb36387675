package main

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/examples/ownerportal/mailcatcher"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// stubResolver answers the domain verification's TXT lookups from a map.
type stubResolver struct {
	mu      sync.Mutex
	records map[string][]string
}

func (r *stubResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rs, ok := r.records[name]; ok {
		return rs, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (r *stubResolver) set(name string, records ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records[name] = records
}

// mailPortal is a seeded portal whose invitations go over SMTP to a mail
// catcher, with a secret key for login providers and a stub DNS.
type mailPortal struct {
	*portal
	out *outbox
	dns *stubResolver
}

func (m *mailPortal) catcher() *mailcatcher.Catcher { return m.out.catcher }

// newMailPortal serves a seeded portal wired the way the command wires it:
// invites/smtp to the loopback mail catcher, accept links on the test
// server's URL. Its client is logged in as the owner.
func newMailPortal(t *testing.T) *mailPortal {
	t.Helper()
	ctx := context.Background()
	db, err := tenantry.OpenSQLite(filepath.Join(t.TempDir(), "portal.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	out, err := newOutbox("", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(out.close)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	dns := &stubResolver{records: map[string][]string{}}
	tp, err := tenantry.Open(ctx, db, &tenantry.Config{Features: features, Tenancy: &testConfig, SecretKey: key,
		Mailer: out, LinkURL: out.LinkURL, Branding: &branding.Config{Resolver: dns}})
	require.NoError(t, err)
	store, err := sqlstore.New(db)
	require.NoError(t, err)
	now := time.Now().UTC().Truncate(time.Second)
	seeded, err := seedDemo(ctx, seedEnv{db: db, store: store, portal: tp, cfg: &testConfig}, now)
	require.NoError(t, err)
	require.True(t, seeded)
	srv, err := newServer(tp, demoPlatformID, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	srv.mail = out
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	out.setBaseURL(hs.URL)
	p := &portal{db: db, p: tp, svc: tp.Tenancy, srv: srv, url: hs.URL, now: now}
	p.client = p.login(t, ownerEmail, ownerPassword)
	return &mailPortal{portal: p, out: out, dns: dns}
}

// waitMail waits for the catcher's n-th message and returns the newest.
func (m *mailPortal) waitMail(t *testing.T, n int) mailcatcher.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, m.catcher().Wait(ctx, n))
	msgs := m.catcher().Messages()
	require.NotEmpty(t, msgs)
	return msgs[0]
}

// inviteLink is the accept link of a caught invitation.
func (m *mailPortal) inviteLink(t *testing.T, msg mailcatcher.Message) string {
	t.Helper()
	for _, l := range msg.Links() {
		if strings.HasPrefix(l, m.url+"/invite/") {
			return l
		}
	}
	t.Fatalf("no invitation link in %q", msg.Text)
	return ""
}

func (m *mailPortal) invitations(t *testing.T) []invites.Invitation {
	t.Helper()
	page, err := m.p.Invites.List(context.Background(), invites.ListParams{PlatformID: demoPlatformID})
	require.NoError(t, err)
	return page.Invitations
}

func teamInvite(email, account string, perms ...string) url.Values {
	return url.Values{"kind": {"team_member"}, "email": {email}, "account": {account}, "permissions": perms}
}

func TestTeamInvitationOverSMTPToAcceptance(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	status, body, _ := post(t, m.client, m.url+"/invitations", teamInvite("New.Member@Example.com", "northwind", "live_chat", "leads"))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Invitation sent to new.member@example.com")
	assert.Contains(t, body, "team member")

	msg := m.waitMail(t, 1)
	assert.Equal(t, []string{"new.member@example.com"}, msg.To)
	assert.Contains(t, msg.Subject, "Demo Chat", "branded with the white label")
	assert.Contains(t, msg.From, "Demo Chat")
	link := m.inviteLink(t, msg)

	// The owner's invitations page and mailbox show it.
	page := m.page(t, "/invitations")
	assert.Contains(t, page, "new.member@example.com")
	assert.Contains(t, page, ">pending<")
	assert.Contains(t, page, "leads, live_chat")
	assert.Contains(t, page, ">Northwind Traders</a>")
	mailbox := m.page(t, "/mailbox")
	assert.Contains(t, mailbox, msg.Subject)
	assert.Contains(t, mailbox, `href="/mailbox/`+msg.ID+`"`)
	assert.Contains(t, mailbox, m.out.addr())

	// The link opens the accept page for a visitor.
	visitor := newClient(t)
	status, body = fetch(t, visitor, link)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "a place in the team of Northwind Traders (leads, live_chat)")
	assert.Contains(t, body, "new.member@example.com")
	assert.Contains(t, body, "Create my login and accept")

	// A mismatched confirmation is refused and creates nobody.
	status, body, _ = post(t, visitor, link+"/signup", url.Values{"name": {"Nina New"}, "password": {"a-good-password"}, "password2": {"other"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "The two passwords differ")
	_, err := m.svc.UserByEmail(ctx, demoPlatformID, "new.member@example.com")
	require.ErrorIs(t, err, tenancy.ErrNotFound)

	status, body, loc := post(t, visitor, link+"/signup", url.Values{"name": {"Nina New"}, "password": {"a-good-password"}, "password2": {"a-good-password"}})
	require.Equal(t, http.StatusSeeOther, status, body)
	assert.Equal(t, "/dashboard", loc)
	u, err := m.svc.UserByEmail(ctx, demoPlatformID, "new.member@example.com")
	require.NoError(t, err)
	assert.Equal(t, "Nina New", u.Name)
	acc := m.account(t, "northwind")
	members, err := m.svc.Members(ctx, demoPlatformID, acc.ID)
	require.NoError(t, err)
	var found *tenancy.Member
	for i := range members {
		if members[i].UserID == u.ID {
			found = &members[i]
		}
	}
	require.NotNil(t, found, "the new user is a member of Northwind")
	assert.Equal(t, []string{"leads", "live_chat"}, found.Permissions)

	// The session started: the dashboard shows the account.
	status, body = fetch(t, visitor, m.url+"/dashboard")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Northwind Traders")

	// The link works once.
	status, body = fetch(t, newClient(t), link)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "already accepted")
	assert.NotContains(t, body, "Create my login")
	assert.Contains(t, m.page(t, "/invitations?status=accepted"), "new.member@example.com")
	assert.NotContains(t, m.page(t, "/invitations?status=pending"), "new.member@example.com")
}

func TestMailHTMLIsOnlyInASandboxedFrame(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	status, body, _ := post(t, m.client, m.url+"/invitations", url.Values{"kind": {"account"}, "email": {"prospect@example.com"}, "account_name": {"Prospect Ltd"}})
	require.Equal(t, http.StatusOK, status, body)
	msg := m.waitMail(t, 1)
	require.Contains(t, msg.HTML, "<h1")
	body = m.page(t, "/mailbox/"+msg.ID)
	iframe := regexp.MustCompile(`<iframe[^>]*>`).FindString(body)
	require.NotEmpty(t, iframe)
	assert.Contains(t, iframe, `sandbox=""`)
	assert.Contains(t, iframe, `srcdoc="&lt;!doctype html&gt;`)
	assert.NotContains(t, body, "<h1 style=", "the HTML part is never in the page itself")
	assert.NotContains(t, body, `<a href="`+m.inviteLink(t, msg)+`" style=`)
	assert.Equal(t, 1, strings.Count(body, "<iframe"))
	assert.Contains(t, body, "You are invited to create your account", "the text part is shown")
	status, _ = m.get(t, "/mailbox/no-such-message")
	assert.Equal(t, http.StatusNotFound, status)

	// Accepting a customer account invitation creates the account, with
	// the new user as its primary admin.
	visitor := newClient(t)
	status, body, loc := post(t, visitor, m.inviteLink(t, msg)+"/signup", url.Values{"name": {"Pat Prospect"},
		"password": {"a-good-password"}, "password2": {"a-good-password"}})
	require.Equal(t, http.StatusSeeOther, status, body)
	assert.Equal(t, "/dashboard", loc)
	_, body = fetch(t, visitor, m.url+"/dashboard")
	assert.Contains(t, body, "Prospect Ltd")
	assert.Contains(t, body, "Primary admin")
}

func TestLoadSecretKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portal.key")
	k1, err := loadSecretKey(path)
	require.NoError(t, err)
	assert.Len(t, k1, 32)
	k2, err := loadSecretKey(path)
	require.NoError(t, err)
	assert.Equal(t, k1, k2, "the key is kept across starts")
	bad := filepath.Join(t.TempDir(), "bad.key")
	require.NoError(t, os.WriteFile(bad, []byte("short"), 0o600))
	_, err = loadSecretKey(bad)
	assert.Error(t, err)
}

func TestInvitationRefusals(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	status, body, _ := post(t, m.client, m.url+"/invitations", teamInvite("dup@example.com", "northwind"))
	require.Equal(t, http.StatusOK, status, body)
	status, body, _ = post(t, m.client, m.url+"/invitations", teamInvite("dup@example.com", "northwind"))
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "already has a pending invitation")
	assert.Contains(t, body, `value="dup@example.com"`, "the form keeps what was typed")

	status, body, _ = post(t, m.client, m.url+"/invitations", teamInvite("x@example.com", "no-such-account"))
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "There is no account “no-such-account”")

	status, body, _ = post(t, m.client, m.url+"/invitations", url.Values{"kind": {"team_member"}, "email": {"not-an-email"}, "account": {"northwind"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "Check the form: email")

	// Team seats: pending invitations hold them until the quota is full.
	acc := m.account(t, "northwind")
	var full string
	for i := range 12 {
		status, body, _ = post(t, m.client, m.url+"/invitations", teamInvite("seat"+string(rune('a'+i))+"@example.com", acc.UID))
		if status != http.StatusOK {
			full = body
			break
		}
	}
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, full, "no free team seat")

	// Operators may not invite staff.
	op := m.login(t, operatorEmail, operatorPassword)
	status, body = fetch(t, op, m.url+"/invitations")
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, body, "Platform staff</option>", "operators are not offered staff invitations")
	assert.Contains(t, m.page(t, "/invitations"), "Platform staff</option>", "owners are")
	status, body, _ = post(t, op, m.url+"/invitations", url.Values{"kind": {"staff"}, "email": {"new.staff@example.com"}, "role": {"admin"}})
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "Only the platform&#39;s owners may invite staff")

	// Revoke: the link stops working.
	var dup invites.Invitation
	for _, inv := range m.invitations(t) {
		if inv.Email == "dup@example.com" {
			dup = inv
		}
	}
	require.NotEmpty(t, dup.ID)
	var link string
	for _, msg := range m.catcher().Messages() {
		if msg.To[0] == "dup@example.com" {
			link = m.inviteLink(t, msg)
		}
	}
	require.NotEmpty(t, link)
	status, body, _ = post(t, m.client, m.url+"/invitations/"+dup.ID+"/resend", nil)
	assert.Equal(t, http.StatusTooManyRequests, status, "resend within the cooldown")
	assert.Contains(t, body, "wait a minute")
	status, body, _ = post(t, m.client, m.url+"/invitations/"+dup.ID+"/revoke", nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "Revoked the invitation to dup@example.com")
	status, body = fetch(t, newClient(t), link)
	assert.Equal(t, http.StatusGone, status)
	assert.Contains(t, body, "withdrawn")
	status, _, _ = post(t, newClient(t), link+"/signup", url.Values{"name": {"D"}, "password": {"a-good-password"}, "password2": {"a-good-password"}})
	assert.Equal(t, http.StatusGone, status)
	_, err := m.svc.UserByEmail(ctx, demoPlatformID, "dup@example.com")
	assert.ErrorIs(t, err, tenancy.ErrNotFound, "a revoked link registers nobody")
	assert.Contains(t, m.page(t, "/invitations?status=revoked"), "dup@example.com")

	// An unknown token says nothing more.
	status, body = fetch(t, newClient(t), m.url+"/invite/not-a-token")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, body, "not valid")
	assert.NotContains(t, body, "Create my login")
}

func TestAcceptAsSignedInUserAndWrongRecipient(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	ctx := context.Background()
	// Invite the Northwind client to manage a chatbot of another account.
	status, body, _ := post(t, m.client, m.url+"/invitations", url.Values{"kind": {"manager"}, "email": {clientEmail},
		"account": {"fjord-outdoor"}, "resource": {"bot-42"}})
	require.Equal(t, http.StatusOK, status, body)
	link := m.inviteLink(t, m.waitMail(t, 1))

	// The owner is signed in with another address: refused, clearly.
	status, body = fetch(t, m.client, link)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, "this invitation is for "+clientEmail)
	status, _, _ = post(t, m.client, link+"/accept", nil)
	assert.Equal(t, http.StatusForbidden, status)

	// An existing user who is not signed in: signing up says to log in.
	visitor := newClient(t)
	status, body, _ = post(t, visitor, link+"/signup", url.Values{"name": {"X"}, "password": {"a-good-password"}, "password2": {"a-good-password"}})
	assert.Equal(t, http.StatusConflict, status)
	assert.Contains(t, body, "log in below to accept")
	status, body, _ = post(t, visitor, link+"/login", url.Values{"password": {"wrong-password"}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, "Wrong email or password")

	// The client, signed in, accepts.
	client := m.login(t, clientEmail, clientPassword)
	status, body = fetch(t, client, link)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "access to the chatbot bot-42 of Fjord Outdoor Gear")
	assert.Contains(t, body, "Accept the invitation")
	status, _, loc := post(t, client, link+"/accept", nil)
	require.Equal(t, http.StatusSeeOther, status)
	assert.Equal(t, "/dashboard", loc)
	u, err := m.svc.UserByEmail(ctx, demoPlatformID, clientEmail)
	require.NoError(t, err)
	grants, err := m.svc.Grants(ctx, tenancy.GrantQuery{PlatformID: demoPlatformID, UserID: u.ID})
	require.NoError(t, err)
	require.Len(t, grants, 1)
	assert.Equal(t, "bot-42", grants[0].ResourceID)
}

func TestDeclineByLink(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	status, body, _ := post(t, m.client, m.url+"/invitations", url.Values{"kind": {"account"}, "email": {"nope@example.com"}})
	require.Equal(t, http.StatusOK, status, body)
	link := m.inviteLink(t, m.waitMail(t, 1))
	status, body, _ = post(t, newClient(t), link+"/decline", nil)
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, "You declined the invitation")
	assert.Equal(t, invites.Declined, m.invitations(t)[0].Status)
	status, _ = fetch(t, newClient(t), link)
	assert.Equal(t, http.StatusGone, status)
}

func TestInvitationsCrossSiteRefused(t *testing.T) {
	t.Parallel()
	m := newMailPortal(t)
	forms := map[string]url.Values{
		"/invitations":             teamInvite("evil@example.com", "northwind"),
		"/whitelabel":              {"op": {"save"}, "product_name": {"Pwned"}},
		"/whitelabel/domains":      {"host": {"evil.example.com"}},
		"/login-methods/settings":  {"self_registration": {"1"}, "password": {"1"}},
		"/login-methods/providers": {"name": {"Evil"}, "client_id": {"x"}, "client_secret": {"y"}, "auth_url": {"https://evil.example/a"}, "token_url": {"https://evil.example/t"}},
	}
	for path, form := range forms {
		req, err := http.NewRequest(http.MethodPost, m.url+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		res, err := m.client.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusForbidden, res.StatusCode, path)
	}
	ctx := context.Background()
	assert.Empty(t, m.invitations(t), "no invitation was sent")
	assert.Empty(t, m.catcher().Messages())
	th, err := m.p.Branding.Theme(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Equal(t, "Demo Chat", th.ProductName)
	ds, err := m.p.Branding.Domains(ctx, demoPlatformID)
	require.NoError(t, err)
	for _, d := range ds {
		assert.NotEqual(t, "evil.example.com", d.Host)
	}
	ls, err := m.p.Branding.LoginSettings(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.False(t, ls.SelfRegistration)
	ps, err := m.p.Branding.Providers(ctx, demoPlatformID)
	require.NoError(t, err)
	assert.Empty(t, ps)
}

func TestLogPathHidesInvitationTokens(t *testing.T) {
	assert.Equal(t, "/invite/…", logPath("/invite/SECRET"))
	assert.Equal(t, "/invite/…/signup", logPath("/invite/SECRET/signup"))
	assert.Equal(t, "/invitations", logPath("/invitations"))
	assert.Equal(t, "/invite/", logPath("/invite/"))
}

func TestOutboxRefusesABadSMTPAddress(t *testing.T) {
	_, err := newOutbox("no-port", slog.New(slog.DiscardHandler))
	assert.Error(t, err)
	o, err := newOutbox("mail.example.com:587", slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	assert.Nil(t, o.catcher)
	assert.Equal(t, "mail.example.com:587", o.addr())
	o.setBaseURL("https://portal.example/")
	assert.Equal(t, "https://portal.example/invite/tok", o.LinkURL(invites.Invitation{}, "tok"))
}
