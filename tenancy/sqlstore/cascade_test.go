package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// TestCascadeInTransaction: with Config.Atomic, a change and its Cascade
// are one transaction. A cascade that fails undoes the change (account
// changed, account deleted, user changed) and the On* hooks stay silent;
// a cascade's own writes (here an audit event through another store on
// the same database) commit with the change; the On* hooks run after the
// commit.
func TestCascadeInTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
		store := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		unit, err := sqlkit.Wrap(db)
		require.NoError(t, err)
		events := audit.New(store.Audit(), nil)
		refuse := errors.New("cascade refused")
		var fail bool
		var heard []string
		cascadeEvent := func(ctx context.Context, platformID, action string) error {
			if fail {
				return refuse
			}
			// Another store's write, joining the unit.
			_, err := events.Record(ctx, audit.Event{PlatformID: platformID, Action: action, ActorID: "system:test"})
			return err
		}
		svc := tenancy.New(store, &tenancy.Config{
			Atomic: unit.Atomic,
			Cascade: tenancy.Cascade{
				AccountChanged: func(ctx context.Context, c tenancy.AccountChange) error {
					return cascadeEvent(ctx, c.After.PlatformID, "cascade.account")
				},
				AccountDeleted: func(ctx context.Context, d tenancy.AccountDeleted) error {
					return cascadeEvent(ctx, d.PlatformID, "cascade.delete")
				},
				UserChanged: func(ctx context.Context, c tenancy.UserChange) error {
					return cascadeEvent(ctx, c.After.PlatformID, "cascade.user")
				},
			},
			OnAccountChanged: func(ctx context.Context, c tenancy.AccountChange) {
				got, err := store.GetAccount(ctx, c.After.PlatformID, c.After.ID)
				require.NoError(t, err)
				assert.Equal(t, c.After.Locked, got.Locked, "OnAccountChanged runs after the commit")
				heard = append(heard, c.Action)
			},
			OnAccountDeleted: func(context.Context, tenancy.AccountDeleted) { heard = append(heard, "deleted") },
			OnUserChanged:    func(_ context.Context, c tenancy.UserChange) { heard = append(heard, c.Action) },
		})
		p, err := svc.CreatePlatform(ctx, tenancy.CreatePlatformParams{Name: "P"})
		require.NoError(t, err)
		created, err := svc.CreateAccount(ctx, tenancy.CreateAccountParams{PlatformID: p.ID, Name: "Acme", Email: "a@acme.example"})
		require.NoError(t, err)
		acc, admin := created.Account, created.PrimaryAdmin
		cascades := func() int {
			page, err := events.List(ctx, audit.Query{PlatformID: p.ID, Limit: 100})
			require.NoError(t, err)
			n := 0
			for _, e := range page.Events {
				if strings.HasPrefix(e.Action, "cascade.") {
					n++
				}
			}
			return n
		}

		fail = true
		_, err = svc.LockAccount(ctx, p.ID, acc.ID)
		require.ErrorIs(t, err, refuse)
		_, err = svc.DisableUser(ctx, p.ID, admin.ID)
		require.ErrorIs(t, err, refuse)
		_, err = svc.DeleteAccount(ctx, p.ID, acc.ID)
		require.ErrorIs(t, err, refuse)
		got, err := svc.Account(ctx, p.ID, acc.ID)
		require.NoError(t, err, "the deletion was undone")
		assert.False(t, got.Locked, "the lock was undone")
		u, err := svc.User(ctx, p.ID, admin.ID)
		require.NoError(t, err)
		assert.Equal(t, tenancy.UserActive, u.Status, "the user change was undone")
		assert.Empty(t, heard, "no hook hears a change undone")
		assert.Zero(t, cascades())

		fail = false
		_, err = svc.LockAccount(ctx, p.ID, acc.ID)
		require.NoError(t, err)
		_, err = svc.DisableUser(ctx, p.ID, admin.ID)
		require.NoError(t, err)
		_, err = svc.DeleteAccount(ctx, p.ID, acc.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"account.lock", "user.disable", "deleted"}, heard)
		assert.Equal(t, 3, cascades(), "each cascade's write committed with its change")
	})
}
