package sqlstore_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
	"github.com/tenantry/tenantry/tenancy/storetest"
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

// tenancyTables1 are the tables migration 1 of the tenancy line creates,
// tenancyTables those of every migration.
var (
	tenancyTables1 = []string{
		"tenantry_platforms", "tenantry_users", "tenantry_accounts",
		"tenantry_account_tags", "tenantry_members", "tenantry_password_tokens",
	}
	tenancyTables2 = []string{
		"tenantry_quota_pools", "tenantry_quota_allocations", "tenantry_operator_assignments",
		"tenantry_grants", "tenantry_activity_daily", "tenantry_activity_totals",
		"tenantry_sso_secrets", "tenantry_sso_nonces",
	}
	tenancyTables = append(append([]string(nil), tenancyTables1...), tenancyTables2...)
)

func TestMigrateUpDownUp(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		ctx := context.Background()
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, tenancyTables, testdb.Tables(t, db, tenancyTables))
		require.NoError(t, sqlstore.Migrate(ctx, db), "a second Migrate is a no-op")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.Empty(t, testdb.Tables(t, db, tenancyTables))
		require.Equal(t, []string{"tenantry_audit_events"}, testdb.Tables(t, db, []string{"tenantry_audit_events"}),
			"MigrateTo moves the tenancy line alone")

		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, tenancyTables1, testdb.Tables(t, db, tenancyTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 2))
		require.Equal(t, tenancyTables, testdb.Tables(t, db, tenancyTables))
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 1))
		require.Equal(t, tenancyTables1, testdb.Tables(t, db, tenancyTables), "down 2 drops its tables alone")
		require.NoError(t, sqlstore.MigrateTo(ctx, db, 0))
		require.NoError(t, sqlstore.Migrate(ctx, db))
		require.Equal(t, tenancyTables, testdb.Tables(t, db, tenancyTables))
		require.Error(t, sqlstore.MigrateTo(ctx, db, 99))
	})
}
