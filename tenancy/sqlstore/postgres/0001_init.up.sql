-- tenancy: platforms, users, accounts, tags, members, password tokens.
-- Times are TIMESTAMPTZ (UTC, microseconds); booleans BOOLEAN.
-- Every table is keyed by platform (see DESIGN.md "Scale").

CREATE TABLE tenantry_platforms (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tenantry_users (
    platform_id   TEXT   NOT NULL REFERENCES tenantry_platforms (id),
    id            TEXT   NOT NULL,
    email         TEXT   NOT NULL,
    name          TEXT   NOT NULL DEFAULT '',
    -- name lowercased by the store in Go, for search (SQL lower() folds
    -- only ASCII on SQLite).
    name_key      TEXT COLLATE "C" NOT NULL DEFAULT '',
    role          TEXT   NOT NULL DEFAULT ''
        CHECK (role IN ('', 'owner', 'admin', 'operator', 'secure_operator')),
    status        TEXT   NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
    password_hash TEXT   NOT NULL DEFAULT '',
    version       BIGINT      NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id)
);

-- One live user per email; deleted users keep theirs without holding it.
CREATE UNIQUE INDEX tenantry_users_email_key
    ON tenantry_users (platform_id, email) WHERE status <> 'deleted';
-- ListUsers (by email then ID) and GetUserByEmail, deleted users included.
CREATE INDEX tenantry_users_email_idx
    ON tenantry_users (platform_id, email, id);

CREATE TABLE tenantry_accounts (
    platform_id         TEXT    NOT NULL REFERENCES tenantry_platforms (id),
    id                  TEXT    NOT NULL,
    uid                 TEXT    NOT NULL,
    nickname            TEXT,
    name                TEXT    NOT NULL,
    -- name lowercased by the store in Go, for search and the A-to-Z order,
    -- identical on both dialects (SQL lower() folds only ASCII on SQLite).
    name_key            TEXT COLLATE "C" NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    primary_user_id     TEXT    NOT NULL DEFAULT '',
    address             TEXT    NOT NULL DEFAULT '',
    phone               TEXT    NOT NULL DEFAULT '',
    website             TEXT    NOT NULL DEFAULT '',
    language            TEXT    NOT NULL DEFAULT '',
    time_zone           TEXT    NOT NULL DEFAULT '',
    logo_url            TEXT    NOT NULL DEFAULT '',
    note                TEXT    NOT NULL DEFAULT '',
    plan                TEXT    NOT NULL DEFAULT '',
    status              TEXT    NOT NULL CHECK (status IN ('active', 'disabled')),
    locked              BOOLEAN NOT NULL DEFAULT FALSE,
    secure              BOOLEAN NOT NULL DEFAULT FALSE,
    template            BOOLEAN NOT NULL DEFAULT FALSE,
    test_expires_at     TIMESTAMPTZ,
    links_allowed       BOOLEAN NOT NULL DEFAULT FALSE,
    onboarding_complete BOOLEAN NOT NULL DEFAULT FALSE,
    onboarding_steps    TEXT    NOT NULL DEFAULT '[]',
    sites               TEXT    NOT NULL DEFAULT '[]',
    version             BIGINT  NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id),
    CONSTRAINT tenantry_accounts_uid_key UNIQUE (platform_id, uid),
    CONSTRAINT tenantry_accounts_nickname_key UNIQUE (platform_id, nickname)
);

-- ListAccounts: newest first, and by name A to Z.
CREATE INDEX tenantry_accounts_newest_idx
    ON tenantry_accounts (platform_id, created_at DESC, id DESC);
CREATE INDEX tenantry_accounts_name_idx
    ON tenantry_accounts (platform_id, name_key, id);

CREATE TABLE tenantry_account_tags (
    platform_id TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    tag         TEXT NOT NULL,
    PRIMARY KEY (platform_id, account_id, tag),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE
);

CREATE INDEX tenantry_account_tags_tag_idx ON tenantry_account_tags (platform_id, tag);

CREATE TABLE tenantry_members (
    platform_id TEXT    NOT NULL,
    account_id  TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    is_primary  BOOLEAN NOT NULL DEFAULT FALSE,
    permissions TEXT    NOT NULL DEFAULT '[]',
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, account_id, user_id),
    FOREIGN KEY (platform_id, account_id)
        REFERENCES tenantry_accounts (platform_id, id) ON DELETE CASCADE,
    FOREIGN KEY (platform_id, user_id)
        REFERENCES tenantry_users (platform_id, id)
);

CREATE INDEX tenantry_members_user_idx ON tenantry_members (platform_id, user_id);

CREATE TABLE tenantry_password_tokens (
    platform_id TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    user_id     TEXT   NOT NULL,
    purpose     TEXT   NOT NULL CHECK (purpose IN ('set_password', 'reset_password')),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, hash),
    FOREIGN KEY (platform_id, user_id)
        REFERENCES tenantry_users (platform_id, id) ON DELETE CASCADE
);

CREATE INDEX tenantry_password_tokens_user_idx
    ON tenantry_password_tokens (platform_id, user_id, purpose);
