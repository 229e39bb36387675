-- tenancy: quota pools and allocations, operator assignments, grants,
-- activity counters, SSO secrets and spent SSO nonces.
-- Times are TIMESTAMPTZ (UTC, microseconds).
-- Every table is keyed by platform (see DESIGN.md "Scale"). The quota
-- invariants are CHECK constraints, the backstop of the stores' conditional
-- updates.

CREATE TABLE tenantry_quota_pools (
    platform_id TEXT   NOT NULL REFERENCES tenantry_platforms (id),
    resource    TEXT   NOT NULL,
    capacity    BIGINT NOT NULL,
    allocated   BIGINT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, resource),
    CONSTRAINT tenantry_quota_pools_room CHECK (allocated <= capacity AND allocated >= 0)
);

-- An account's share of a resource; DeleteAccount gives lim back to the
-- pool before the account's deletion cascades here.
CREATE TABLE tenantry_quota_allocations (
    platform_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    resource    TEXT   NOT NULL,
    lim         BIGINT NOT NULL,
    used        BIGINT NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, account_id, resource),
    CONSTRAINT tenantry_quota_allocations_room CHECK (used <= lim AND used >= 0 AND lim >= 0),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE
);

-- SetPool sums a resource's allocations.
CREATE INDEX tenantry_quota_allocations_resource_idx
    ON tenantry_quota_allocations (platform_id, resource);

CREATE TABLE tenantry_operator_assignments (
    platform_id TEXT   NOT NULL,
    operator_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, operator_id, account_id),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE,
    FOREIGN KEY (platform_id, operator_id)
        REFERENCES tenantry_users (platform_id, id)
);

CREATE INDEX tenantry_operator_assignments_account_idx
    ON tenantry_operator_assignments (platform_id, account_id);

CREATE TABLE tenantry_grants (
    platform_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    resource_id TEXT   NOT NULL,
    user_id     TEXT   NOT NULL,
    granted_by  TEXT   NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, account_id, resource_id, user_id),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE,
    FOREIGN KEY (platform_id, user_id)
        REFERENCES tenantry_users (platform_id, id)
);

CREATE INDEX tenantry_grants_user_idx ON tenantry_grants (platform_id, user_id);

-- day is midnight UTC.
CREATE TABLE tenantry_activity_daily (
    platform_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    metric      TEXT   NOT NULL,
    day         TIMESTAMPTZ NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (platform_id, account_id, metric, day),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE
);

CREATE TABLE tenantry_activity_totals (
    platform_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    metric      TEXT   NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (platform_id, account_id, metric),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE
);

CREATE TABLE tenantry_sso_secrets (
    platform_id TEXT   NOT NULL,
    account_id  TEXT   NOT NULL,
    sealed      BYTEA  NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, account_id),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE
);

-- Spent login-link nonces (hashes), kept until they expire. No foreign
-- key: every login writes here, and a key check would lock the platform row.
CREATE TABLE tenantry_sso_nonces (
    platform_id TEXT   NOT NULL,
    nonce_hash  TEXT   NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, nonce_hash)
);

-- PurgeSSONonces, oldest first across platforms.
CREATE INDEX tenantry_sso_nonces_expires_idx ON tenantry_sso_nonces (expires_at);
