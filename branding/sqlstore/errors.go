package sqlstore

import (
	"errors"
	"fmt"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// fail wraps err with the operation, "branding: sqlstore: op: ...", and
// maps driver errors to the branding sentinels: no rows to ErrNotFound;
// unique violations (a host claimed by any platform, a second primary
// domain, a provider ID or name in use, a theme or login settings inserted
// twice) and audit.ErrConflict to ErrConflict naming what is taken. The
// driver error stays in the chain.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if sqlkit.IsAny(err, sentinels...) {
		return fmt.Errorf("branding: sqlstore: %s: %w", op, err)
	}
	if errors.Is(err, audit.ErrConflict) {
		return fmt.Errorf("branding: sqlstore: %s: %w: audit event exists: %w", op, branding.ErrConflict, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound:
		return fmt.Errorf("branding: sqlstore: %s: %w: %w", op, branding.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("branding: sqlstore: %s: %w: %s: %w", op, branding.ErrConflict,
			sqlkit.NameConflict(constraint, conflicts...), err)
	}
	return fmt.Errorf("branding: sqlstore: %s: %w", op, err)
}

// sentinels are the branding errors fail passes on as they are.
var sentinels = []error{branding.ErrNotFound, branding.ErrConflict, branding.ErrStale, branding.ErrInvalid}

// conflicts name what a unique violation is about, from its constraint
// (see sqlkit.NameConflict): a PostgreSQL constraint or index name, or a
// SQLite column list, in this order.
var conflicts = []sqlkit.ConflictRule{
	// tenantry_branding_providers_name_key; SQLite:
	// "tenantry_branding_providers.platform_id, ....name_key".
	{Words: []string{"name"}, What: "provider name taken"},
	// tenantry_branding_providers_pkey; SQLite: "....platform_id, ....id".
	{Words: []string{"providers"}, What: "provider ID in use"},
	// tenantry_branding_domains_one_primary_key (PostgreSQL).
	{Words: []string{"primary"}, What: "the platform already has a primary domain"},
	// tenantry_branding_domains_host_key and, on SQLite, both the host
	// key ("....host") and the primary key ("....platform_id, ....host").
	{Words: []string{"host"}, What: "host already claimed"},
	// tenantry_branding_domains_pkey (PostgreSQL).
	{Words: []string{"domains", "pkey"}, What: "host already claimed"},
	// The one-primary index on SQLite: "tenantry_branding_domains.platform_id".
	{Words: []string{"domains"}, What: "the platform already has a primary domain"},
	{Words: []string{"themes"}, What: "theme exists"},
	{Words: []string{"login"}, What: "login settings exist"},
}
