-- branding: themes, logos, custom domains, login settings and OAuth
-- providers.
-- Times are BIGINT microseconds since the Unix epoch (UTC); booleans 0/1.
-- Every table is keyed by platform (see DESIGN.md "Scale") but for the one
-- exception said at tenantry_branding_domains; no foreign key reaches
-- another package's tables (platforms and accounts are tenancy's, known
-- here only by ID). OAuth client secrets are stored only sealed
-- (sealed_secret), never in clear.

-- A platform's theme (account_id '') and the accounts' overrides; an
-- empty text means "inherit". Colours are canonical "#rrggbb" or ''.
CREATE TABLE tenantry_branding_themes (
    platform_id        TEXT NOT NULL,
    account_id         TEXT NOT NULL DEFAULT '', -- '' for the platform's own
    color_sidebar      TEXT NOT NULL DEFAULT '',
    color_sidebar_text TEXT NOT NULL DEFAULT '',
    color_button       TEXT NOT NULL DEFAULT '',
    color_button_text  TEXT NOT NULL DEFAULT '',
    color_status       TEXT NOT NULL DEFAULT '',
    color_status_text  TEXT NOT NULL DEFAULT '',
    color_toggle       TEXT NOT NULL DEFAULT '',
    color_toggle_text  TEXT NOT NULL DEFAULT '',
    color_link         TEXT NOT NULL DEFAULT '',
    color_link_text    TEXT NOT NULL DEFAULT '',
    color_background   TEXT NOT NULL DEFAULT '',
    color_text         TEXT NOT NULL DEFAULT '',
    product_name       TEXT NOT NULL DEFAULT '',
    support_email      TEXT NOT NULL DEFAULT '',
    email_sender_name  TEXT NOT NULL DEFAULT '',
    logo_link_url      TEXT NOT NULL DEFAULT '',
    version            BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (platform_id, account_id)
);

-- A platform's logo (account_id '') and the accounts' own; one row each,
-- replaced whole. sha256 is the hex digest of data (ETags).
CREATE TABLE tenantry_branding_logos (
    platform_id  TEXT NOT NULL,
    account_id   TEXT NOT NULL DEFAULT '', -- '' for the platform's own
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (platform_id, account_id)
);

-- Custom domains (and each platform's default host). Hosts are canonical
-- (branding.NormalizeHost): lower-case ASCII, no trailing dot.
CREATE TABLE tenantry_branding_domains (
    platform_id        TEXT NOT NULL,
    host               TEXT NOT NULL,
    is_default         INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    verification_token TEXT NOT NULL DEFAULT '', -- public by nature
    verified_at        BIGINT,                   -- NULL until verified
    is_primary         INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
    created_at         BIGINT NOT NULL,
    version            BIGINT NOT NULL,
    -- Domains of a platform, by host.
    PRIMARY KEY (platform_id, host),
    -- A host belongs to one platform only, verified or not, whichever
    -- platform claims it: the one unique key of tenantry that does not
    -- start with platform_id, on purpose. It is also the routing lookup
    -- (LookupHost), which finds a request's platform from its host and so
    -- cannot know the platform first. Under a distributed PostgreSQL
    -- (Citus) this small table would be a reference table, copied whole
    -- to every node, rather than distributed by platform_id.
    CONSTRAINT tenantry_branding_domains_host_key UNIQUE (host)
);

-- At most one primary domain per platform, whatever the writers: UpdateDomain
-- clears the old primary before it sets the new one. It also serves
-- LookupHost's read of the platform's primary host.
CREATE UNIQUE INDEX tenantry_branding_domains_one_primary_key
    ON tenantry_branding_domains (platform_id)
    WHERE is_primary = 1;

-- A platform's login methods other than its OAuth providers; no row means
-- the defaults (branding.DefaultLoginSettings).
CREATE TABLE tenantry_branding_login (
    platform_id       TEXT NOT NULL PRIMARY KEY,
    password          INTEGER NOT NULL CHECK (password IN (0, 1)), -- email-and-password login enabled (no password is stored here)
    self_registration INTEGER NOT NULL CHECK (self_registration IN (0, 1)),
    version           BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- OAuth 2.0 / OpenID Connect login providers. name_key is the name
-- lower-cased, so that a name is unique on the platform in any case; its
-- key also lists a platform's providers by name, case-insensitively. The client secret is stored only
-- sealed (XChaCha20-Poly1305 under the host's key), in sealed_secret.
CREATE TABLE tenantry_branding_providers (
    platform_id   TEXT NOT NULL,
    id            TEXT NOT NULL,
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    client_id     TEXT NOT NULL DEFAULT '',
    sealed_secret BLOB NOT NULL,
    auth_url      TEXT NOT NULL DEFAULT '',
    token_url     TEXT NOT NULL DEFAULT '',
    userinfo_url  TEXT NOT NULL DEFAULT '',
    issuer_url    TEXT NOT NULL DEFAULT '',
    scopes        TEXT NOT NULL DEFAULT '[]', -- JSON array, as given
    enabled       INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (platform_id, id),
    CONSTRAINT tenantry_branding_providers_name_key UNIQUE (platform_id, name_key)
);
