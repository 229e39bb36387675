package tenantry_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
)

func openTemp(t *testing.T, name string) (*sqlx.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	db, err := tenantry.OpenSQLite(path)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	return db, path
}

// TestOpenSQLitePragmas reads the settings back on several connections of
// the pool at once: each connection must get them, not only the first.
func TestOpenSQLitePragmas(t *testing.T) {
	db, path := openTemp(t, "pragmas.db")
	ctx := context.Background()
	var conns []*sqlx.Conn
	for range 3 {
		c, err := db.Connx(ctx)
		require.NoError(t, err)
		conns = append(conns, c)
	}
	for i, c := range conns {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			assert.Equal(t, "wal", pragma(t, c, "journal_mode"))
			assert.Equal(t, "1", pragma(t, c, "foreign_keys"))
			assert.Equal(t, "10000", pragma(t, c, "busy_timeout"))
			assert.Equal(t, "1", pragma(t, c, "synchronous"), "NORMAL is 1")
		})
	}
	for _, c := range conns {
		require.NoError(t, c.Close())
	}
	_, err := os.Stat(path)
	assert.NoError(t, err, "the database file is created")
}

func pragma(t *testing.T, c *sqlx.Conn, name string) string {
	t.Helper()
	var v string
	require.NoError(t, c.GetContext(context.Background(), &v, "PRAGMA "+name))
	return v
}

func TestOpenSQLiteEnforcesForeignKeys(t *testing.T) {
	db, _ := openTemp(t, "fk.db")
	db.MustExec(`CREATE TABLE parent (id INTEGER PRIMARY KEY)`)
	db.MustExec(`CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id))`)
	_, err := db.Exec(`INSERT INTO child (id, parent_id) VALUES (1, 42)`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "FOREIGN KEY")
}

// TestOpenSQLiteBeginImmediate shows that a transaction holds the write lock
// from BEGIN, before it writes anything: another connection that will not
// wait is refused until the transaction ends.
func TestOpenSQLiteBeginImmediate(t *testing.T) {
	db, _ := openTemp(t, "txlock.db")
	ctx := context.Background()
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	other, err := db.Connx(ctx)
	require.NoError(t, err)
	defer other.Close()
	_, err = other.ExecContext(ctx, `PRAGMA busy_timeout = 0`)
	require.NoError(t, err)
	_, err = other.ExecContext(ctx, `INSERT INTO t (id) VALUES (1)`)
	require.Error(t, err, "the open transaction holds the write lock")
	assert.Contains(t, err.Error(), "locked")
	require.NoError(t, tx.Rollback())
	_, err = other.ExecContext(ctx, `INSERT INTO t (id) VALUES (1)`)
	require.NoError(t, err)
}

// TestOpenSQLiteOddFileName checks that the path is escaped into the URI:
// the file lands under exactly the name asked.
func TestOpenSQLiteOddFileName(t *testing.T) {
	const name = "my data?x=1#frag%20.db"
	db, path := openTemp(t, name)
	db.MustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY)`)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, name, fi.Name())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	for _, e := range entries {
		assert.Contains(t, []string{name, name + "-wal", name + "-shm"}, e.Name())
	}
}

func TestOpenSQLiteRelativePath(t *testing.T) {
	t.Chdir(t.TempDir())
	db, err := tenantry.OpenSQLite("relative.db")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = os.Stat("relative.db")
	assert.NoError(t, err)
}

func TestOpenSQLiteMissingFolder(t *testing.T) {
	_, err := tenantry.OpenSQLite(filepath.Join(t.TempDir(), "no", "such", "folder", "x.db"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenantry: open sqlite")
}

func TestOpenPostgresUnreachable(t *testing.T) {
	_, err := tenantry.OpenPostgres("postgres://nobody:secret@127.0.0.1:1/none?connect_timeout=5&sslmode=disable")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tenantry: open pgx")
	assert.NotContains(t, err.Error(), "secret", "the password never shows in errors")
}

// TestOpenPostgres runs against TENANTRY_POSTGRES_DSN; it skips without it
// (fails under CI=true, where the database must be there).
func TestOpenPostgres(t *testing.T) {
	dsn := os.Getenv("TENANTRY_POSTGRES_DSN")
	if dsn == "" {
		if ci, _ := strconv.ParseBool(os.Getenv("CI")); ci {
			t.Fatal("TENANTRY_POSTGRES_DSN is not set (CI=true)")
		}
		t.Skip("TENANTRY_POSTGRES_DSN is not set")
	}
	db, err := tenantry.OpenPostgres(dsn)
	require.NoError(t, err)
	defer db.Close()
	assert.Equal(t, "pgx", db.DriverName())
	var one int
	require.NoError(t, db.Get(&one, "SELECT 1"))
	assert.Equal(t, 1, one)
}
