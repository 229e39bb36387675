package sqlstore

import (
	"errors"
	"fmt"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// fail wraps err with the operation, "impersonation: sqlstore: op: ...",
// and maps driver errors to the impersonation sentinels: no rows to
// ErrNotFound; unique violations (a session ID used twice, a token hash in
// use) and audit.ErrConflict to ErrConflict naming what is taken. The
// driver error stays in the chain.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if sqlkit.IsAny(err, sentinels...) {
		return fmt.Errorf("impersonation: sqlstore: %s: %w", op, err)
	}
	if errors.Is(err, audit.ErrConflict) {
		return fmt.Errorf("impersonation: sqlstore: %s: %w: audit event exists: %w", op, impersonation.ErrConflict, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound:
		return fmt.Errorf("impersonation: sqlstore: %s: %w: %w", op, impersonation.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("impersonation: sqlstore: %s: %w: %s: %w", op, impersonation.ErrConflict,
			sqlkit.NameConflict(constraint, conflicts...), err)
	}
	return fmt.Errorf("impersonation: sqlstore: %s: %w", op, err)
}

// sentinels are the impersonation errors fail passes on as they are.
var sentinels = []error{impersonation.ErrNotFound, impersonation.ErrConflict, impersonation.ErrEnded,
	impersonation.ErrInvalid}

// conflicts name what a unique violation is about, from its constraint
// (see sqlkit.NameConflict): the PostgreSQL names and the SQLite column
// lists both hold these words.
var conflicts = []sqlkit.ConflictRule{
	{Words: []string{"token"}, What: "token hash in use"},
	{Words: []string{"pkey"}, What: "session ID in use"},
	{Words: []string{"sessions", "id"}, What: "session ID in use"},
}
