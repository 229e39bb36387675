-- licensing: licenses and their history, plans, feature overrides, hidden
-- features, credit balances and entries.
-- Times are TIMESTAMPTZ (UTC, microseconds). Keys are COLLATE "C", byte
-- order, so that listings sort as Go (and memstore) compare strings.
-- Every table is keyed by platform (see DESIGN.md "Scale"). No foreign key
-- reaches another package's tables: licensing is usable alone.

CREATE TABLE tenantry_licenses (
    platform_id       TEXT COLLATE "C" NOT NULL,
    id                TEXT COLLATE "C" NOT NULL,
    number            TEXT        NOT NULL,
    -- number lowercased by the store in Go, for ListLicenses' search.
    number_key        TEXT        NOT NULL,
    account_id        TEXT COLLATE "C" NOT NULL DEFAULT '', -- '' when unassigned
    plan_id           TEXT COLLATE "C" NOT NULL DEFAULT '',
    status            TEXT        NOT NULL
        CONSTRAINT tenantry_licenses_status_check
        CHECK (status IN ('active', 'inactive', 'expired', 'revoked')),
    starts_at         TIMESTAMPTZ NOT NULL,
    ends_at           TIMESTAMPTZ NOT NULL,
    grace_micros      BIGINT      NOT NULL DEFAULT 0,
    payment_failed_at TIMESTAMPTZ,
    -- payment_failed_at + grace, written by the store (NULL when no
    -- payment is missed), so that DueLicenses seeks an index.
    lapses_at         TIMESTAMPTZ,
    version           BIGINT      NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id),
    CONSTRAINT tenantry_licenses_number_key UNIQUE (platform_id, number)
);

-- At most one active license per account, whatever the writers.
CREATE UNIQUE INDEX tenantry_licenses_active_account_key
    ON tenantry_licenses (platform_id, account_id)
    WHERE status = 'active' AND account_id <> '';
-- ListLicenses, newest first.
CREATE INDEX tenantry_licenses_newest_idx
    ON tenantry_licenses (platform_id, created_at DESC, id DESC);
-- AccountLicense and GateFacts.
CREATE INDEX tenantry_licenses_account_idx
    ON tenantry_licenses (platform_id, account_id, updated_at DESC, id DESC);
-- DueLicenses: past their end, or past their grace deadline.
CREATE INDEX tenantry_licenses_due_idx
    ON tenantry_licenses (status, ends_at);
CREATE INDEX tenantry_licenses_lapse_idx
    ON tenantry_licenses (status, lapses_at) WHERE lapses_at IS NOT NULL;

CREATE TABLE tenantry_license_history (
    platform_id     TEXT COLLATE "C" NOT NULL,
    license_id      TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    kind            TEXT        NOT NULL,
    account_id      TEXT        NOT NULL DEFAULT '',
    from_account_id TEXT        NOT NULL DEFAULT '',
    actor_id        TEXT        NOT NULL DEFAULT '',
    detail          TEXT        NOT NULL DEFAULT '',
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id),
    FOREIGN KEY (platform_id, license_id) REFERENCES tenantry_licenses (platform_id, id)
);

-- History, oldest first.
CREATE INDEX tenantry_license_history_license_idx
    ON tenantry_license_history (platform_id, license_id, at, id);

CREATE TABLE tenantry_plans (
    platform_id TEXT COLLATE "C" NOT NULL,
    id          TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    features    TEXT        NOT NULL DEFAULT '[]', -- JSON array of feature keys, sorted
    limits      TEXT        NOT NULL DEFAULT '{}', -- JSON object of limit name to value
    version     BIGINT      NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id),
    -- also Plans' order: by name, then ID
    CONSTRAINT tenantry_plans_name_key UNIQUE (platform_id, name)
);

CREATE TABLE tenantry_feature_overrides (
    platform_id TEXT COLLATE "C" NOT NULL,
    account_id  TEXT COLLATE "C" NOT NULL,
    feature     TEXT COLLATE "C" NOT NULL,
    enabled     BOOLEAN     NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, account_id, feature)
);

CREATE TABLE tenantry_hidden_features (
    platform_id TEXT COLLATE "C" NOT NULL,
    feature     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (platform_id, feature)
);

CREATE TABLE tenantry_credit_balances (
    platform_id TEXT COLLATE "C" NOT NULL,
    account_id  TEXT COLLATE "C" NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    -- the backstop of ApplyCredit's conditional update
    balance     BIGINT NOT NULL
        CONSTRAINT tenantry_credit_balances_balance_check CHECK (balance >= 0),
    PRIMARY KEY (platform_id, account_id, kind)
);

CREATE TABLE tenantry_credit_entries (
    platform_id     TEXT COLLATE "C" NOT NULL,
    account_id      TEXT COLLATE "C" NOT NULL,
    kind            TEXT COLLATE "C" NOT NULL,
    id              TEXT COLLATE "C" NOT NULL,
    delta           BIGINT      NOT NULL,
    balance         BIGINT      NOT NULL,
    idempotency_key TEXT, -- NULL when none; NULLs never collide
    reason          TEXT        NOT NULL DEFAULT '',
    actor_id        TEXT        NOT NULL DEFAULT '',
    at              TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (platform_id, id),
    CONSTRAINT tenantry_credit_entries_idempotency_key
        UNIQUE (platform_id, account_id, idempotency_key)
);

-- CreditHistory, newest first, of every kind or of one.
CREATE INDEX tenantry_credit_entries_newest_idx
    ON tenantry_credit_entries (platform_id, account_id, at DESC, id DESC);
CREATE INDEX tenantry_credit_entries_kind_idx
    ON tenantry_credit_entries (platform_id, account_id, kind, at DESC, id DESC);
