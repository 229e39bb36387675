package invites

import "errors"

// Sentinel errors, wrapped with the operation that failed ("invites:
// accept: expired ..."), so their own messages carry no package prefix. The
// refusals of Accept are distinct, and none of them says whether the email
// has an account.
var (
	// ErrInvalid reports input that failed validation; the error is an
	// *InvalidError naming the field, and nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports an invitation (or token) that does not exist on
	// the platform asked, or that another invitation has replaced.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a pending invitation for the same person and
	// place, or a grant the host refused.
	ErrConflict = errors.New("conflict")
	// ErrStale reports an update that lost a race; Service retries.
	ErrStale = errors.New("record changed concurrently")
	// ErrForbidden reports an action the principal may not take.
	ErrForbidden = errors.New("forbidden")
	// ErrExpired reports an invitation past its expiry.
	ErrExpired = errors.New("invitation expired")
	// ErrRevoked reports an invitation the inviter revoked.
	ErrRevoked = errors.New("invitation revoked")
	// ErrDeclined reports an invitation the invitee declined.
	ErrDeclined = errors.New("invitation declined")
	// ErrUsed reports an invitation already accepted.
	ErrUsed = errors.New("invitation already used")
	// ErrWrongRecipient reports an accepting user whose email is not the
	// invited one.
	ErrWrongRecipient = errors.New("invitation is for another email address")
	// ErrRateLimited reports an inviter or platform over its sending rate.
	ErrRateLimited = errors.New("too many invitations; try again later")
	// ErrTooSoon reports a resend within the cooldown.
	ErrTooSoon = errors.New("sent moments ago; try again later")
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
