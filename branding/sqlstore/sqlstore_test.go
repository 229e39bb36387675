package sqlstore_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/internal/testdb"
)

func TestNewRefusesUnknownDriver(t *testing.T) {
	_, err := sqlstore.New(sqlx.NewDb(nil, "mysql"))
	require.Error(t, err)
}

// brandingTables are the tables migration 1 of the branding line creates.
var brandingTables = []string{
	"tenantry_branding_themes", "tenantry_branding_logos", "tenantry_branding_domains",
	"tenantry_branding_login", "tenantry_branding_providers",
}

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, brandingTables, testdb.Tables(t, db, brandingTables))
		require.NoError(t, sqlstore.Migrate(ctx, db), "a second Migrate is a no-op")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.Empty(t, testdb.Tables(t, db, brandingTables))
		require.Equal(t, []string{"tenantry_audit_events"}, testdb.Tables(t, db, []string{"tenantry_audit_events"}),
			"MigrateTo moves the branding line alone")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, brandingTables, testdb.Tables(t, db, brandingTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, brandingTables, testdb.Tables(t, db, brandingTables))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))

		// The store works on the schema migrated back up.
		s, err := sqlstore.New(db)
		require.NoError(t, err)
		d := domain("p1", "www.example.com")
		require.NoError(t, s.InsertDomain(ctx, d, event("p1", "add")))
		got, err := s.GetDomain(ctx, "p1", d.Host)
		require.NoError(t, err)
		require.Equal(t, d, got)
	})
}

// TestNoClientSecretStored stores and updates providers whose sealed
// secrets are bytes unlike their known client secrets (as
// branding.Service seals them), with the client secret also set on the
// provider given, and checks that no column of the raw providers table
// holds any client secret: neither as text nor in hex or base64. This
// guards against a column that would one day hold the secret in clear.
func TestNoClientSecretStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		var secrets []string
		for i := range 4 {
			secret := fmt.Sprintf("client-secret-%d-Zq7Xw9LmPa", i)
			secrets = append(secrets, secret)
			p := provider("p1", fmt.Sprintf("prov-%d", i), fmt.Sprintf("Provider %d", i))
			p.ClientSecret = secret
			p.SealedSecret = sealed(secret)
			require.NoError(t, s.InsertProvider(ctx, p, event("p1", fmt.Sprintf("add-%d", i))))
			got, err := s.GetProvider(ctx, "p1", p.ID)
			require.NoError(t, err)
			require.Empty(t, got.ClientSecret, "read back without the secret in clear")
			require.Equal(t, p.SealedSecret, got.SealedSecret)
		}
		secret := "rotated-client-secret-Hy3Vb8"
		secrets = append(secrets, secret)
		p, err := s.GetProvider(ctx, "p1", "prov-0")
		require.NoError(t, err)
		p.ClientSecret, p.SealedSecret, p.Version = secret, sealed(secret), p.Version+1
		require.NoError(t, s.UpdateProvider(ctx, p, event("p1", "rotate")))

		var forms []string
		for _, sec := range secrets {
			b := []byte(sec)
			forms = append(forms, sec, hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
				base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
		}
		rows, err := db.QueryxContext(ctx, `SELECT * FROM tenantry_branding_providers`)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
			vals, err := rows.SliceScan()
			require.NoError(t, err)
			for _, v := range vals {
				text := strings.ToLower(fmt.Sprint(v))
				if b, ok := v.([]byte); ok {
					text = strings.ToLower(string(b))
				}
				for _, f := range forms {
					assert.NotContains(t, text, strings.ToLower(f), "a client secret is stored in clear")
				}
			}
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 4, n)
	})
}

// sealed stands for the sealing of secret: bytes that do not hold it.
func sealed(secret string) []byte {
	b := []byte("sealed:" + secret)
	for i := range b {
		b[i] ^= 0x5a
	}
	return b
}

// TestThemesLogosLogin round-trips themes, logos and login settings and
// checks the versioned writes' errors.
func TestThemesLogosLogin(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)

		th := branding.Theme{PlatformID: "p1", Colors: branding.Colors{Sidebar: "#112233", Text: "#ffffff"},
			ProductName: "Acme", SupportEmail: "help@acme.example", EmailSenderName: "Acme",
			LogoLinkURL: "https://acme.example", Version: 1, UpdatedAt: now}
		_, err := s.GetTheme(ctx, "p1", "")
		require.ErrorIs(t, err, branding.ErrNotFound)
		require.NoError(t, s.PutTheme(ctx, th, event("p1", "theme-1")))
		require.ErrorIs(t, s.PutTheme(ctx, th, event("p1", "theme-1b")), branding.ErrConflict)
		got, err := s.GetTheme(ctx, "p1", "")
		require.NoError(t, err)
		require.Equal(t, th, got)
		acct := th
		acct.AccountID, acct.Colors = "acct-1", branding.Colors{Button: "#000000"}
		require.NoError(t, s.PutTheme(ctx, acct, event("p1", "theme-acct")))
		th.ProductName, th.Version = "Acme 2", 2
		require.NoError(t, s.PutTheme(ctx, th, event("p1", "theme-2")))
		require.ErrorIs(t, s.PutTheme(ctx, th, event("p1", "theme-2b")), branding.ErrStale)
		missing := th
		missing.PlatformID = "p2"
		require.ErrorIs(t, s.PutTheme(ctx, missing, event("p2", "theme-x")), branding.ErrNotFound)
		got, err = s.GetTheme(ctx, "p1", "acct-1")
		require.NoError(t, err)
		require.Equal(t, acct, got)
		require.NoError(t, s.DeleteTheme(ctx, "p1", "acct-1", event("p1", "theme-del")))
		require.ErrorIs(t, s.DeleteTheme(ctx, "p1", "acct-1", event("p1", "theme-del2")), branding.ErrNotFound)
		got, err = s.GetTheme(ctx, "p1", "")
		require.NoError(t, err)
		require.Equal(t, th, got)

		l := branding.Logo{PlatformID: "p1", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0},
			SHA256: "abc", UpdatedAt: now}
		require.NoError(t, s.PutLogo(ctx, l, event("p1", "logo-1")))
		l.Data, l.SHA256, l.ContentType = []byte("<svg/>"), "def", "image/svg+xml"
		require.NoError(t, s.PutLogo(ctx, l, event("p1", "logo-2")))
		gotLogo, err := s.GetLogo(ctx, "p1", "")
		require.NoError(t, err)
		require.Equal(t, l, gotLogo)
		_, err = s.GetLogo(ctx, "p1", "acct-1")
		require.ErrorIs(t, err, branding.ErrNotFound)
		require.NoError(t, s.DeleteLogo(ctx, "p1", "", event("p1", "logo-del")))
		require.ErrorIs(t, s.DeleteLogo(ctx, "p1", "", event("p1", "logo-del2")), branding.ErrNotFound)

		_, err = s.GetLoginSettings(ctx, "p1")
		require.ErrorIs(t, err, branding.ErrNotFound)
		ls := branding.LoginSettings{PlatformID: "p1", Password: false, SelfRegistration: true, Version: 1, UpdatedAt: now}
		require.NoError(t, s.PutLoginSettings(ctx, ls, event("p1", "login-1")))
		require.ErrorIs(t, s.PutLoginSettings(ctx, ls, event("p1", "login-1b")), branding.ErrConflict)
		ls.Password, ls.Version = true, 2
		require.NoError(t, s.PutLoginSettings(ctx, ls, event("p1", "login-2")))
		require.ErrorIs(t, s.PutLoginSettings(ctx, ls, event("p1", "login-2b")), branding.ErrStale)
		gotLS, err := s.GetLoginSettings(ctx, "p1")
		require.NoError(t, err)
		require.Equal(t, ls, gotLS)

		// A failed call writes no event; each successful one wrote one.
		events, err := s.Audit().List(ctx, audit.StoreQuery{PlatformID: "p1", Limit: 100})
		require.NoError(t, err)
		require.Len(t, events, 9)

		// An event ID used twice fails the write, which writes nothing.
		ls.Version = 3
		require.ErrorIs(t, s.PutLoginSettings(ctx, ls, event("p1", "login-2")), branding.ErrConflict)
		gotLS, err = s.GetLoginSettings(ctx, "p1")
		require.NoError(t, err)
		require.EqualValues(t, 2, gotLS.Version)
	})
}

// TestDomains checks domain claims across platforms, the primary switch
// and LookupHost.
func TestDomains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)

		_, err := s.LookupHost(ctx, "nowhere.example")
		require.ErrorIs(t, err, branding.ErrNotFound)

		def := domain("p1", "p1.product.example")
		def.Default, def.VerificationToken = true, ""
		a := domain("p1", "a.example")
		b := domain("p1", "b.example")
		for _, d := range []branding.Domain{def, a, b} {
			require.NoError(t, s.InsertDomain(ctx, d, event("p1", "add-"+d.Host)))
		}
		require.ErrorIs(t, s.InsertDomain(ctx, domain("p2", "a.example"), event("p2", "steal")), branding.ErrConflict)
		require.ErrorIs(t, s.InsertDomain(ctx, a, event("p1", "again")), branding.ErrConflict)

		r, err := s.LookupHost(ctx, def.Host)
		require.NoError(t, err)
		require.Equal(t, branding.Route{Domain: def}, r)

		// a becomes verified and primary.
		a.VerifiedAt, a.Primary, a.Version = now.Add(time.Minute), true, 2
		require.NoError(t, s.UpdateDomain(ctx, a, event("p1", "primary-a")))
		r, err = s.LookupHost(ctx, def.Host)
		require.NoError(t, err)
		require.Equal(t, branding.Route{Domain: def, PrimaryHost: a.Host}, r)

		// b takes it over: a loses Primary, its version bumped.
		b.VerifiedAt, b.Primary, b.Version = now.Add(2*time.Minute), true, 2
		require.NoError(t, s.UpdateDomain(ctx, b, event("p1", "primary-b")))
		a.Primary, a.Version = false, 3
		got, err := s.Domains(ctx, "p1")
		require.NoError(t, err)
		require.Equal(t, []branding.Domain{a, b, def}, got)
		r, err = s.LookupHost(ctx, a.Host)
		require.NoError(t, err)
		require.Equal(t, branding.Route{Domain: a, PrimaryHost: b.Host}, r)

		// Stale and missing updates write nothing.
		stale := b
		stale.Primary = false
		require.ErrorIs(t, s.UpdateDomain(ctx, stale, event("p1", "stale")), branding.ErrStale)
		stalePrimary := a
		stalePrimary.Primary, stalePrimary.Version = true, 3
		require.ErrorIs(t, s.UpdateDomain(ctx, stalePrimary, event("p1", "stale-primary")), branding.ErrStale)
		got, err = s.Domains(ctx, "p1")
		require.NoError(t, err)
		require.Equal(t, []branding.Domain{a, b, def}, got, "the failed primary switch cleared nothing")
		require.ErrorIs(t, s.UpdateDomain(ctx, domain("p2", "a.example"), event("p2", "missing")), branding.ErrNotFound)

		// A second primary inserted is refused by the database.
		c := domain("p1", "c.example")
		c.VerifiedAt, c.Primary = now, true
		require.ErrorIs(t, s.InsertDomain(ctx, c, event("p1", "second-primary")), branding.ErrConflict)

		// Another platform cannot see or delete p1's domains.
		_, err = s.GetDomain(ctx, "p2", a.Host)
		require.ErrorIs(t, err, branding.ErrNotFound)
		require.ErrorIs(t, s.DeleteDomain(ctx, "p2", a.Host, event("p2", "del")), branding.ErrNotFound)
		list, err := s.Domains(ctx, "p2")
		require.NoError(t, err)
		require.Nil(t, list)

		// Deleted, the primary no longer routes, and the host is free.
		require.NoError(t, s.DeleteDomain(ctx, "p1", b.Host, event("p1", "del-b")))
		r, err = s.LookupHost(ctx, a.Host)
		require.NoError(t, err)
		require.Equal(t, "", r.PrimaryHost)
		require.NoError(t, s.InsertDomain(ctx, domain("p2", b.Host), event("p2", "take-b")))
		r, err = s.LookupHost(ctx, b.Host)
		require.NoError(t, err)
		require.Equal(t, "p2", r.Domain.PlatformID)
	})
}

// TestRacePrimary moves the primary among a platform's domains from many
// goroutines at once: every move succeeds or is stale, and one primary
// remains.
func TestRacePrimary(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		const n = 8
		for i := range n {
			d := domain("p1", fmt.Sprintf("d%d.example", i))
			d.VerifiedAt = now
			require.NoError(t, s.InsertDomain(ctx, d, event("p1", "add-"+d.Host)))
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				for try := 0; ; try++ {
					d, err := s.GetDomain(ctx, "p1", fmt.Sprintf("d%d.example", i))
					if !assert.NoError(t, err) {
						return
					}
					d.Primary, d.Version = true, d.Version+1
					err = s.UpdateDomain(ctx, d, event("p1", fmt.Sprintf("primary-%d-%d", i, try)))
					if err == nil {
						return
					}
					if !assert.ErrorIs(t, err, branding.ErrStale) {
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := s.Domains(ctx, "p1")
		require.NoError(t, err)
		primaries := 0
		for _, d := range got {
			if d.Primary {
				primaries++
			}
		}
		require.Equal(t, 1, primaries)
	})
}

// TestProviders checks the providers' round trip, names unique in any
// case, listing by name, and versioned updates.
func TestProviders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		okta := provider("p1", "id-okta", "Okta")
		google := provider("p1", "id-google", "Google")
		google.Scopes = nil
		for _, p := range []branding.StoredProvider{okta, google} {
			require.NoError(t, s.InsertProvider(ctx, p, event("p1", "add-"+p.ID)))
		}
		require.ErrorIs(t, s.InsertProvider(ctx, provider("p1", "id-x", "OKTA"), event("p1", "dup-name")), branding.ErrConflict)
		require.ErrorIs(t, s.InsertProvider(ctx, provider("p1", "id-okta", "Other"), event("p1", "dup-id")), branding.ErrConflict)
		require.NoError(t, s.InsertProvider(ctx, provider("p1", "id-z", "zulu"), event("p1", "zulu")))
		require.NoError(t, s.InsertProvider(ctx, provider("p2", "id-okta", "okta"), event("p2", "other-platform")))

		got, err := s.Providers(ctx, "p1")
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Equal(t, []string{"Google", "Okta", "zulu"}, []string{got[0].Name, got[1].Name, got[2].Name})
		require.Equal(t, google, got[0])
		require.Equal(t, okta, got[1])

		google.Name, google.Enabled, google.Version, google.UpdatedAt = "okta", false, 2, now.Add(time.Hour)
		require.ErrorIs(t, s.UpdateProvider(ctx, google, event("p1", "rename-taken")), branding.ErrConflict)
		google.Name = "Google Workspace"
		google.Scopes = []string{"openid"}
		google.CreatedAt = now.Add(99 * time.Hour) // not written
		require.NoError(t, s.UpdateProvider(ctx, google, event("p1", "rename")))
		require.ErrorIs(t, s.UpdateProvider(ctx, google, event("p1", "rename-stale")), branding.ErrStale)
		gotP, err := s.GetProvider(ctx, "p1", google.ID)
		require.NoError(t, err)
		google.CreatedAt = now
		require.Equal(t, google, gotP)

		require.NoError(t, s.DeleteProvider(ctx, "p1", okta.ID, event("p1", "del")))
		require.ErrorIs(t, s.DeleteProvider(ctx, "p1", okta.ID, event("p1", "del2")), branding.ErrNotFound)
		_, err = s.GetProvider(ctx, "p1", okta.ID)
		require.ErrorIs(t, err, branding.ErrNotFound)
		require.NoError(t, s.InsertProvider(ctx, provider("p1", "id-x", "OKTA"), event("p1", "name-free")))
	})
}

// now is the tests' fixed clock, with microseconds.
var now = time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)

// domain returns an unverified domain of platform pid.
func domain(pid, host string) branding.Domain {
	return branding.Domain{PlatformID: pid, Host: host, VerificationToken: "tok-" + host, CreatedAt: now, Version: 1}
}

// provider returns an enabled provider of platform pid with every field
// set but ClientSecret.
func provider(pid, id, name string) branding.StoredProvider {
	return branding.StoredProvider{
		Provider: branding.Provider{
			PlatformID: pid, ID: id, Name: name, ClientID: "client-" + id,
			AuthURL: "https://idp.example/auth", TokenURL: "https://idp.example/token",
			UserInfoURL: "https://idp.example/userinfo", IssuerURL: "https://idp.example",
			Scopes: []string{"openid", "email"}, Enabled: true, CreatedAt: now, UpdatedAt: now, Version: 1,
		},
		SealedSecret: []byte{1, 2, 3, 0, 255},
	}
}

// event returns a valid event of platform pid, its ID made of pid and
// what.
func event(pid, what string) audit.Event {
	return audit.Event{
		PlatformID: pid, ID: fmt.Sprintf("ev-%s-%s", pid, what), At: now,
		ActorID: "system:test", Action: "branding.test", TargetType: "branding", TargetID: what,
	}
}
