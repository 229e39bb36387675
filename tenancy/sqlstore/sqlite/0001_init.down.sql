DROP TABLE tenantry_password_tokens;
DROP TABLE tenantry_members;
DROP TABLE tenantry_account_tags;
DROP TABLE tenantry_accounts;
DROP TABLE tenantry_users;
DROP TABLE tenantry_platforms;
