package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/internal/testdb"
)

// listen runs s.ListenChanges until the test ends and returns the channel
// of the platform IDs it hears, once it is subscribed. The mechanism
// (another pool, reconnection, SQLite handles) is tested in
// internal/pgnotify.
func listen(t *testing.T, s *sqlstore.Store) <-chan string {
	t.Helper()
	return conformance.Listen(t, s.ListenChanges)
}

// TestListen checks that every domain write through one Store reaches a
// listener on another, in commit order (on SQLite before the write
// returns), and that a write that fails is not heard.
func TestListen(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		writer := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		reader := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
		heard := listen(t, reader)
		pid := uuid.NewString()
		requireHeard := func(what string) {
			t.Helper()
			if db.DriverName() == "pgx" {
				conformance.Next(t, heard, pid, what) // over LISTEN, from another goroutine
			} else {
				conformance.Heard(t, heard, pid, what) // synchronously
			}
		}

		d := domain(pid, "www."+pid+".example")
		require.NoError(t, writer.InsertDomain(ctx, d, event(pid, "add")))
		requireHeard("insert")

		// A failed write notifies nothing: its NOTIFY is rolled back with it.
		other := uuid.NewString()
		require.Error(t, writer.InsertDomain(ctx, domain(other, d.Host), event(other, "steal")))
		stale := d
		stale.Version = 5
		require.Error(t, writer.UpdateDomain(ctx, stale, event(pid, "stale")))
		conformance.Silent(t, heard, "failed writes")

		d.VerifiedAt, d.Primary, d.Version = now, true, 2
		require.NoError(t, writer.UpdateDomain(ctx, d, event(pid, "verify")))
		requireHeard("update, and not the failed writes")
		require.NoError(t, writer.DeleteDomain(ctx, pid, d.Host, event(pid, "delete")))
		requireHeard("delete")
	})
}
