package impersonation

import "errors"

// Sentinel errors, wrapped with the operation that failed
// ("impersonation: start: forbidden: target is platform staff").
//
// Every refusal of the policy matches ErrForbidden and also one of the
// specific refusals below, so a host can show the reason:
//
//	errors.Is(err, impersonation.ErrForbidden)   // any refusal
//	errors.Is(err, impersonation.ErrTargetStaff) // this one
var (
	// ErrInvalid reports input that failed validation; the error is an
	// *InvalidError naming the field, and nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a session, token, user or account that does not
	// exist on the platform asked.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a session ID or token hash already in use.
	ErrConflict = errors.New("conflict")
	// ErrForbidden reports anything the policy refuses.
	ErrForbidden = errors.New("forbidden")
	// ErrEnded reports a session already ended (exit, lock, refusal...).
	ErrEnded = errors.New("impersonation session ended")
	// ErrExpired reports a session past its maximum time.
	ErrExpired = errors.New("impersonation session expired")

	// ErrNested refuses a session started from inside another one.
	ErrNested = errors.New("already impersonating; exit first")
	// ErrActorNotStaff refuses an actor that is not an active owner,
	// admin or operator of the platform (or was demoted or disabled since
	// the session started).
	ErrActorNotStaff = errors.New("only active platform staff may log in as a customer")
	// ErrSelf refuses a session whose subject is the actor.
	ErrSelf = errors.New("cannot log in as oneself")
	// ErrTargetStaff refuses a subject who is an owner, admin or operator.
	ErrTargetStaff = errors.New("target is platform staff")
	// ErrTargetInactive refuses a subject whose user is disabled or
	// deleted.
	ErrTargetInactive = errors.New("target user is not active")
	// ErrNotMember refuses a staff-member session for a user who is not a
	// member of the account.
	ErrNotMember = errors.New("target is not a member of the account")
	// ErrAccountDeleted, ErrAccountLocked, ErrAccountDisabled and
	// ErrTestExpired refuse an account that may not be entered.
	ErrAccountDeleted  = errors.New("account deleted")
	ErrAccountLocked   = errors.New("account locked")
	ErrAccountDisabled = errors.New("account disabled")
	ErrTestExpired     = errors.New("test account expired")
	// ErrSecureAccount refuses a secure account to anyone but a secure
	// operator.
	ErrSecureAccount = errors.New("account is secure; only secure operators may enter it")
	// ErrNotAssigned refuses an operator not assigned to the account, when
	// Config.AssignedOnly is set.
	ErrNotAssigned = errors.New("operator is not assigned to this account")
	// ErrReadOnly refuses a change in a read-only session.
	ErrReadOnly = errors.New("read-only impersonation session")
	// ErrActionRefused refuses an action never allowed while impersonating
	// (Config.RefusedActions).
	ErrActionRefused = errors.New("not allowed while impersonating")
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
