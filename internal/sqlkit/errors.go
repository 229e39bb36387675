package sqlkit

import (
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// Kind classifies a driver error.
type Kind int

const (
	// KindOther is any error not classified below.
	KindOther Kind = iota
	// KindNotFound is sql.ErrNoRows.
	KindNotFound
	// KindUnique is a unique or primary key violation.
	KindUnique
	// KindForeignKey is a foreign key violation.
	KindForeignKey
	// KindCheck is a CHECK or NOT NULL violation.
	KindCheck
	// KindRetry is lock contention worth retrying: SQLITE_BUSY or
	// SQLITE_LOCKED, or a PostgreSQL serialization failure or deadlock.
	KindRetry
)

// Classify returns the kind of err and, for constraint violations, the name
// of the constraint (PostgreSQL) or the columns it covers (SQLite: as in
// "tenantry_accounts.platform_id, tenantry_accounts.nickname").
func Classify(err error) (Kind, string) {
	if err == nil {
		return KindOther, ""
	}
	if errors.Is(err, sql.ErrNoRows) {
		return KindNotFound, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return KindUnique, pe.ConstraintName
		case "23503":
			return KindForeignKey, pe.ConstraintName
		case "23514", "23502":
			return KindCheck, pe.ConstraintName
		case "40001", "40P01", "55P03":
			return KindRetry, ""
		}
		return KindOther, ""
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code()
		switch code & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return KindRetry, ""
		case 19: // SQLITE_CONSTRAINT
			switch code {
			case 2067, 1555: // _UNIQUE, _PRIMARYKEY
				return KindUnique, sqliteConstraint(se.Error())
			case 787: // _FOREIGNKEY
				return KindForeignKey, ""
			case 275, 1299: // _CHECK, _NOTNULL
				return KindCheck, sqliteConstraint(se.Error())
			}
		}
	}
	return KindOther, ""
}

// sqliteConstraintRE takes what follows the last "constraint failed: " of
// a SQLite message ("... CHECK constraint failed: name (275)").
var sqliteConstraintRE = regexp.MustCompile(`.*constraint failed: ([^()]+?)(?: \(|$)`)

func sqliteConstraint(msg string) string {
	m := sqliteConstraintRE.FindStringSubmatch(msg)
	if m == nil {
		return ""
	}
	return m[1]
}

// Sentinels names a package's errors for MapError.
type Sentinels struct {
	NotFound error
	Conflict error
}

// MapError maps a driver error to the package's sentinels: no rows becomes
// NotFound, a unique violation Conflict. The driver error stays in the chain.
// Other errors are returned unchanged.
func MapError(err error, s Sentinels) error {
	if err == nil {
		return nil
	}
	kind, _ := Classify(err)
	switch kind {
	case KindNotFound:
		if s.NotFound != nil {
			return fmt.Errorf("%w: %w", s.NotFound, err)
		}
	case KindUnique:
		if s.Conflict != nil {
			return fmt.Errorf("%w: %w", s.Conflict, err)
		}
	}
	return err
}

// Errorf returns "sentinel: details", with sentinel in the chain, for a
// store to wrap with the operation that failed.
func Errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// ConflictRule names what a unique violation is about when its
// constraint holds every one of Words (see HasWord).
type ConflictRule struct {
	// Words must all stand in the constraint for the rule to apply.
	Words []string
	// What names the conflict, as in "nickname taken".
	What string
}

// NameConflict names what a unique violation is about from the constraint
// Classify reports for it, a PostgreSQL constraint or index name
// ("tenantry_accounts_nickname_key") or the SQLite column list
// ("tenantry_accounts.platform_id, tenantry_accounts.nickname"): the What
// of the first rule that applies, or "already exists" when none does.
func NameConflict(constraint string, rules ...ConflictRule) string {
	for _, r := range rules {
		if hasWords(constraint, r.Words) {
			return r.What
		}
	}
	return "already exists"
}

func hasWords(s string, words []string) bool {
	for _, w := range words {
		if !HasWord(s, w) {
			return false
		}
	}
	return true
}

// HasWord reports whether s holds word delimited by '_', '.', ' ', ',' or
// the ends of s, as the words of a constraint name or column list.
func HasWord(s, word string) bool {
	isSep := func(r rune) bool { return r == '_' || r == '.' || r == ' ' || r == ',' }
	for _, part := range strings.FieldsFunc(s, isSep) {
		if part == word {
			return true
		}
	}
	return false
}

// IsAny reports whether err matches any of targets, as errors.Is finds
// them: a store's check that an error already carries one of its
// sentinels.
func IsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
