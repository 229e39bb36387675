package audit

import "errors"

// Sentinel errors, wrapped with the operation that failed ("audit: list:
// invalid input ..."), so their own messages carry no package prefix.
var (
	// ErrInvalid reports input that failed validation; the error names the
	// field (see [InvalidError]).
	ErrInvalid = errors.New("invalid input")
	// ErrConflict reports an event ID that is already recorded.
	ErrConflict = errors.New("conflict")
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
