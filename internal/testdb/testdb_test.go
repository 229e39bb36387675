package testdb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
)

// checkWorksAndIsolated creates a table in a, writes and reads it back, and
// checks that b, made the same way for the same test, does not see it.
func checkWorksAndIsolated(t *testing.T, a, b *sqlx.DB) {
	t.Helper()
	ctx := context.Background()
	_, err := a.ExecContext(ctx, `CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = a.ExecContext(ctx, a.Rebind(`INSERT INTO widgets (id, name) VALUES (?, ?)`), 1, "gear")
	require.NoError(t, err)
	var name string
	require.NoError(t, a.GetContext(ctx, &name, a.Rebind(`SELECT name FROM widgets WHERE id = ?`), 1))
	assert.Equal(t, "gear", name)

	_, err = b.ExecContext(ctx, `SELECT 1 FROM widgets`)
	require.Error(t, err, "a table made in one test database must not be visible in another")
	_, err = b.ExecContext(ctx, `CREATE TABLE widgets (id INTEGER PRIMARY KEY)`)
	require.NoError(t, err, "the same name must be free in another test database")
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	checkWorksAndIsolated(t, testdb.SQLite(t), testdb.SQLite(t))
}

// TestSQLiteConnections checks that two connections of one pool share the
// database, that each got the pragmas, and that BEGIN takes the write lock.
func TestSQLiteConnections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.SQLite(t)
	c1, err := db.Connx(ctx)
	require.NoError(t, err)
	defer c1.Close()
	c2, err := db.Connx(ctx)
	require.NoError(t, err)
	defer c2.Close()

	_, err = c1.ExecContext(ctx, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`)
	require.NoError(t, err)
	_, err = c1.ExecContext(ctx, `INSERT INTO notes (id, body) VALUES (1, 'hello')`)
	require.NoError(t, err)
	var body string
	require.NoError(t, c2.GetContext(ctx, &body, `SELECT body FROM notes WHERE id = 1`))
	assert.Equal(t, "hello", body, "the second connection must see the first one's data")

	for i, c := range []*sqlx.Conn{c1, c2} {
		var journal string
		var busy, fk, sync int
		require.NoError(t, c.GetContext(ctx, &journal, `PRAGMA journal_mode`))
		require.NoError(t, c.GetContext(ctx, &busy, `PRAGMA busy_timeout`))
		require.NoError(t, c.GetContext(ctx, &fk, `PRAGMA foreign_keys`))
		require.NoError(t, c.GetContext(ctx, &sync, `PRAGMA synchronous`))
		assert.Equal(t, "wal", journal, "connection %d", i+1)
		assert.Equal(t, 10000, busy, "connection %d", i+1)
		assert.Equal(t, 1, fk, "connection %d", i+1)
		assert.Equal(t, 1, sync, "connection %d: synchronous=NORMAL", i+1)
	}

	// _txlock=immediate: a transaction holds the write lock from BEGIN, before it
	// writes anything, so a second one cannot begin. With busy_timeout 0 on the
	// second connection that shows at once, as SQLITE_BUSY, without waiting.
	tx1, err := c1.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = c2.ExecContext(ctx, `PRAGMA busy_timeout = 0`)
	require.NoError(t, err)
	_, err = c2.BeginTx(ctx, nil)
	require.Error(t, err, "BEGIN must take the write lock")
	assert.Contains(t, err.Error(), "SQLITE_BUSY")
	require.NoError(t, tx1.Rollback())
	tx2, err := c2.BeginTx(ctx, nil)
	require.NoError(t, err, "the lock is free again once the first transaction ends")
	require.NoError(t, tx2.Rollback())

	// foreign_keys(1): REFERENCES is enforced.
	_, err = c1.ExecContext(ctx, `CREATE TABLE tags (note_id INTEGER NOT NULL REFERENCES notes (id))`)
	require.NoError(t, err)
	_, err = c1.ExecContext(ctx, `INSERT INTO tags (note_id) VALUES (42)`)
	require.Error(t, err, "a missing parent row must be refused")
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	a, b := testdb.Postgres(t), testdb.Postgres(t)
	checkWorksAndIsolated(t, a, b)

	var nameA, nameB string
	require.NoError(t, a.Get(&nameA, `SELECT current_database()`))
	require.NoError(t, b.Get(&nameB, `SELECT current_database()`))
	assert.Regexp(t, `^tenantry_test_[0-9a-f]{16}$`, nameA)
	assert.NotEqual(t, nameA, nameB)
}

// TestReopen checks that a reopened database is the same database, on a
// pool of its own.
func TestReopen(t *testing.T) {
	t.Parallel()
	a := testdb.Postgres(t)
	b := testdb.Reopen(t, a)
	require.NotSame(t, a.DB, b.DB)
	_, err := a.Exec(`CREATE TABLE reopened (id int)`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.Get(&n, `SELECT count(*) FROM reopened`))
	assert.Zero(t, n)
}

// TestPostgresDropped checks that a test's database is dropped when the test
// ends, even while a connection to it is still open.
func TestPostgresDropped(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		var held *sql.Conn
		t.Cleanup(func() { // runs after the drop: cleanups run last-in first-out
			if held != nil {
				_ = held.Close()
			}
		})
		db := testdb.Postgres(t)
		require.NoError(t, db.Get(&name, `SELECT current_database()`))
		var err error
		held, err = db.Conn(context.Background())
		require.NoError(t, err)
	})
	if name == "" {
		t.Skip("PostgreSQL unavailable")
	}
	other := testdb.Postgres(t)
	var n int
	require.NoError(t, other.Get(&n, `SELECT count(*) FROM pg_database WHERE datname = $1`, name))
	assert.Zero(t, n, "database %s must be dropped after its test", name)
}

func TestEach(t *testing.T) {
	t.Parallel()
	var ran []string
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ran = append(ran, t.Name())
		var one int
		require.NoError(t, db.Get(&one, `SELECT 1`))
		assert.Equal(t, 1, one)
		_, err := db.Exec(`CREATE TABLE each_probe (id INTEGER PRIMARY KEY)`)
		require.NoError(t, err)
	})
	require.NotEmpty(t, ran)
	assert.Equal(t, "TestEach/sqlite", ran[0])
	if len(ran) > 1 {
		assert.Equal(t, "TestEach/postgres", ran[1])
	}
}
