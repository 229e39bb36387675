package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/internal/testdb"
)

// waitTimeout bounds every wait for a notification; nothing sleeps.
const waitTimeout = 10 * time.Second

// listen runs s.ListenChanges until the test ends and returns the channel
// of the platform IDs it hears, once it is subscribed.
func listen(t *testing.T, s *sqlstore.Store) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	heard := make(chan string, 64)
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.ListenChanges(ctx, func() { close(ready) }, func(pid string) { heard <- pid })
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
func await(t *testing.T, heard <-chan string, want string) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case got := <-heard:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no notification %q within %v", want, waitTimeout)
		}
	}
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

// TestListenAcrossHandles checks that every domain write through one pool
// reaches a listener on another pool of the same database (two
// processes), in commit order, and that a write that fails is not heard.
func TestListenAcrossHandles(t *testing.T) {
	ctx := context.Background()
	a := testdb.Postgres(t)
	require.NoError(t, sqlstore.Migrate(ctx, a))
	b := secondHandle(t, a)
	sa, err := sqlstore.New(a)
	require.NoError(t, err)
	sb, err := sqlstore.New(b)
	require.NoError(t, err)
	heard := listen(t, sb)

	pid := uuid.NewString()
	d := domain(pid, "www."+pid+".example")
	require.NoError(t, sa.InsertDomain(ctx, d, event(pid, "add")))
	requireNext(t, heard, pid, "insert")

	// A failed write notifies nothing: its NOTIFY is rolled back with it.
	other := uuid.NewString()
	require.Error(t, sa.InsertDomain(ctx, domain(other, d.Host), event(other, "steal")))

	d.VerifiedAt, d.Primary, d.Version = now, true, 2
	require.NoError(t, sa.UpdateDomain(ctx, d, event(pid, "verify")))
	requireNext(t, heard, pid, "update, and not the failed claim")
	require.NoError(t, sa.DeleteDomain(ctx, pid, d.Host, event(pid, "delete")))
	requireNext(t, heard, pid, "delete")
}

// requireNext waits for the next notification, which must be want.
func requireNext(t *testing.T, heard <-chan string, want, what string) {
	t.Helper()
	select {
	case got := <-heard:
		require.Equal(t, want, got, what)
	case <-time.After(waitTimeout):
		t.Fatalf("%s: no notification within %v", what, waitTimeout)
	}
}

// TestListenReconnects checks that a listener whose connection is killed
// reconnects, reports the gap as sqlstore.Everything, and hears changes
// again.
func TestListenReconnects(t *testing.T) {
	ctx := context.Background()
	db := testdb.Postgres(t)
	require.NoError(t, sqlstore.Migrate(ctx, db))
	s, err := sqlstore.New(db)
	require.NoError(t, err)
	heard := listen(t, s)

	var killed int
	require.NoError(t, db.Get(&killed, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+sqlstore.Channel+`'`))
	require.Equal(t, 1, killed, "the listener's connection")
	await(t, heard, sqlstore.Everything)

	pid := uuid.NewString()
	require.NoError(t, s.InsertDomain(ctx, domain(pid, "www."+pid+".example"), event(pid, "add")))
	await(t, heard, pid)
}

// TestListenSQLiteInProcess checks that on SQLite a Store hears the domain
// writes of another Store on the same handle, before the write returns,
// and nothing of a write that failed.
func TestListenSQLiteInProcess(t *testing.T) {
	ctx := context.Background()
	db := testdb.SQLite(t)
	require.NoError(t, sqlstore.Migrate(ctx, db))
	writer, err := sqlstore.New(db)
	require.NoError(t, err)
	reader, err := sqlstore.New(db)
	require.NoError(t, err)
	heard := listen(t, reader)

	pid := uuid.NewString()
	d := domain(pid, "www.example.com")
	requireHeard := func(what string) {
		t.Helper()
		select {
		case got := <-heard:
			require.Equal(t, pid, got, "%s: heard synchronously, before the write returned", what)
		default:
			t.Fatalf("%s: the write returned before its listener heard it", what)
		}
	}
	require.NoError(t, writer.InsertDomain(ctx, d, event(pid, "add")))
	requireHeard("insert")
	d.VerificationToken, d.Version = "new", 2
	require.NoError(t, writer.UpdateDomain(ctx, d, event(pid, "token")))
	requireHeard("update")

	require.Error(t, writer.UpdateDomain(ctx, d, event(pid, "stale")))
	require.Error(t, writer.InsertDomain(ctx, domain("other", d.Host), event("other", "steal")))
	select {
	case got := <-heard:
		t.Fatalf("a failed write was heard: %q", got)
	default:
	}

	require.NoError(t, writer.DeleteDomain(ctx, pid, d.Host, event(pid, "delete")))
	requireHeard("delete")
}
