package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/internal/oauthtest"
	"github.com/tenantry/tenantry/internal/testdb"
)

// TestOAuthRoundTripStoredProvider adds a provider through the Service
// (its client secret sealed into the database), then logs in with it: the
// provider read back and opened, the authorization-code round trip with
// PKCE against a provider started in the test, the user's email read with
// the token. No table — providers or audit — holds the secret in clear.
func TestOAuthRoundTripStoredProvider(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		const clientSecret = "oauth-client-secret-9fQ2xLr7Vb"
		const callback = "https://bots.acme.example/login/callback"
		key := []byte("0123456789abcdef0123456789abcdef")
		now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

		op := oauthtest.Start(t, "acme-portal", clientSecret)
		op.AllowRedirectURI(callback)
		op.SetUser("owner@acme.example")

		store := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		svc := branding.New(store, &branding.Config{SecretKey: key, Now: func() time.Time { return now }})
		ctx := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "owner"})
		added, err := svc.AddProvider(ctx, branding.Provider{
			PlatformID: "p1", Name: "Acme SSO", ClientID: "acme-portal", ClientSecret: clientSecret,
			AuthURL: op.AuthURL(), TokenURL: op.TokenURL(), UserInfoURL: op.UserInfoURL(),
			Scopes: []string{"openid", "email"}, Enabled: true,
		})
		require.NoError(t, err)
		require.Empty(t, added.ClientSecret, "handed back without its secret")

		// The callback handler's work, from a fresh read of the store.
		cfg, err := svc.OAuth2Config(ctx, "p1", added.ID, callback)
		require.NoError(t, err)
		require.Equal(t, clientSecret, cfg.ClientSecret, "opened with the key")
		authURL, st := branding.BeginLogin(cfg, added.ID, "/accounts", now)
		cookie, err := branding.SealLoginState(key, "p1", st)
		require.NoError(t, err)
		redirect, err := op.Authorize(authURL)
		require.NoError(t, err)
		opened, err := branding.OpenLoginState(key, "p1", cookie, now.Add(time.Minute))
		require.NoError(t, err)
		tok, err := branding.CompleteLogin(context.Background(), cfg, opened, redirect.Query())
		require.NoError(t, err)
		resp, err := cfg.Client(context.Background(), tok).Get(added.UserInfoURL)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var info struct{ Email string }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&info))
		require.Equal(t, "owner@acme.example", info.Email)

		// A wrong key opens nothing.
		wrong := branding.New(store, &branding.Config{SecretKey: []byte("fedcba9876543210fedcba9876543210")})
		_, err = wrong.OAuth2Config(ctx, "p1", added.ID, callback)
		require.Error(t, err)

		for _, table := range []string{"tenantry_branding_providers", "tenantry_audit_events"} {
			rows, err := db.QueryxContext(context.Background(), "SELECT * FROM "+table)
			require.NoError(t, err)
			n := 0
			for rows.Next() {
				n++
				vals, err := rows.SliceScan()
				require.NoError(t, err)
				for _, v := range vals {
					text := fmt.Sprint(v)
					if b, ok := v.([]byte); ok {
						text = string(b)
					}
					require.NotContains(t, strings.ToLower(text), strings.ToLower(clientSecret), "%s holds the client secret in clear", table)
				}
			}
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			require.Positive(t, n, table)
		}
	})
}
