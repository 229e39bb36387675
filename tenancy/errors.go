package tenancy

import "errors"

// Sentinel errors. Every error the package returns matches at most one of
// them with errors.Is, and is wrapped with the operation that failed
// ("tenancy: create account: conflict: ..."), so the sentinels' own messages
// carry no package prefix.
var (
	// ErrInvalid reports input that failed validation. The error is an
	// *InvalidError naming the field; nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a platform, account, user, member or token that
	// does not exist on the platform asked.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a unique value already taken (nickname, UID, email)
	// or a record that already exists.
	ErrConflict = errors.New("conflict")
	// ErrStale reports an update that lost a race with another update of the
	// same record (its version moved). Service retries such updates; it
	// reaches callers only when the record keeps changing.
	ErrStale = errors.New("record changed concurrently")
	// ErrForbidden reports an action the acting principal may not take, or a
	// call made with no principal in the context.
	ErrForbidden = errors.New("forbidden")
	// ErrExpired reports a password token past its expiry.
	ErrExpired = errors.New("expired")

	// ErrInvalidCredentials reports a failed login: unknown email, wrong
	// password, or a user with no password set. It never says which.
	ErrInvalidCredentials = errors.New("invalid email or password")
	// ErrUserDisabled reports a login by a user whose own access is disabled.
	ErrUserDisabled = errors.New("user disabled")
	// ErrAccountDisabled reports a login into a disabled account.
	ErrAccountDisabled = errors.New("account disabled")
	// ErrAccountLocked reports a login into a locked account (nobody enters
	// a locked account, staff included).
	ErrAccountLocked = errors.New("account locked")
	// ErrTestExpired reports a login into a test account past its expiry.
	ErrTestExpired = errors.New("test account expired")
	// ErrAccountDeleted reports a login by a user whose account was deleted.
	ErrAccountDeleted = errors.New("account deleted")
)

// InvalidError names the field that failed validation and why.
// errors.Is(err, ErrInvalid) holds for it.
type InvalidError struct {
	Field  string
	Reason string
}

// Error says which field is invalid and why.
func (e *InvalidError) Error() string { return "invalid " + e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalid) true.
func (e *InvalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, reason string) error { return &InvalidError{Field: field, Reason: reason} }

// ErrQuotaExceeded reports a pool, an allocation or a team too small for
// what was asked; nothing was taken.
var ErrQuotaExceeded = errors.New("quota exceeded")
