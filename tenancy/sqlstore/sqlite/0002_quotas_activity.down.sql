DROP TABLE tenantry_sso_nonces;
DROP TABLE tenantry_sso_secrets;
DROP TABLE tenantry_activity_totals;
DROP TABLE tenantry_activity_daily;
DROP TABLE tenantry_grants;
DROP TABLE tenantry_operator_assignments;
DROP TABLE tenantry_quota_allocations;
DROP TABLE tenantry_quota_pools;
