CREATE TABLE tenantry_audit_events (
    platform_id     TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    at              BIGINT  NOT NULL, -- microseconds since the Unix epoch, UTC
    account_id      TEXT    NOT NULL DEFAULT '',
    actor_id        TEXT    NOT NULL,
    on_behalf_of_id TEXT    NOT NULL DEFAULT '',
    action          TEXT    NOT NULL,
    target_type     TEXT    NOT NULL DEFAULT '',
    target_id       TEXT    NOT NULL DEFAULT '',
    reason          TEXT    NOT NULL DEFAULT '',
    changes         TEXT    NOT NULL DEFAULT '[]', -- JSON array of audit.Change
    PRIMARY KEY (platform_id, id)
);

-- List, newest first, with or without a time window.
CREATE INDEX tenantry_audit_events_at_idx
    ON tenantry_audit_events (platform_id, at DESC, id DESC);
-- List filtered by account.
CREATE INDEX tenantry_audit_events_account_idx
    ON tenantry_audit_events (platform_id, account_id, at DESC, id DESC);
-- List filtered by actor: actor_id = ? OR on_behalf_of_id = ?.
CREATE INDEX tenantry_audit_events_actor_idx
    ON tenantry_audit_events (platform_id, actor_id, at DESC, id DESC);
CREATE INDEX tenantry_audit_events_on_behalf_of_idx
    ON tenantry_audit_events (platform_id, on_behalf_of_id, at DESC, id DESC);
-- PurgeBefore, oldest first across platforms.
CREATE INDEX tenantry_audit_events_purge_idx
    ON tenantry_audit_events (at);
