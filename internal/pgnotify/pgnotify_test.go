package pgnotify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/internal/pgnotify"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

// newChannel returns a channel of its own, so that parallel tests on one
// server do not hear each other: payloads are strings, and a payload
// starting with "!" is one this channel did not write.
func newChannel() *pgnotify.Channel[string] {
	return pgnotify.New(pgnotify.Config[string]{
		Name:       "pgnotify_test_" + strings.ReplaceAll(uuid.NewString(), "-", ""),
		Encode:     func(s string) string { return s },
		Decode:     func(p string) (string, bool) { return p, !strings.HasPrefix(p, "!") },
		Everything: "*",
	})
}

func wrap(t *testing.T, db *sqlx.DB) sqlkit.DB {
	t.Helper()
	w, err := sqlkit.Wrap(db)
	require.NoError(t, err)
	return w
}

// listen runs c.Listen on db until the test ends, and returns what it
// hears, once it is subscribed.
func listen(t *testing.T, c *pgnotify.Channel[string], db sqlkit.DB) <-chan string {
	t.Helper()
	return conformance.Listen(t, func(ctx context.Context, ready func(), fn func(string)) error {
		return c.Listen(ctx, db, ready, fn)
	})
}

// write commits (or, with fail, rolls back) a transaction on db that
// notifies changes.
func write(t *testing.T, c *pgnotify.Channel[string], db sqlkit.DB, fail bool, changes ...string) {
	t.Helper()
	errFail := context.Canceled // any error to roll back with
	err := db.InTx(context.Background(), func(tx *sqlx.Tx) error {
		if err := c.NotifyTx(context.Background(), db, tx, changes...); err != nil {
			return err
		}
		if fail {
			return errFail
		}
		return nil
	})
	if fail {
		require.ErrorIs(t, err, errFail)
		return
	}
	require.NoError(t, err)
	c.Delivered(db, changes...)
}

// TestPostgresAcrossHandles checks that what one pool notifies reaches a
// listener on another pool of the same database (two processes), in
// commit order; that a rolled back transaction notifies nothing; and that
// payloads the channel did not write are ignored.
func TestPostgresAcrossHandles(t *testing.T) {
	a := testdb.Postgres(t)
	b := testdb.Reopen(t, a)
	wa, wb := wrap(t, a), wrap(t, b)
	c := newChannel()
	heard := listen(t, c, wb)

	write(t, c, wa, false, "p1", "p2")
	conformance.Next(t, heard, "p1", "first of the transaction")
	conformance.Next(t, heard, "p2", "second of the transaction")
	write(t, c, wa, true, "rolled back")
	write(t, c, wa, false) // nothing to notify
	require.NoError(t, c.Notify(context.Background(), wa, "!foreign"))
	require.NoError(t, c.Notify(context.Background(), wa, "p3"))
	conformance.Next(t, heard, "p3", "outside a transaction, and not the rolled back nor the foreign one")
}

// TestPostgresReconnects checks that a listener whose connection is killed
// reconnects, reports the gap as Everything, and hears changes again.
func TestPostgresReconnects(t *testing.T) {
	db := testdb.Postgres(t)
	w := wrap(t, db)
	c := newChannel()
	heard := listen(t, c, w)

	var killed int
	require.NoError(t, db.Get(&killed, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN `+c.Name()+`'`))
	require.Equal(t, 1, killed, "the listener's connection")
	conformance.Await(t, heard, "*")

	write(t, c, w, false, "p1")
	conformance.Await(t, heard, "p1")
}

// TestPostgresSubscribeFails checks that a first subscription that fails
// is returned at once, before ready, as it is.
func TestPostgresSubscribeFails(t *testing.T) {
	db := testdb.Postgres(t)
	c := pgnotify.New(pgnotify.Config[string]{Name: "not a channel name"})
	err := c.Listen(context.Background(), wrap(t, db), func() { t.Error("ready called") }, func(string) {})
	require.Error(t, err)
	require.NotErrorIs(t, err, context.Canceled)
}

// TestSQLiteInProcess checks that on SQLite listeners on one handle hear
// what is delivered and notified on that handle, synchronously, and
// nothing of another handle or another channel.
func TestSQLiteInProcess(t *testing.T) {
	ctx := context.Background()
	db := wrap(t, testdb.SQLite(t))
	other := wrap(t, testdb.SQLite(t))
	c, c2 := newChannel(), newChannel()
	heard := listen(t, c, db)
	heard2 := listen(t, c2, db)
	heardOther := listen(t, c, other)

	write(t, c, db, false, "p1", "p2")
	conformance.Heard(t, heard, "p1", "first of the transaction")
	conformance.Heard(t, heard, "p2", "second of the transaction")
	require.NoError(t, c.Notify(ctx, db, "p3"))
	conformance.Heard(t, heard, "p3", "notify")
	conformance.Silent(t, heard2, "another channel")
	conformance.Silent(t, heardOther, "another handle")

	ended, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, c.Notify(ended, db, "p4"), context.Canceled)
	require.ErrorIs(t, c.Listen(ended, db, nil, func(string) {}), context.Canceled)
	conformance.Silent(t, heard, "after a failed notify")
}
