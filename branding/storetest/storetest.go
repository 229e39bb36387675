package storetest

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/conformance"
)

// Harness is what a Store implementation gives the suite.
type Harness struct {
	// Store is the store under test.
	Store branding.Store
	// Audit reads back the events the Store wrote (same database or
	// memory).
	Audit audit.Store
}

// Run runs every conformance test against stores made by newHarness.
//
// newHarness is called once per subtest, after t.Parallel; it may return the
// same store, or stores over one shared database, to several subtests.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Helper()
	tests := conformance.Tests[Harness]{
		{"ThemeRoundTrip", testThemeRoundTrip},
		{"ThemeUpdate", testThemeUpdate},
		{"ThemeInsertTwice", testThemeInsertTwice},
		{"ThemeStale", testThemeStale},
		{"ThemeUpdateNotFound", testThemeUpdateNotFound},
		{"ThemePlatformAndAccount", testThemePlatformAndAccount},
		{"ThemeDelete", testThemeDelete},

		{"LogoRoundTrip", testLogoRoundTrip},
		{"LogoReplace", testLogoReplace},
		{"LogoCopies", testLogoCopies},
		{"LogoDelete", testLogoDelete},

		{"DomainRoundTrip", testDomainRoundTrip},
		{"DomainHostTaken", testDomainHostTaken},
		{"DomainUpdate", testDomainUpdate},
		{"DomainUpdateStale", testDomainUpdateStale},
		{"DomainUpdateNotFound", testDomainUpdateNotFound},
		{"DomainPrimary", testDomainPrimary},
		{"DomainInsertPrimary", testDomainInsertPrimary},
		{"DomainDelete", testDomainDelete},
		{"LookupHost", testLookupHost},

		{"LoginSettings", testLoginSettings},
		{"LoginSettingsStale", testLoginSettingsStale},

		{"ProviderRoundTrip", testProviderRoundTrip},
		{"ProviderEmptyScopesAreNil", testProviderEmptyScopesAreNil},
		{"ProviderCopies", testProviderCopies},
		{"ProviderInsertConflict", testProviderInsertConflict},
		{"ProviderUpdate", testProviderUpdate},
		{"ProviderRenameConflict", testProviderRenameConflict},
		{"ProviderUpdateStale", testProviderUpdateStale},
		{"ProviderDelete", testProviderDelete},
		{"ProviderList", testProviderList},

		{"EventFails", testEventFails},

		{"PlatformIsolation", testPlatformIsolation},
		{"PlatformSameKeys", testPlatformSameKeys},

		{"RaceHost", testRaceHost},
		{"RacePrimary", testRacePrimary},
		{"RaceThemeInsert", testRaceThemeInsert},
		{"RaceThemeUpdate", testRaceThemeUpdate},
		{"RaceLoginSettings", testRaceLoginSettings},
		{"RaceProviderName", testRaceProviderName},
	}
	conformance.Run(t, "", tests, newHarness)
}

// base is the suite's fixed clock. It carries microseconds on purpose, so
// that a store keeping less precision fails the round trips.
var base = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// day is 24 hours.
const day = 24 * time.Hour

// at returns base plus d.
func at(d time.Duration) time.Time { return base.Add(d) }

// actor is the ActorID of every event the suite builds.
const actor = "system:storetest"

// The actions and target types of the events the suite builds.
const (
	actionTheme         = "branding.theme.update"
	actionThemeDelete   = "branding.theme.delete"
	actionLogo          = "branding.logo.update"
	actionLogoDelete    = "branding.logo.delete"
	actionDomainAdd     = "branding.domain.add"
	actionDomainUpdate  = "branding.domain.update"
	actionDomainDelete  = "branding.domain.delete"
	actionLogin         = "branding.login.update"
	actionProviderAdd   = "branding.provider.add"
	actionProviderEdit  = "branding.provider.update"
	actionProviderClose = "branding.provider.delete"

	targetTheme    = "theme"
	targetLogo     = "logo"
	targetDomain   = "domain"
	targetLogin    = "login_settings"
	targetProvider = "login_provider"
)

// listAll bounds the events read back of one platform.
const listAll = 500

// newID returns a new UUIDv7 string, as branding.Service makes IDs.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

// randomBytes returns n random bytes: the suite's tokens and secrets are
// arbitrary bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return b
}

// env is one subtest's view of the stores: a context, and a platform of its
// own.
type env struct {
	t   *testing.T
	ctx context.Context
	s   branding.Store
	a   audit.Store
	pid string
	seq *atomic.Int64
}

// setup checks h and picks a new platform for the subtest.
func setup(t *testing.T, h Harness) *env {
	t.Helper()
	require.NotNil(t, h.Store, "Harness.Store")
	require.NotNil(t, h.Audit, "Harness.Audit")
	return &env{t: t, ctx: t.Context(), s: h.Store, a: h.Audit, pid: newID(), seq: new(atomic.Int64)}
}

// other returns an env over the same stores on another new platform.
func (e *env) other() *env {
	o := *e
	o.pid = newID()
	return &o
}

// with returns e for subtest t.
func (e *env) with(t *testing.T) *env {
	o := *e
	o.t = t
	return &o
}

// next returns the next number of the subtest's sequence.
func (e *env) next() int64 { return e.seq.Add(1) }

// event returns a valid event of e's platform about a target, with one
// change so that stores must keep Changes too.
func (e *env) event(action, targetType, targetID, accountID string) audit.Event {
	return audit.Event{
		PlatformID: e.pid, ID: newID(), At: base, AccountID: accountID,
		ActorID: actor, Action: action, TargetType: targetType, TargetID: targetID,
		Reason:  "storetest",
		Changes: []audit.Change{{Field: "n", Before: "", After: fmt.Sprint(e.next())}},
	}
}

// newAccountID returns a new account ID.
func newAccountID() string { return "acct-" + newID() }

// ---- themes and logos ----

// newColors returns a colour scheme with every area set, each to its own
// colour, n telling schemes apart.
func newColors(n int64) branding.Colors {
	c := func(i int) string { return fmt.Sprintf("#%02x%02x%02x", byte(n), byte(i*20), byte(255-i)) }
	return branding.Colors{
		Sidebar: c(1), SidebarText: c(2), Button: c(3), ButtonText: c(4),
		Status: c(5), StatusText: c(6), Toggle: c(7), ToggleText: c(8),
		Link: c(9), LinkText: c(10), Background: c(11), Text: c(12),
	}
}

// newTheme returns a theme of e's platform for accountID ("" for the
// platform's own) with every field set, at Version 1, not stored.
func (e *env) newTheme(accountID string, mods ...func(*branding.Theme)) branding.Theme {
	n := e.next()
	th := branding.Theme{
		PlatformID:      e.pid,
		AccountID:       accountID,
		Colors:          newColors(n),
		ProductName:     fmt.Sprint("Acme Cloud ", n),
		SupportEmail:    fmt.Sprintf("support-%d@acme.example", n),
		EmailSenderName: fmt.Sprint("Acme Team ", n),
		LogoLinkURL:     fmt.Sprintf("https://acme.example/home/%d", n),
		Version:         1,
		UpdatedAt:       at(time.Duration(n)*time.Second + 1001*time.Microsecond),
	}
	for _, m := range mods {
		m(&th)
	}
	return th
}

// themeEvent returns an event about theme key (platform, accountID).
func (e *env) themeEvent(action, accountID string) audit.Event {
	return e.event(action, targetTheme, cmp.Or(accountID, e.pid), accountID)
}

// putTheme writes th, checks that its event landed and that it is stored,
// and returns it.
func (e *env) putTheme(th branding.Theme) branding.Theme {
	e.t.Helper()
	ev := e.themeEvent(actionTheme, th.AccountID)
	require.NoError(e.t, e.s.PutTheme(e.ctx, th, ev), "put theme %q version %d", th.AccountID, th.Version)
	e.requireEvent(ev)
	e.requireTheme(th)
	return th
}

// theme builds a theme for accountID, applies mods and stores it.
func (e *env) theme(accountID string, mods ...func(*branding.Theme)) branding.Theme {
	e.t.Helper()
	return e.putTheme(e.newTheme(accountID, mods...))
}

// updateTheme writes th changed by mod with its version bumped and a later
// UpdatedAt, and returns what was stored.
func (e *env) updateTheme(th branding.Theme, mod func(*branding.Theme)) branding.Theme {
	e.t.Helper()
	mod(&th)
	th.Version++
	th.UpdatedAt = th.UpdatedAt.Add(time.Minute + time.Microsecond)
	return e.putTheme(th)
}

// requireTheme checks that each theme is stored as given.
func (e *env) requireTheme(ths ...branding.Theme) {
	e.t.Helper()
	for _, th := range ths {
		got, err := e.s.GetTheme(e.ctx, th.PlatformID, th.AccountID)
		require.NoError(e.t, err, "get theme %q", th.AccountID)
		conformance.RequireUTC(e.t, "theme", got.UpdatedAt)
		require.Equal(e.t, th, got, "theme %q", th.AccountID)
	}
}

// requireNoTheme checks that e's platform has no theme for accountID.
func (e *env) requireNoTheme(accountID string) {
	e.t.Helper()
	_, err := e.s.GetTheme(e.ctx, e.pid, accountID)
	require.ErrorIs(e.t, err, branding.ErrNotFound, "theme %q must not exist", accountID)
}

// newLogo returns a logo of e's platform for accountID with size bytes of
// arbitrary data (zero bytes and 0xff included), not stored.
func (e *env) newLogo(accountID string, size int) branding.Logo {
	n := e.next()
	data := randomBytes(size)
	if size >= 4 {
		data[0], data[1], data[size-1] = 0, 0xff, 0
	}
	sum := sha256.Sum256(data)
	return branding.Logo{
		PlatformID:  e.pid,
		AccountID:   accountID,
		ContentType: []string{"image/png", "image/svg+xml", "image/webp", "image/jpeg"}[n%4],
		Data:        data,
		SHA256:      hex.EncodeToString(sum[:]),
		UpdatedAt:   at(time.Duration(n)*time.Second + 7*time.Microsecond),
	}
}

// putLogo writes l, checks that its event landed and that it is stored,
// and returns it.
func (e *env) putLogo(l branding.Logo) branding.Logo {
	e.t.Helper()
	ev := e.event(actionLogo, targetLogo, cmp.Or(l.AccountID, e.pid), l.AccountID)
	require.NoError(e.t, e.s.PutLogo(e.ctx, l, ev), "put logo %q", l.AccountID)
	e.requireEvent(ev)
	e.requireLogo(l)
	return l
}

// requireLogo checks that each logo is stored as given, byte for byte.
func (e *env) requireLogo(ls ...branding.Logo) {
	e.t.Helper()
	for _, l := range ls {
		got, err := e.s.GetLogo(e.ctx, l.PlatformID, l.AccountID)
		require.NoError(e.t, err, "get logo %q", l.AccountID)
		conformance.RequireUTC(e.t, "logo", got.UpdatedAt)
		require.Equal(e.t, l, got, "logo %q", l.AccountID)
	}
}

// requireNoLogo checks that e's platform has no logo for accountID.
func (e *env) requireNoLogo(accountID string) {
	e.t.Helper()
	_, err := e.s.GetLogo(e.ctx, e.pid, accountID)
	require.ErrorIs(e.t, err, branding.ErrNotFound, "logo %q must not exist", accountID)
}

// ---- domains ----

// host returns the canonical host label.P.example, P being e's platform
// ID without hyphens: hosts are global, so each subtest's are its own.
// Labels the suite compares in order have the same length and only
// lower-case letters and digits, so that byte order and any collation
// agree.
func (e *env) host(label string) string {
	return label + ".p" + strings.ReplaceAll(e.pid, "-", "") + ".example"
}

// newDomain returns an unverified, non-primary domain of e's platform with
// host e.host(label), a token of arbitrary bytes (hex) and Version 1, not
// stored.
func (e *env) newDomain(label string, mods ...func(*branding.Domain)) branding.Domain {
	n := e.next()
	d := branding.Domain{
		PlatformID:        e.pid,
		Host:              e.host(label),
		VerificationToken: hex.EncodeToString(randomBytes(32)),
		CreatedAt:         at(time.Duration(n)*time.Second + 3*time.Microsecond),
		Version:           1,
	}
	for _, m := range mods {
		m(&d)
	}
	return d
}

// verified is a newDomain mod: verified an hour after creation.
func verified(d *branding.Domain) { d.VerifiedAt = d.CreatedAt.Add(time.Hour + 11*time.Microsecond) }

// primary is a newDomain mod: verified and primary.
func primary(d *branding.Domain) { verified(d); d.Primary = true }

// insertDomain stores d, checks that its event landed and that it is
// stored, and returns it.
func (e *env) insertDomain(d branding.Domain) branding.Domain {
	e.t.Helper()
	ev := e.event(actionDomainAdd, targetDomain, d.Host, "")
	require.NoError(e.t, e.s.InsertDomain(e.ctx, d, ev), "insert domain %s", d.Host)
	e.requireEvent(ev)
	e.requireDomain(d)
	return d
}

// domain builds a domain, applies mods and stores it.
func (e *env) domain(label string, mods ...func(*branding.Domain)) branding.Domain {
	e.t.Helper()
	return e.insertDomain(e.newDomain(label, mods...))
}

// requireInsertDomainConflict checks that inserting d (on d's platform)
// is ErrConflict and wrote no event.
func (e *env) requireInsertDomainConflict(d branding.Domain, what string) {
	e.t.Helper()
	o := *e
	o.pid = d.PlatformID
	ev := o.event(actionDomainAdd, targetDomain, d.Host, "")
	require.ErrorIs(e.t, e.s.InsertDomain(e.ctx, d, ev), branding.ErrConflict, what)
	e.requireNoEvent(ev)
}

// updateDomain writes d changed by mod with its version bumped, checks
// that the event landed and that d is stored so, and returns it. It does
// not check the other domains (a new primary demotes the previous one).
func (e *env) updateDomain(d branding.Domain, mod func(*branding.Domain)) branding.Domain {
	e.t.Helper()
	mod(&d)
	d.Version++
	ev := e.event(actionDomainUpdate, targetDomain, d.Host, "")
	require.NoError(e.t, e.s.UpdateDomain(e.ctx, d, ev), "update domain %s to version %d", d.Host, d.Version)
	e.requireEvent(ev)
	e.requireDomain(d)
	return d
}

// demoted returns d as a new primary elsewhere on its platform leaves it:
// not primary, its version one more.
func demoted(d branding.Domain) branding.Domain {
	d.Primary = false
	d.Version++
	return d
}

// requireDomain checks that each domain is stored as given, by GetDomain
// on its platform and by LookupHost.
func (e *env) requireDomain(ds ...branding.Domain) {
	e.t.Helper()
	for _, d := range ds {
		got, err := e.s.GetDomain(e.ctx, d.PlatformID, d.Host)
		require.NoError(e.t, err, "get domain %s", d.Host)
		requireDomain(e.t, d, got)
		r, err := e.s.LookupHost(e.ctx, d.Host)
		require.NoError(e.t, err, "look up host %s", d.Host)
		requireDomain(e.t, d, r.Domain)
	}
}

// requireNoDomain checks that no platform holds host.
func (e *env) requireNoDomain(host string) {
	e.t.Helper()
	_, err := e.s.GetDomain(e.ctx, e.pid, host)
	require.ErrorIs(e.t, err, branding.ErrNotFound, "domain %s must not exist on the platform", host)
	_, err = e.s.LookupHost(e.ctx, host)
	require.ErrorIs(e.t, err, branding.ErrNotFound, "host %s must lead nowhere", host)
}

// requireDomains checks that Domains lists exactly want on e's platform,
// by host.
func (e *env) requireDomains(want ...branding.Domain) {
	e.t.Helper()
	got, err := e.s.Domains(e.ctx, e.pid)
	require.NoError(e.t, err, "list domains")
	want = slices.Clone(want)
	slices.SortFunc(want, func(a, b branding.Domain) int { return strings.Compare(a.Host, b.Host) })
	require.Equal(e.t, hosts(want), hosts(got), "domains by host")
	for i := range want {
		requireDomain(e.t, want[i], got[i])
	}
}

// requireRoute checks that LookupHost(host) finds domain d and the
// primary host primaryHost ("" for none).
func (e *env) requireRoute(d branding.Domain, primaryHost string) {
	e.t.Helper()
	r, err := e.s.LookupHost(e.ctx, d.Host)
	require.NoError(e.t, err, "look up host %s", d.Host)
	requireDomain(e.t, d, r.Domain)
	require.Equal(e.t, primaryHost, r.PrimaryHost, "primary host of the route of %s", d.Host)
}

// requireDomain checks that got is want, field by field, its times in
// UTC.
func requireDomain(t testing.TB, want, got branding.Domain) {
	t.Helper()
	conformance.RequireUTC(t, "domain "+want.Host, got.CreatedAt, got.VerifiedAt)
	require.Equal(t, want, got, "domain %s", want.Host)
}

func hosts(ds []branding.Domain) []string {
	return conformance.IDs(ds, func(d branding.Domain) string { return d.Host })
}

// ---- login settings and providers ----

// putSettings writes s, checks that its event landed and that it is
// stored, and returns it.
func (e *env) putSettings(s branding.LoginSettings) branding.LoginSettings {
	e.t.Helper()
	ev := e.event(actionLogin, targetLogin, s.PlatformID, "")
	require.NoError(e.t, e.s.PutLoginSettings(e.ctx, s, ev), "put login settings version %d", s.Version)
	e.requireEvent(ev)
	e.requireSettings(s)
	return s
}

// newSettings returns login settings of e's platform at version v.
func (e *env) newSettings(v int64, password, selfRegistration bool) branding.LoginSettings {
	return branding.LoginSettings{
		PlatformID: e.pid, Password: password, SelfRegistration: selfRegistration, Version: v,
		UpdatedAt: at(time.Duration(e.next())*time.Second + 5*time.Microsecond),
	}
}

// requireSettings checks that s is stored as given.
func (e *env) requireSettings(s branding.LoginSettings) {
	e.t.Helper()
	got, err := e.s.GetLoginSettings(e.ctx, s.PlatformID)
	require.NoError(e.t, err, "get login settings")
	conformance.RequireUTC(e.t, "login settings", got.UpdatedAt)
	require.Equal(e.t, s, got, "login settings")
}

// newProvider returns a provider of e's platform named name with every
// field set (its sealed secret arbitrary bytes, its clear ClientSecret
// empty as Service hands it over), at Version 1, not stored.
func (e *env) newProvider(name string, mods ...func(*branding.StoredProvider)) branding.StoredProvider {
	n := e.next()
	created := at(time.Duration(n)*time.Second + 9*time.Microsecond)
	p := branding.StoredProvider{
		Provider: branding.Provider{
			PlatformID:  e.pid,
			ID:          newID(),
			Name:        name,
			ClientID:    fmt.Sprintf("client-%d-%s", n, newID()),
			AuthURL:     fmt.Sprintf("https://idp%d.example/oauth2/authorize", n),
			TokenURL:    fmt.Sprintf("https://idp%d.example/oauth2/token", n),
			UserInfoURL: fmt.Sprintf("https://idp%d.example/userinfo", n),
			IssuerURL:   fmt.Sprintf("https://idp%d.example", n),
			Scopes:      []string{"openid", "email", fmt.Sprint("profile:", n)},
			Enabled:     true,
			CreatedAt:   created,
			UpdatedAt:   created.Add(time.Microsecond),
			Version:     1,
		},
		SealedSecret: append([]byte{0, 0xff, 0}, randomBytes(61)...),
	}
	for _, m := range mods {
		m(&p)
	}
	return p
}

// providerEvent returns an event about provider p.
func (e *env) providerEvent(action string, p branding.StoredProvider) audit.Event {
	return e.event(action, targetProvider, p.ID, "")
}

// insertProvider stores p, checks that its event landed and that it is
// stored, and returns it.
func (e *env) insertProvider(p branding.StoredProvider) branding.StoredProvider {
	e.t.Helper()
	ev := e.providerEvent(actionProviderAdd, p)
	require.NoError(e.t, e.s.InsertProvider(e.ctx, p, ev), "insert provider %q", p.Name)
	e.requireEvent(ev)
	e.requireProvider(p)
	return p
}

// provider builds a provider, applies mods and stores it.
func (e *env) provider(name string, mods ...func(*branding.StoredProvider)) branding.StoredProvider {
	e.t.Helper()
	return e.insertProvider(e.newProvider(name, mods...))
}

// requireInsertProviderConflict checks that inserting p is ErrConflict and
// wrote no event.
func (e *env) requireInsertProviderConflict(p branding.StoredProvider, what string) {
	e.t.Helper()
	ev := e.providerEvent(actionProviderAdd, p)
	require.ErrorIs(e.t, e.s.InsertProvider(e.ctx, p, ev), branding.ErrConflict, what)
	e.requireNoEvent(ev)
}

// updateProvider writes p changed by mod with its version bumped and a
// later UpdatedAt, checks that the event landed and that it is stored so,
// and returns it.
func (e *env) updateProvider(p branding.StoredProvider, mod func(*branding.StoredProvider)) branding.StoredProvider {
	e.t.Helper()
	mod(&p)
	p.Version++
	p.UpdatedAt = p.UpdatedAt.Add(time.Hour + time.Microsecond)
	ev := e.providerEvent(actionProviderEdit, p)
	require.NoError(e.t, e.s.UpdateProvider(e.ctx, p, ev), "update provider %q to version %d", p.Name, p.Version)
	e.requireEvent(ev)
	e.requireProvider(p)
	return p
}

// requireProvider checks that each provider is stored as given.
func (e *env) requireProvider(ps ...branding.StoredProvider) {
	e.t.Helper()
	for _, p := range ps {
		got, err := e.s.GetProvider(e.ctx, p.PlatformID, p.ID)
		require.NoError(e.t, err, "get provider %q", p.Name)
		requireProvider(e.t, p, got)
	}
}

// requireNoProvider checks that e's platform has no provider id.
func (e *env) requireNoProvider(id string) {
	e.t.Helper()
	_, err := e.s.GetProvider(e.ctx, e.pid, id)
	require.ErrorIs(e.t, err, branding.ErrNotFound, "provider %s must not exist", id)
}

// requireProviders checks that Providers lists exactly want on e's
// platform, by name case-insensitively.
func (e *env) requireProviders(want ...branding.StoredProvider) {
	e.t.Helper()
	got, err := e.s.Providers(e.ctx, e.pid)
	require.NoError(e.t, err, "list providers")
	want = byName(want)
	require.Equal(e.t, names(want), names(got), "providers by name")
	for i := range want {
		requireProvider(e.t, want[i], got[i])
	}
}

// requireProvider checks that got is want, field by field, its times in
// UTC: empty Scopes come back nil, an empty SealedSecret empty, and the
// clear ClientSecret always empty.
func requireProvider(t testing.TB, want, got branding.StoredProvider) {
	t.Helper()
	conformance.RequireUTC(t, "provider "+want.Name, got.CreatedAt, got.UpdatedAt)
	require.Empty(t, got.ClientSecret, "provider %q: stores never return the secret in clear", want.Name)
	want.ClientSecret = ""
	if len(want.Scopes) == 0 {
		want.Scopes = nil
	}
	if len(want.SealedSecret) == 0 && len(got.SealedSecret) == 0 {
		want.SealedSecret, got.SealedSecret = nil, nil
	}
	require.Equal(t, want, got, "provider %q", want.Name)
}

// byName returns ps sorted as Providers lists them: by name,
// case-insensitively (the suite's names are ASCII letters).
func byName(ps []branding.StoredProvider) []branding.StoredProvider {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b branding.StoredProvider) int {
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return ps
}

func names(ps []branding.StoredProvider) []string {
	return conformance.IDs(ps, func(p branding.StoredProvider) string { return p.Name })
}

// ---- events ----

// events reads back what the subtest's stores recorded.
func (e *env) events() conformance.Events {
	return conformance.Events{T: e.t, Ctx: e.ctx, Store: e.a, Limit: listAll}
}

// requireEvent checks that each event was recorded as given.
func (e *env) requireEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().Require(evs...)
}

// requireNoEvent checks that none of evs was recorded on its platform.
func (e *env) requireNoEvent(evs ...audit.Event) {
	e.t.Helper()
	e.events().RequireNone(evs...)
}
