package testdb_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"

	"github.com/tenantry/tenantry/internal/testdb"
)

func TestStoreAndTables(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		migrate := func(ctx context.Context, db *sqlx.DB) error {
			_, err := db.ExecContext(ctx, `CREATE TABLE probe_things (id INTEGER PRIMARY KEY)`)
			return err
		}
		type store struct{ db *sqlx.DB }
		open := func(db *sqlx.DB) (store, error) { return store{db}, nil }

		s := testdb.Store(t, db, migrate, open)
		assert.Same(t, db, s.db)
		assert.Equal(t, []string{"probe_things"}, testdb.Tables(t, db, []string{"probe_missing", "probe_things"}))
		assert.Empty(t, testdb.Tables(t, db, []string{"probe_missing"}))
	})
}
