package sqlstorebase_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/sqlstorebase"
	"github.com/tenantry/tenantry/internal/testdb"
)

var line = sqlkit.Line{Name: "sqlstorebase_test", FS: fstest.MapFS{
	"sqlite/0001_things.up.sql":     {Data: []byte(`CREATE TABLE base_things (id TEXT PRIMARY KEY)`)},
	"sqlite/0001_things.down.sql":   {Data: []byte(`DROP TABLE base_things`)},
	"postgres/0001_things.up.sql":   {Data: []byte(`CREATE TABLE base_things (id TEXT PRIMARY KEY)`)},
	"postgres/0001_things.down.sql": {Data: []byte(`DROP TABLE base_things`)},
}}

func TestBase(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstorebase.Migrate(ctx, db, line))
		require.NoError(t, sqlstorebase.Migrate(ctx, db, line)) // idempotent
		v, err := sqlkit.Version(ctx, db, line)
		require.NoError(t, err)
		assert.Equal(t, 1, v)

		b, err := sqlstorebase.NewBase(db)
		require.NoError(t, err)
		assert.Same(t, b.Events, b.Audit())

		ev := audit.Event{
			PlatformID: "p1", ID: "0190a0a0-0000-7000-8000-000000000001",
			At: time.Now().UTC().Truncate(time.Microsecond), ActorID: "u1",
			Action: "thing.create", TargetType: "thing", TargetID: "t1",
		}
		// The event commits with the caller's change, written through Builder.
		require.NoError(t, b.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := sqlkit.Exec(ctx, tx, b.Builder().Insert("base_things").Columns("id").Values("t1")); err != nil {
				return err
			}
			return b.WriteEvents(ctx, tx, ev)
		}))
		// ... and rolls back with it.
		boom := errors.New("boom")
		err = b.DB.InTx(ctx, func(tx *sqlx.Tx) error {
			ev2 := ev
			ev2.ID = "0190a0a0-0000-7000-8000-000000000002"
			if err := b.WriteEvents(ctx, tx, ev2); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)

		got, err := b.Audit().List(ctx, audit.StoreQuery{PlatformID: "p1", Limit: 10})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, ev.ID, got[0].ID)

		// A duplicate is the audit conflict, wrapped.
		err = b.DB.InTx(ctx, func(tx *sqlx.Tx) error { return b.WriteEvents(ctx, tx, ev) })
		require.ErrorIs(t, err, audit.ErrConflict)
		assert.Contains(t, err.Error(), "write events: ")
	})
}

func TestNewBaseUnsupportedDriver(t *testing.T) {
	_, err := sqlstorebase.NewBase(sqlx.NewDb(nil, "mysql"))
	require.Error(t, err)
}
