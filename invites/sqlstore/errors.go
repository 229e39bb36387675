package sqlstore

import (
	"errors"
	"fmt"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/invites"
)

// fail wraps err with the operation, "invites: sqlstore: op: ...", and maps
// driver errors to the invites sentinels: no rows to ErrNotFound; unique
// violations (an ID used twice, a token hash in use, a second pending
// invitation for the same person and place) and audit.ErrConflict to
// ErrConflict naming what is taken. The driver error stays in the chain.
func fail(op string, err error) error {
	if err == nil {
		return nil
	}
	if sqlkit.IsAny(err, sentinels...) {
		return fmt.Errorf("invites: sqlstore: %s: %w", op, err)
	}
	if errors.Is(err, audit.ErrConflict) {
		return fmt.Errorf("invites: sqlstore: %s: %w: audit event exists: %w", op, invites.ErrConflict, err)
	}
	kind, constraint := sqlkit.Classify(err)
	switch kind {
	case sqlkit.KindNotFound:
		return fmt.Errorf("invites: sqlstore: %s: %w: %w", op, invites.ErrNotFound, err)
	case sqlkit.KindUnique:
		return fmt.Errorf("invites: sqlstore: %s: %w: %s: %w", op, invites.ErrConflict, sqlkit.NameConflict(constraint, conflicts...), err)
	}
	return fmt.Errorf("invites: sqlstore: %s: %w", op, err)
}

// sentinels are the invites errors fail passes on as they are.
var sentinels = []error{invites.ErrNotFound, invites.ErrConflict, invites.ErrStale, invites.ErrUsed,
	invites.ErrExpired, invites.ErrRevoked, invites.ErrDeclined, invites.ErrInvalid}

// conflicts name what a unique violation is about, from its constraint
// (see sqlkit.NameConflict): the PostgreSQL names and the SQLite column
// lists both hold these words.
var conflicts = []sqlkit.ConflictRule{
	{Words: []string{"token"}, What: "token hash in use"},
	{Words: []string{"email"}, What: "a pending invitation exists for this person and place"},
}
