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
	if sqlkit.IsAny(err, sentinels...) {
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
		return fmt.Errorf("licensing: sqlstore: %s: %w: %s: %w", op, licensing.ErrConflict, sqlkit.NameConflict(constraint, conflicts...), err)
	case sqlkit.KindCheck:
		if strings.Contains(constraint, "balance") {
			return fmt.Errorf("licensing: sqlstore: %s: %w: %w", op, licensing.ErrInsufficientCredits, err)
		}
	}
	return fmt.Errorf("licensing: sqlstore: %s: %w", op, err)
}

// sentinels are the licensing errors fail passes on as they are.
var sentinels = []error{licensing.ErrNotFound, licensing.ErrConflict, licensing.ErrStale,
	licensing.ErrInsufficientCredits, licensing.ErrInvalid}

// conflicts name what a unique violation is about, from its constraint
// (see sqlkit.NameConflict): a license number or plan name taken, a second
// active license for an account, an idempotency key used twice.
var conflicts = []sqlkit.ConflictRule{
	{Words: []string{"idempotency"}, What: "idempotency key used"},
	{Words: []string{"number"}, What: "license number taken"},
	{Words: []string{"name"}, What: "plan name taken"},
	{Words: []string{"licenses", "account"}, What: "the account already has an active license"},
}
