DROP TABLE tenantry_audit_events;
