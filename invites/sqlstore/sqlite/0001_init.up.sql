-- invites: invitations.
-- Times are BIGINT microseconds since the Unix epoch (UTC).
-- The table is keyed by platform (see DESIGN.md "Scale"); no foreign key
-- reaches another package's tables. Only the hex SHA-256 of a link's
-- secret is stored (token_hash, NULL for none), never the secret.

CREATE TABLE tenantry_invitations (
    platform_id  TEXT NOT NULL,
    id           TEXT NOT NULL,
    kind         TEXT   NOT NULL,
    email        TEXT   NOT NULL,
    inviter_id   TEXT   NOT NULL DEFAULT '',
    account_id   TEXT   NOT NULL DEFAULT '',
    resource_id  TEXT   NOT NULL DEFAULT '',
    role         TEXT   NOT NULL DEFAULT '',
    permissions  TEXT   NOT NULL DEFAULT '[]', -- JSON array, as given (sorted by Service)
    account_name TEXT   NOT NULL DEFAULT '',
    status       TEXT   NOT NULL
        CONSTRAINT tenantry_invitations_status_check
        CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
    token_hash   TEXT,
    expires_at   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    decided_at   BIGINT,
    decided_by   TEXT   NOT NULL DEFAULT '',
    version      BIGINT NOT NULL,
    PRIMARY KEY (platform_id, id),
    -- GetByToken and Claim; a token hash is used once per platform.
    CONSTRAINT tenantry_invitations_token_hash_key UNIQUE (platform_id, token_hash)
);

-- At most one invitation stored pending per person and place, whatever the
-- writers: racing inserts are decided by this index. A pending invitation
-- past its expiry still counts; Service records it Expired first.
CREATE UNIQUE INDEX tenantry_invitations_pending_email_key
    ON tenantry_invitations (platform_id, kind, email, account_id, resource_id)
    WHERE status = 'pending';
-- List, newest first, and CountSince of a platform.
CREATE INDEX tenantry_invitations_created_idx
    ON tenantry_invitations (platform_id, created_at, id);
-- List and CountSince by inviter.
CREATE INDEX tenantry_invitations_inviter_idx
    ON tenantry_invitations (platform_id, inviter_id, created_at, id);
-- List by account.
CREATE INDEX tenantry_invitations_account_idx
    ON tenantry_invitations (platform_id, account_id, created_at, id);
-- List by email.
CREATE INDEX tenantry_invitations_email_idx
    ON tenantry_invitations (platform_id, email, created_at, id);
