package sqlstore

import (
	"errors"
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
	if isSentinel(err) {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound, sqlkit.KindForeignKey:
		return fmt.Errorf("sqlstore: %s: %w: %w", op, tenancy.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("sqlstore: %s: %w: %s: %w", op, tenancy.ErrConflict, conflictWhat(constraint), err)
	case sqlkit.KindCheck:
		if strings.Contains(constraint, "tenantry_quota_") {
			return fmt.Errorf("sqlstore: %s: %w: %w", op, tenancy.ErrQuotaExceeded, err)
		}
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// errorf returns "sentinel: details", for fail to wrap with the operation.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// isSentinel reports whether err already carries a tenancy sentinel.
func isSentinel(err error) bool {
	for _, s := range []error{tenancy.ErrNotFound, tenancy.ErrConflict, tenancy.ErrStale, tenancy.ErrExpired, tenancy.ErrQuotaExceeded} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// conflictWhat names the value a unique violation is about, from the
// constraint sqlkit.Classify reports: a PostgreSQL constraint name
// ("tenantry_accounts_nickname_key") or the SQLite column list
// ("tenantry_accounts.platform_id, tenantry_accounts.nickname").
func conflictWhat(constraint string) string {
	for _, field := range []string{"nickname", "email", "uid"} {
		if hasWord(constraint, field) {
			return field + " taken"
		}
	}
	return "already exists"
}

// hasWord reports whether s holds word delimited by '_', '.', ' ', ',' or
// the ends of s.
func hasWord(s, word string) bool {
	isSep := func(r rune) bool { return r == '_' || r == '.' || r == ' ' || r == ',' }
	for _, part := range strings.FieldsFunc(s, isSep) {
		if part == word {
			return true
		}
	}
	return false
}
