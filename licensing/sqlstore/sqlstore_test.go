package sqlstore_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/licensing/sqlstore"
	"github.com/tenantry/tenantry/licensing/storetest"
)

// harness migrates db once and returns a storetest harness factory that
// hands every subtest a Store on that one database; the subtests keep apart
// by using platforms of their own.
func harness(t *testing.T, db *sqlx.DB) func(t *testing.T) storetest.Harness {
	t.Helper()
	s := testdb.Store(t, db, sqlstore.Migrate, sqlstore.New)
	return func(*testing.T) storetest.Harness { return storetest.Harness{Store: s, Audit: s.Audit()} }
}

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, harness(t, testdb.SQLite(t)))
}

func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, harness(t, testdb.Postgres(t)))
}

func TestNewRefusesUnknownDriver(t *testing.T) {
	_, err := sqlstore.New(sqlx.NewDb(nil, "mysql"))
	require.Error(t, err)
}

// licensingTables are the tables migration 1 of the licensing line creates.
var licensingTables = []string{
	"tenantry_licenses", "tenantry_license_history", "tenantry_plans",
	"tenantry_feature_overrides", "tenantry_hidden_features",
	"tenantry_credit_balances", "tenantry_credit_entries",
}

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, licensingTables, testdb.Tables(t, db, licensingTables))
		require.NoError(t, sqlstore.Migrate(ctx, db), "a second Migrate is a no-op")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.Empty(t, testdb.Tables(t, db, licensingTables))
		require.Equal(t, []string{"tenantry_audit_events"}, testdb.Tables(t, db, []string{"tenantry_audit_events"}),
			"MigrateTo moves the licensing line alone")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, licensingTables, testdb.Tables(t, db, licensingTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, licensingTables, testdb.Tables(t, db, licensingTables))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))
	})
}
