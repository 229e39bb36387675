package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// fail wraps err with the operation, "licensing: sqlstore: op: ...", and
// maps driver errors to the licensing sentinels: no rows and foreign key
// violations (history of a missing license) to ErrNotFound; unique
// violations (a license number or plan name taken, a second active license
// for an account, an ID used twice) and audit.ErrConflict to ErrConflict
// naming what is taken; a violation of the credit balance CHECK (the
// backstop of ApplyCredit's conditional update) to ErrInsufficientCredits.
// The driver error stays in the chain.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if isSentinel(err) {
		return fmt.Errorf("licensing: sqlstore: %s: %w", op, err)
	}
	if errors.Is(err, audit.ErrConflict) {
		return fmt.Errorf("licensing: sqlstore: %s: %w: audit event exists: %w", op, licensing.ErrConflict, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound, sqlkit.KindForeignKey:
		return fmt.Errorf("licensing: sqlstore: %s: %w: %w", op, licensing.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("licensing: sqlstore: %s: %w: %s: %w", op, licensing.ErrConflict, conflictWhat(constraint), err)
	case sqlkit.KindCheck:
		if strings.Contains(constraint, "balance") {
			return fmt.Errorf("licensing: sqlstore: %s: %w: %w", op, licensing.ErrInsufficientCredits, err)
		}
	}
	return fmt.Errorf("licensing: sqlstore: %s: %w", op, err)
}

// errorf returns "sentinel: details", for fail to wrap with the operation.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// isSentinel reports whether err already carries a licensing sentinel.
func isSentinel(err error) bool {
	for _, s := range []error{licensing.ErrNotFound, licensing.ErrConflict, licensing.ErrStale,
		licensing.ErrInsufficientCredits, licensing.ErrInvalid} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// conflictWhat names what a unique violation is about, from the constraint
// sqlkit.Classify reports: a PostgreSQL constraint or index name
// ("tenantry_licenses_number_key") or the SQLite column list
// ("tenantry_licenses.platform_id, tenantry_licenses.number").
func conflictWhat(constraint string) string {
	switch {
	case hasWord(constraint, "idempotency"):
		return "idempotency key used"
	case hasWord(constraint, "number"):
		return "license number taken"
	case hasWord(constraint, "name"):
		return "plan name taken"
	case hasWord(constraint, "licenses") && hasWord(constraint, "account"):
		return "the account already has an active license"
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
