package sqlstore

import (
	"fmt"
	"strings"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// fail wraps err with the operation, "sqlstore: op: ...", and maps driver
// errors to the tenancy sentinels: no rows and foreign key violations (a
// missing platform, account or user) to ErrNotFound, unique violations to
// ErrConflict naming the value taken, violations of the quota CHECK
// constraints (the backstop of the conditional updates) to
// ErrQuotaExceeded. The driver error stays in the chain.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if sqlkit.IsAny(err, sentinels...) {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound, sqlkit.KindForeignKey:
		return fmt.Errorf("sqlstore: %s: %w: %w", op, tenancy.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("sqlstore: %s: %w: %s: %w", op, tenancy.ErrConflict, sqlkit.NameConflict(constraint, conflicts...), err)
	case sqlkit.KindCheck:
		if strings.Contains(constraint, "tenantry_quota_") {
			return fmt.Errorf("sqlstore: %s: %w: %w", op, tenancy.ErrQuotaExceeded, err)
		}
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// sentinels are the tenancy errors fail passes on as they are.
var sentinels = []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrStale, tenancy.ErrExpired, tenancy.ErrQuotaExceeded}

// conflicts name the value a unique violation is about, from its
// constraint (see sqlkit.NameConflict).
var conflicts = []sqlkit.ConflictRule{
	{Words: []string{"nickname"}, What: "nickname taken"},
	{Words: []string{"email"}, What: "email taken"},
	{Words: []string{"uid"}, What: "uid taken"},
}
