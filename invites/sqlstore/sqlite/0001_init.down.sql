DROP TABLE tenantry_invitations;
