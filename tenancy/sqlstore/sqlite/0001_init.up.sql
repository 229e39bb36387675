-- tenancy: platforms, users, accounts, tags, members, password tokens.
-- Times are INTEGER microseconds since the Unix epoch (UTC); booleans 0/1.
-- Every table is keyed by platform (see DESIGN.md "Scale").

CREATE TABLE tenantry_platforms (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE tenantry_users (
    platform_id   TEXT   NOT NULL REFERENCES tenantry_platforms (id),
    id            TEXT   NOT NULL,
    email         TEXT   NOT NULL,
    name          TEXT   NOT NULL DEFAULT '',
    -- name lowercased by the store in Go, for search (SQL lower() folds
    -- only ASCII on SQLite).
    name_key      TEXT NOT NULL DEFAULT '',
    role          TEXT   NOT NULL DEFAULT ''
        CHECK (role IN ('', 'owner', 'admin', 'operator', 'secure_operator')),
    status        TEXT   NOT NULL CHECK (status IN ('active', 'disabled', 'deleted')),
    password_hash TEXT   NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
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
    name_key            TEXT NOT NULL DEFAULT '',
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
    locked              INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    secure              INTEGER NOT NULL DEFAULT 0 CHECK (secure IN (0, 1)),
    template            INTEGER NOT NULL DEFAULT 0 CHECK (template IN (0, 1)),
    test_expires_at     BIGINT,
    links_allowed       INTEGER NOT NULL DEFAULT 0 CHECK (links_allowed IN (0, 1)),
    onboarding_complete INTEGER NOT NULL DEFAULT 0 CHECK (onboarding_complete IN (0, 1)),
    onboarding_steps    TEXT    NOT NULL DEFAULT '[]',
    sites               TEXT    NOT NULL DEFAULT '[]',
    version             BIGINT  NOT NULL,
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
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
    is_primary  INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    permissions TEXT    NOT NULL DEFAULT '[]',
    created_at  BIGINT  NOT NULL,
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
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (platform_id, hash),
    FOREIGN KEY (platform_id, user_id)
        REFERENCES tenantry_users (platform_id, id) ON DELETE CASCADE
);

CREATE INDEX tenantry_password_tokens_user_idx
    ON tenantry_password_tokens (platform_id, user_id, purpose);
