package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// change is one notification heard.
type change struct{ platform, account string }

// listen runs s.ListenChanges until the test ends and returns the channel
// of what it hears, once it is subscribed. The mechanism (another pool,
// reconnection, SQLite handles) is tested in internal/pgnotify.
func listen(t *testing.T, s *sqlstore.Store) <-chan change {
	t.Helper()
	return conformance.Listen(t, func(ctx context.Context, ready func(), fn func(change)) error {
		return s.ListenChanges(ctx, ready, func(p, a string) { fn(change{p, a}) })
	})
}

// issue stores a new active license of account on platform pid.
func issue(t *testing.T, s *sqlstore.Store, pid, account string) licensing.License {
	t.Helper()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l := licensing.License{
		PlatformID: pid, ID: uuid.NewString(), Number: "LIC-" + uuid.NewString()[:8], AccountID: account,
		PlanID: "plan", Status: licensing.Active, StartsAt: now, EndsAt: now.AddDate(1, 0, 0),
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	ev := event(pid, "license.issue")
	require.NoError(t, s.WriteLicenses(context.Background(), []licensing.LicenseChange{{License: l, Insert: true}}, ev))
	return l
}

// TestListenPostgres checks that a listener hears, over LISTEN, the
// changes written through another Store and NotifyChange.
func TestListenPostgres(t *testing.T) {
	db := testdb.Postgres(t)
	writer := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	reader := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	heard := listen(t, reader)

	pid, account := uuid.NewString(), uuid.NewString()
	issue(t, writer, pid, account)
	conformance.Await(t, heard, change{pid, account})

	require.NoError(t, writer.NotifyChange(context.Background(), pid, "*"))
	conformance.Await(t, heard, change{pid, "*"})
}

// TestListenSQLiteInProcess checks that on SQLite a Store hears the writes
// of another Store on the same handle, before the write returns.
func TestListenSQLiteInProcess(t *testing.T) {
	db := testdb.SQLite(t)
	writer := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	reader := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	heard := listen(t, reader)

	pid, account := uuid.NewString(), uuid.NewString()
	issue(t, writer, pid, account)
	conformance.Heard(t, heard, change{pid, account}, "WriteLicenses")
	require.NoError(t, writer.NotifyChange(context.Background(), pid, "*"))
	conformance.Heard(t, heard, change{pid, "*"}, "NotifyChange")
}
