package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds the system Chromium: $TENANTRY_CHROMIUM, else the
// usual names on PATH. Without one the browser test skips, except under
// CI=true, where .ci/run installs it and the test must run.
func chromiumPath(t *testing.T) string {
	if p := os.Getenv("TENANTRY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (set TENANTRY_CHROMIUM); .ci/run installs Debian's chromium")
	}
	t.Skip("no Chromium found: install chromium or set TENANTRY_CHROMIUM to run the browser test")
	return ""
}

// screenshotDir is where the browser test leaves its screenshots for
// review: $TENANTRY_SCREENSHOTS, else screenshots/ beside this file.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("TENANTRY_SCREENSHOTS")
	if dir == "" {
		dir = "screenshots"
	}
	dir = filepath.Join(dir, t.Name())
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	abs, _ := filepath.Abs(dir)
	t.Logf("screenshots in %s", abs)
	return dir
}

// browser is one headless Chromium with its own cookies (a separate
// process, so that two people never share a session).
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	// shots numbers the screenshots of every browser of the test, in the
	// order they were taken.
	shots *int
}

func newBrowser(t *testing.T, exe, base, dir string, shots *int) *browser {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, base: base, dir: dir, shots: shots}
}

// do runs steps with a bound, failing the test on error.
func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	require.NoError(b.t, chromedp.Do(b.ctx, steps...))
}

func (b *browser) open(path string) { b.do(chromedp.Navigate(b.base + path)) }

// text is the visible text of the page's body.
func (b *browser) text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text("body"))
	require.NoError(b.t, err)
	return s
}

// url is the page's current address.
func (b *browser) url() string {
	b.t.Helper()
	u, err := chromedp.Run(b.ctx, chromedp.Location())
	require.NoError(b.t, err)
	return u
}

// snap saves a full-page screenshot named after the step.
func (b *browser) snap(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	require.NoError(b.t, err)
	*b.shots++
	require.NoError(b.t, os.WriteFile(filepath.Join(b.dir, fmt.Sprintf("%02d-%s.png", *b.shots, name)), png, 0o644))
}

// submit fills the form fields (selector → value), clicks sel and waits
// for the next page.
func (b *browser) submit(fields map[string]string, click string) {
	b.t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for sel, v := range fields {
		steps = append(steps, chromedp.SetValue(sel, v))
	}
	b.do(steps...)
	b.click(click)
}

// click clicks sel, which leads to another page, and waits until that page
// has replaced this one: the old body is marked first, and the wait is for
// a body without the mark.
func (b *browser) click(sel string) {
	b.t.Helper()
	b.do(chromedp.SetAttributeValue("body", "data-stale", "1"), chromedp.Click(sel),
		chromedp.Query("body:not([data-stale])"))
}

func (b *browser) login(email, password string) {
	b.t.Helper()
	b.open("/login")
	b.submit(map[string]string{`input[name=email]`: email, `input[name=password]`: password}, `form[action="/login"] button[type=submit]`)
}

// TestBrowser drives the portal in headless Chromium as its users would:
// the owner logs in, creates an account, invites a team member (who
// accepts from the email, in a second browser), logs in as the client,
// sees the banner, exits, locks the account, and the client's login is
// then refused. Every page visited is saved as a screenshot.
func TestBrowser(t *testing.T) {
	exe := chromiumPath(t)
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	dir := screenshotDir(t)
	ctx := context.Background()
	tmp := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := openApp(ctx, options{db: filepath.Join(tmp, "portal.db"), secretKey: filepath.Join(tmp, "portal.key")}, log)
	require.NoError(t, err)
	t.Cleanup(a.close)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	a.mail.setBaseURL(srv.URL)

	var shots int
	owner := newBrowser(t, exe, srv.URL, dir, &shots)
	owner.login(ownerEmail, ownerPassword)
	require.True(t, strings.HasSuffix(owner.url(), "/accounts"), owner.url())
	require.Contains(t, owner.text(), "Blue Harbor Realty")
	owner.snap("accounts")

	// Create an account directly, with the client's password.
	owner.do(chromedp.Click(`details > summary`))
	owner.submit(map[string]string{
		`form[action="/accounts"] input[name=name]`:     "Browser Bistro",
		`form[action="/accounts"] input[name=email]`:    "chef@bistro.example",
		`form[action="/accounts"] input[name=password]`: "bistro-password-1",
		`form[action="/accounts"] input[name=nickname]`: "browser-bistro",
	}, `form[action="/accounts"] button[type=submit]`)
	require.Contains(t, owner.text(), "Browser Bistro")
	owner.snap("account-created")
	owner.click(`p.msg.ok a[href^="/accounts/"]`)
	accountURL := owner.url()
	require.Contains(t, accountURL, "/accounts/")
	require.Contains(t, owner.text(), "browser-bistro")
	owner.snap("account")

	// Invite a team member; the email arrives over SMTP.
	owner.open("/invitations")
	owner.do(chromedp.SetValue(`select[name=kind]`, "team_member"))
	owner.submit(map[string]string{
		`input[name=email]`:   "waiter@bistro.example",
		`input[name=account]`: "browser-bistro",
	}, `form[action="/invitations"] button[type=submit]`)
	require.Contains(t, owner.text(), "waiter@bistro.example")
	owner.snap("invitation-sent")
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	require.NoError(t, a.mail.catcher.Wait(waitCtx, 1))
	var link string
	for _, m := range a.mail.catcher.Messages() {
		if len(m.To) > 0 && m.To[0] == "waiter@bistro.example" {
			for _, l := range m.Links() {
				if strings.Contains(l, "/invite/") {
					link = l
				}
			}
		}
	}
	require.NotEmpty(t, link, "the invitation email carries its link")
	owner.open("/mailbox")
	owner.snap("mailbox")

	// The invitee accepts in a browser of their own.
	waiter := newBrowser(t, exe, srv.URL, dir, &shots)
	waiter.do(chromedp.Navigate(link))
	waiter.snap("invitation")
	waiter.submit(map[string]string{
		`input[name=name]`: "Wally Waiter", `input[name=password]`: "waiter-password-1", `input[name=password2]`: "waiter-password-1",
	}, `form[action$="/signup"] button[type=submit]`)
	require.Contains(t, waiter.text(), "Browser Bistro", "the new member is in the account")
	waiter.snap("invitee-dashboard")

	// Log in as the client: the banner, then Exit.
	owner.open(strings.TrimPrefix(accountURL, srv.URL))
	owner.click(`form[action$="/login-as"] input[value=client] ~ button`)
	require.Contains(t, owner.text(), "Logged in as chef@bistro.example")
	owner.snap("logged-in-as-client")
	owner.click(`.banner form button`)
	require.NotContains(t, owner.text(), "Logged in as")
	owner.snap("after-exit")

	// Lock the account; the client's login is refused.
	owner.open(strings.TrimPrefix(accountURL, srv.URL))
	owner.click(`form[action$="/lock"] button`)
	require.Contains(t, owner.text(), "locked")
	owner.snap("account-locked")

	client := newBrowser(t, exe, srv.URL, dir, &shots)
	client.login("chef@bistro.example", "bistro-password-1")
	require.Contains(t, strings.ToLower(client.text()), "locked")
	require.True(t, strings.HasSuffix(client.url(), "/login"), "still on the login page: %s", client.url())
	client.snap("client-login-refused")

	for _, page := range []string{"/licenses", "/users", "/whitelabel", "/login-methods"} {
		owner.open(page)
		owner.snap(strings.TrimPrefix(page, "/"))
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(entries), 12, "a screenshot of each page")
}
