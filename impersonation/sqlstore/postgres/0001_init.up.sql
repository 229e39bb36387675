-- impersonation: sessions.
-- Times are TIMESTAMPTZ (UTC, microseconds); booleans BOOLEAN. Keys are
-- COLLATE "C", byte order, so that listings sort as Go compares strings.
-- The table is keyed by platform (see DESIGN.md "Scale"); no foreign key
-- reaches another package's tables (the actor, subject and account are
-- tenancy's, known here only by ID, and a session outlives them as a
-- record). Only the hex SHA-256 of a session's token is stored
-- (token_hash), never the token.

CREATE TABLE tenantry_impersonation_sessions (
    platform_id   TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    token_hash    TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    subject_email TEXT NOT NULL DEFAULT '',
    account_id    TEXT NOT NULL,
    account_name  TEXT NOT NULL DEFAULT '',
    mode          TEXT NOT NULL
        CONSTRAINT tenantry_impersonation_sessions_mode_check
        CHECK (mode IN ('client', 'partner', 'staff')),
    reason        TEXT NOT NULL DEFAULT '',
    ticket        TEXT NOT NULL DEFAULT '',
    read_only     BOOLEAN NOT NULL DEFAULT FALSE,
    started_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    ended_at      TIMESTAMPTZ,               -- NULL while not ended
    end_reason    TEXT NOT NULL DEFAULT '',  -- '' while not ended
    PRIMARY KEY (platform_id, id),
    -- GetByToken, on every request of a session; a token hash is used
    -- once per platform.
    CONSTRAINT tenantry_impersonation_sessions_token_hash_key UNIQUE (platform_id, token_hash)
);

-- List, newest first, of a platform, and of an account, an actor or a
-- subject. Sessions are kept once ended, so these cover every session.
CREATE INDEX tenantry_impersonation_sessions_started_idx
    ON tenantry_impersonation_sessions (platform_id, started_at, id);
CREATE INDEX tenantry_impersonation_sessions_account_idx
    ON tenantry_impersonation_sessions (platform_id, account_id, started_at, id);
CREATE INDEX tenantry_impersonation_sessions_actor_idx
    ON tenantry_impersonation_sessions (platform_id, actor_id, started_at, id);
CREATE INDEX tenantry_impersonation_sessions_subject_idx
    ON tenantry_impersonation_sessions (platform_id, subject_id, started_at, id);

-- The sessions not ended yet, few next to the history the indexes above
-- hold: EndAll of a platform (the sweeper, oldest first, checking
-- expires_at in the index) and List of sessions active at an instant;
-- then EndAll by account (an account closed) and by user, actor or
-- subject (a user closed; the two indexes serve the OR).
CREATE INDEX tenantry_impersonation_sessions_open_idx
    ON tenantry_impersonation_sessions (platform_id, started_at, id, expires_at)
    WHERE ended_at IS NULL;
CREATE INDEX tenantry_impersonation_sessions_open_account_idx
    ON tenantry_impersonation_sessions (platform_id, account_id, started_at, id)
    WHERE ended_at IS NULL;
CREATE INDEX tenantry_impersonation_sessions_open_actor_idx
    ON tenantry_impersonation_sessions (platform_id, actor_id, started_at, id)
    WHERE ended_at IS NULL;
CREATE INDEX tenantry_impersonation_sessions_open_subject_idx
    ON tenantry_impersonation_sessions (platform_id, subject_id, started_at, id)
    WHERE ended_at IS NULL;
