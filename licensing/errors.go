package licensing

import "errors"

// Sentinel errors, wrapped with the operation that failed ("licensing:
// renew: invalid input ..."), so their own messages carry no package
// prefix.
var (
	// ErrInvalid reports input that failed validation; the error is an
	// *InvalidError naming the field, and nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a license, plan or entry that does not exist on
	// the platform asked.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a value already taken (a license number, a plan
	// name, an account that already has an active license).
	ErrConflict = errors.New("conflict")
	// ErrStale reports an update that lost a race with another update of
	// the same license; Service retries such updates.
	ErrStale = errors.New("record changed concurrently")
	// ErrForbidden reports an action the principal may not take, or a call
	// with no principal in the context.
	ErrForbidden = errors.New("forbidden")
	// ErrTransition reports a status change the license's state does not
	// allow (renewing a revoked license, paying for an expired one, ...).
	ErrTransition = errors.New("transition not allowed")
	// ErrInsufficientCredits reports a debit larger than the balance.
	ErrInsufficientCredits = errors.New("insufficient credits")
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
