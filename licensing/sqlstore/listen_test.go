package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/sqlstore"
)

// waitTimeout bounds every wait for a notification; nothing sleeps.
const waitTimeout = 10 * time.Second

// change is one notification heard.
type change struct{ platform, account string }

// listen runs s.ListenChanges until the test ends and returns the channel
// of what it hears, once it is subscribed.
func listen(t *testing.T, s *sqlstore.Store) <-chan change {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan change, 64)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.ListenChanges(ctx, func() { close(ready) }, func(p, a string) { heard <- change{p, a} })
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(waitTimeout):
			t.Errorf("ListenChanges did not return within %v of its context ending", waitTimeout)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("ListenChanges returned before it was ready: %v", err)
	case <-time.After(waitTimeout):
		t.Fatalf("ListenChanges not ready within %v", waitTimeout)
	}
	return heard
}

// await waits until want is heard (other notifications are skipped), and
// fails after waitTimeout.
func await(t *testing.T, heard <-chan change, want change) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case got := <-heard:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no notification %+v within %v", want, waitTimeout)
		}
	}
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

// secondHandle opens db's database again, as another process would: a new
// pool from the same connection string.
func secondHandle(t *testing.T, db *sqlx.DB) *sqlx.DB {
	t.Helper()
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	var dsn string
	require.NoError(t, conn.Raw(func(dc any) error {
		dsn = dc.(*stdlib.Conn).Conn().Config().ConnString()
		return nil
	}))
	require.NoError(t, conn.Close())
	other, err := sqlx.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, other.Close()) })
	return other
}

// TestListenAcrossHandles checks that a change written through one pool
// reaches a listener on another pool of the same database: two processes.
func TestListenAcrossHandles(t *testing.T) {
	a := testdb.Postgres(t)
	require.NoError(t, sqlstore.Migrate(context.Background(), a))
	b := secondHandle(t, a)
	sa, err := sqlstore.New(a)
	require.NoError(t, err)
	sb, err := sqlstore.New(b)
	require.NoError(t, err)

	heard := listen(t, sb)
	pid, account := uuid.NewString(), uuid.NewString()
	issue(t, sa, pid, account)
	await(t, heard, change{pid, account})

	require.NoError(t, sa.NotifyChange(context.Background(), pid, "*"))
	await(t, heard, change{pid, "*"})
}

// TestListenReconnects checks that a listener whose connection is killed
// reconnects, reports the gap as ("*", "*"), and hears changes again.
func TestListenReconnects(t *testing.T) {
	db := testdb.Postgres(t)
	require.NoError(t, sqlstore.Migrate(context.Background(), db))
	s, err := sqlstore.New(db)
	require.NoError(t, err)
	heard := listen(t, s)

	var killed int
	require.NoError(t, db.Get(&killed, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+sqlstore.Channel+`'`))
	require.Equal(t, 1, killed, "the listener's connection")
	await(t, heard, change{"*", "*"})

	pid, account := uuid.NewString(), uuid.NewString()
	issue(t, s, pid, account)
	await(t, heard, change{pid, account})
}

// TestListenSQLiteInProcess checks that on SQLite a Store hears the writes
// of another Store on the same handle, before the write returns.
func TestListenSQLiteInProcess(t *testing.T) {
	db := testdb.SQLite(t)
	require.NoError(t, sqlstore.Migrate(context.Background(), db))
	writer, err := sqlstore.New(db)
	require.NoError(t, err)
	reader, err := sqlstore.New(db)
	require.NoError(t, err)
	heard := listen(t, reader)

	pid, account := uuid.NewString(), uuid.NewString()
	issue(t, writer, pid, account)
	select {
	case got := <-heard:
		require.Equal(t, change{pid, account}, got, "heard synchronously, before WriteLicenses returned")
	default:
		t.Fatal("the write returned before its listener heard it")
	}
}
