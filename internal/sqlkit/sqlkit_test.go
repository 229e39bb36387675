package sqlkit_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

var errNotFound, errConflict = errors.New("not found"), errors.New("conflict")

var line = sqlkit.Line{Name: "sqlkit_test", FS: fstest.MapFS{
	"sqlite/0001_things.up.sql":     {Data: []byte(`CREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL, at BIGINT, tags TEXT)`)},
	"sqlite/0001_things.down.sql":   {Data: []byte(`DROP TABLE things`)},
	"sqlite/0002_index.up.sql":      {Data: []byte(`CREATE INDEX things_n ON things (n)`)},
	"sqlite/0002_index.down.sql":    {Data: []byte(`DROP INDEX things_n`)},
	"postgres/0001_things.up.sql":   {Data: []byte(`CREATE TABLE things (id TEXT PRIMARY KEY, n INTEGER NOT NULL, at TIMESTAMPTZ, tags TEXT)`)},
	"postgres/0001_things.down.sql": {Data: []byte(`DROP TABLE things`)},
	"postgres/0002_index.up.sql":    {Data: []byte(`CREATE INDEX things_n ON things (n)`)},
	"postgres/0002_index.down.sql":  {Data: []byte(`DROP INDEX things_n`)},
}}

func TestSQLKit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		w, err := sqlkit.Wrap(db)
		require.NoError(t, err)

		// Up, down, up again; concurrent migrators apply each step once.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { errs[i] = sqlkit.Migrate(ctx, db, line) })
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		v, err := sqlkit.Version(ctx, db, line)
		require.NoError(t, err)
		assert.Equal(t, 2, v)
		require.NoError(t, sqlkit.MigrateTo(ctx, db, line, 0))
		_, err = db.ExecContext(ctx, "SELECT 1 FROM things")
		require.Error(t, err, "table dropped")
		require.NoError(t, sqlkit.Migrate(ctx, db, line))
		require.Error(t, sqlkit.MigrateTo(ctx, db, line, 3))

		// Times round-trip at microsecond precision in UTC.
		at := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", 3600))
		tags := sqlkit.JSON[[]string]{V: []string{"a", "b"}}
		_, err = db.ExecContext(ctx, w.Dialect.Rebind(`INSERT INTO things (id, n, at, tags) VALUES (?, ?, ?, ?)`), "a", 1, w.Dialect.Time(at), tags)
		require.NoError(t, err)
		var got struct {
			At   sqlkit.Time           `db:"at"`
			Tags sqlkit.JSON[[]string] `db:"tags"`
		}
		require.NoError(t, db.GetContext(ctx, &got, `SELECT at, tags FROM things WHERE id = 'a'`))
		assert.Equal(t, at.UTC().Truncate(time.Microsecond), got.At.Time)
		assert.Equal(t, time.UTC, got.At.Location())
		assert.Equal(t, []string{"a", "b"}, got.Tags.V)

		// Errors map to sentinels.
		_, err = db.ExecContext(ctx, w.Dialect.Rebind(`INSERT INTO things (id, n) VALUES (?, ?)`), "a", 2)
		kind, _ := sqlkit.Classify(err)
		assert.Equal(t, sqlkit.KindUnique, kind)
		assert.ErrorIs(t, sqlkit.MapError(err, sqlkit.Sentinels{NotFound: errNotFound, Conflict: errConflict}), errConflict)
		err = db.GetContext(ctx, &got, `SELECT at, tags FROM things WHERE id = 'missing'`)
		assert.ErrorIs(t, sqlkit.MapError(err, sqlkit.Sentinels{NotFound: errNotFound, Conflict: errConflict}), errNotFound)

		// InTx rolls back on error and commits otherwise.
		boom := errors.New("boom")
		err = w.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := tx.ExecContext(ctx, w.Dialect.Rebind(`INSERT INTO things (id, n) VALUES (?, ?)`), "b", 2)
			require.NoError(t, err)
			return boom
		})
		require.ErrorIs(t, err, boom)
		var n int
		require.NoError(t, db.GetContext(ctx, &n, `SELECT COUNT(*) FROM things`))
		assert.Equal(t, 1, n)

		// Racing read-modify-write transactions all land: contention is
		// retried, never lost.
		var wg2 sync.WaitGroup
		for range 16 {
			wg2.Go(func() {
				assert.NoError(t, w.InTx(ctx, func(tx *sqlx.Tx) error {
					var cur int
					if err := tx.GetContext(ctx, &cur, w.Dialect.Rebind(`SELECT n FROM things WHERE id = ?`+forUpdate(w.Dialect)), "a"); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, w.Dialect.Rebind(`UPDATE things SET n = ? WHERE id = ?`), cur+1, "a")
					return err
				}))
			})
		}
		wg2.Wait()
		require.NoError(t, db.GetContext(ctx, &n, `SELECT n FROM things WHERE id = 'a'`))
		assert.Equal(t, 17, n)
	})
}

func forUpdate(d sqlkit.Dialect) string {
	if d == sqlkit.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func TestLineChecks(t *testing.T) {
	gap := sqlkit.Line{Name: "gap", FS: fstest.MapFS{
		"sqlite/0002_x.up.sql": {Data: []byte("x")}, "sqlite/0002_x.down.sql": {Data: []byte("x")},
	}}
	_, err := gap.Migrations(sqlkit.SQLite)
	assert.ErrorContains(t, err, "version 1 missing")
	half := sqlkit.Line{Name: "half", FS: fstest.MapFS{"sqlite/0001_x.up.sql": {Data: []byte("x")}}}
	_, err = half.Migrations(sqlkit.SQLite)
	assert.ErrorContains(t, err, "both up and down")
	odd := sqlkit.Line{Name: "odd", FS: fstest.MapFS{"sqlite/readme.txt": {Data: []byte("x")}}}
	_, err = odd.Migrations(sqlkit.SQLite)
	assert.ErrorContains(t, err, "unexpected file")
}

func TestDialectFor(t *testing.T) {
	d, err := sqlkit.DialectFor("pgx")
	require.NoError(t, err)
	assert.Equal(t, sqlkit.Postgres, d)
	d, err = sqlkit.DialectFor("sqlite")
	require.NoError(t, err)
	assert.Equal(t, sqlkit.SQLite, d)
	_, err = sqlkit.DialectFor("mysql")
	assert.Error(t, err)
	assert.Equal(t, `a\%b\_c\\`, sqlkit.EscapeLike(`a%b_c\`))
}
