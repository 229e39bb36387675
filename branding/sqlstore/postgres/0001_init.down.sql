DROP TABLE tenantry_branding_providers;
DROP TABLE tenantry_branding_login;
DROP TABLE tenantry_branding_domains;
DROP TABLE tenantry_branding_logos;
DROP TABLE tenantry_branding_themes;
