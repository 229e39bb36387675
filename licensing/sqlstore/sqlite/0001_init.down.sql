DROP TABLE tenantry_credit_entries;
DROP TABLE tenantry_credit_balances;
DROP TABLE tenantry_hidden_features;
DROP TABLE tenantry_feature_overrides;
DROP TABLE tenantry_plans;
DROP TABLE tenantry_license_history;
DROP TABLE tenantry_licenses;
