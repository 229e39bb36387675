package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/audit/sqlstore"
	"github.com/tenantry/tenantry/audit/storetest"
	"github.com/tenantry/tenantry/internal/testdb"
)

// newStore migrates db and returns a Store on it.
func newStore(t *testing.T, db *sqlx.DB) *sqlstore.Store {
	t.Helper()
	return testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
}

// runSuite runs the conformance suite with every subtest on one database.
func runSuite(t *testing.T, db *sqlx.DB) {
	s := newStore(t, db)
	storetest.Run(t, func(t *testing.T) audit.Store { return s })
}

func TestConformanceSQLite(t *testing.T)   { runSuite(t, testdb.SQLite(t)) }
func TestConformancePostgres(t *testing.T) { runSuite(t, testdb.Postgres(t)) }

func TestNewRefusesUnknownDriver(t *testing.T) {
	_, err := sqlstore.New(sqlx.NewDb(nil, "mysql"))
	require.ErrorContains(t, err, "unsupported driver")
}

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.True(t, tableExists(t, db))
		require.NoError(t, sqlstore.Migrate(ctx, db), "idempotent")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.False(t, tableExists(t, db))

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.True(t, tableExists(t, db))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))
	})
}

// tableExists reports whether the audit table exists in db.
func tableExists(t *testing.T, db *sqlx.DB) bool {
	t.Helper()
	return len(testdb.Tables(t, db, []string{"tenantry_audit_events"})) == 1
}

func TestInsertTx(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		at := time.Date(2024, time.May, 1, 9, 0, 0, 1000, time.UTC)
		e := audit.Event{PlatformID: "p-1", ID: "e-rolled-back", At: at, ActorID: "u-1", Action: "account.update"}

		tx, err := db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.InsertTx(ctx, tx, e))
		require.NoError(t, tx.Rollback())
		require.Empty(t, list(t, s, "p-1"), "a rolled-back transaction leaves no event")

		e.ID = "e-committed"
		tx, err = db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.InsertTx(ctx, tx, e))
		require.NoError(t, tx.Commit())
		require.Equal(t, []audit.Event{e}, list(t, s, "p-1"))

		tx, err = db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		require.ErrorIs(t, s.InsertTx(ctx, tx, e), audit.ErrConflict)
		require.NoError(t, tx.Rollback())
	})
}

// TestInsertTxMany: thousands of events in one call land in bounded
// multi-row statements, all of them, in one transaction.
func TestInsertTxMany(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		at := time.Date(2024, time.May, 1, 9, 0, 0, 0, time.UTC)
		events := make([]audit.Event, 4500)
		for i := range events {
			events[i] = audit.Event{PlatformID: "p-many", ID: fmt.Sprintf("e-%05d", i), At: at.Add(time.Duration(i) * time.Microsecond), ActorID: "u-1", Action: "account.create"}
		}
		tx, err := db.BeginTxx(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.InsertTx(ctx, tx, events...))
		require.NoError(t, tx.Commit())
		var n int
		require.NoError(t, db.GetContext(ctx, &n, "SELECT COUNT(*) FROM tenantry_audit_events WHERE platform_id = 'p-many'"))
		assert.Equal(t, len(events), n)
	})
}

// TestPurgeResumes: the statements of one purge go on from where the last
// stopped, ties on At included; an event older than that written in the
// middle of a purge is left to the next purge, which starts from the
// oldest event again.
func TestPurgeResumes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		s := newStore(t, db)
		at := time.Date(2024, time.May, 1, 9, 0, 0, 0, time.UTC)
		insert := func(id string, at time.Time) {
			require.NoError(t, s.Insert(ctx, audit.Event{PlatformID: "p", ID: id, At: at, ActorID: "u-1", Action: "account.update"}))
		}
		for i := range 6 {
			insert(fmt.Sprintf("e-%d", i), at.Add(time.Duration(i/2)*time.Minute)) // pairs share an At
		}
		cutoff := at.Add(time.Hour)
		n, err := s.PurgeBefore(ctx, cutoff, 3)
		require.NoError(t, err)
		require.Equal(t, 3, n)
		insert("late", at.Add(-time.Minute)) // older than what the purge has done
		n, err = s.PurgeBefore(ctx, cutoff, 3)
		require.NoError(t, err)
		require.Equal(t, 3, n, "the rest, the tie with the last deleted included")
		n, err = s.PurgeBefore(ctx, cutoff, 3)
		require.NoError(t, err)
		require.LessOrEqual(t, n, 1, "this purge ends; the late event is gone now or next time")
		if n == 0 {
			n, err = s.PurgeBefore(ctx, cutoff, 3)
			require.NoError(t, err)
			require.Equal(t, 1, n, "the next purge starts from the oldest event")
		}
		require.Empty(t, list(t, s, "p"))
	})
}

func list(t *testing.T, s *sqlstore.Store, platform string) []audit.Event {
	t.Helper()
	got, err := s.List(context.Background(), audit.StoreQuery{PlatformID: platform, Limit: 10})
	require.NoError(t, err)
	return got
}
