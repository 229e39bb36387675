package sqlstore_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/sqlstore"
)

func TestNewRefusesUnknownDriver(t *testing.T) {
	_, err := sqlstore.New(sqlx.NewDb(nil, "mysql"))
	require.Error(t, err)
}

// invitesTables are the tables migration 1 of the invites line creates.
var invitesTables = []string{"tenantry_invitations"}

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, invitesTables, testdb.Tables(t, db, invitesTables))
		require.NoError(t, sqlstore.Migrate(ctx, db), "a second Migrate is a no-op")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.Empty(t, testdb.Tables(t, db, invitesTables))
		require.Equal(t, []string{"tenantry_audit_events"}, testdb.Tables(t, db, []string{"tenantry_audit_events"}),
			"MigrateTo moves the invites line alone")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, invitesTables, testdb.Tables(t, db, invitesTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, invitesTables, testdb.Tables(t, db, invitesTables))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))
	})
}

// TestNoTokenStored creates invitations from known link tokens (as
// invites.Service makes them), also resends one with a new token, and
// checks that no column of the raw table holds any token: neither its
// text nor its bytes in hex or any base64 form.
func TestNoTokenStored(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		now := time.Date(2026, time.March, 1, 10, 0, 0, 123456000, time.UTC)
		var tokens []string
		var stored []invites.Invitation
		for i := range 5 {
			token, hash := secret.New()
			tokens = append(tokens, token)
			inv := invites.Invitation{
				PlatformID: "p1", ID: fmt.Sprintf("inv-%d", i), Kind: invites.KindTeamMember,
				Email: fmt.Sprintf("u%d@example.com", i), InviterID: "user-1", AccountID: "acct-1",
				Permissions: []string{"chats.read"}, Status: invites.Pending, TokenHash: hash,
				ExpiresAt: now.Add(time.Hour), SentAt: now, CreatedAt: now, Version: 1,
			}
			require.NoError(t, s.Insert(ctx, inv, event(inv, i)))
			stored = append(stored, inv)
		}
		token, hash := secret.New()
		tokens = append(tokens, token)
		resent := stored[0]
		resent.TokenHash, resent.Version = hash, 2
		require.NoError(t, s.Update(ctx, resent, event(resent, 99)))

		var forms []string
		for _, tok := range tokens {
			b, err := base64.RawURLEncoding.DecodeString(tok)
			require.NoError(t, err)
			forms = append(forms, tok, hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b),
				base64.RawStdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b))
		}
		rows, err := db.QueryxContext(ctx, `SELECT * FROM tenantry_invitations`)
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
					assert.NotContains(t, text, strings.ToLower(f), "a token is stored")
				}
			}
		}
		require.NoError(t, rows.Err())
		require.Equal(t, 5, n)
	})
}

// event returns a valid event about inv.
func event(inv invites.Invitation, n int) audit.Event {
	return audit.Event{
		PlatformID: inv.PlatformID, ID: fmt.Sprintf("ev-%s-%d", inv.ID, n), At: inv.CreatedAt,
		ActorID: "system:test", Action: "invitation.test", TargetType: "invitation", TargetID: inv.ID,
	}
}
