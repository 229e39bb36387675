package branding

import "errors"

// Sentinel errors, wrapped with the operation that failed ("branding: add
// domain: conflict: ...").
var (
	// ErrInvalid reports input that failed validation; the error is an
	// *InvalidError naming the field, and nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrNotFound reports a theme, logo, domain or provider that does not
	// exist on the platform asked.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports a host already claimed (by this platform or
	// another) or a provider name in use.
	ErrConflict = errors.New("conflict")
	// ErrStale reports an update that lost a race with another one.
	ErrStale = errors.New("record changed concurrently")
	// ErrForbidden reports an action the principal may not take.
	ErrForbidden = errors.New("forbidden")
	// ErrNotVerified reports a domain whose DNS TXT record was not found
	// (yet), or an action that needs a verified domain.
	ErrNotVerified = errors.New("domain not verified")
	// ErrLowContrast reports a colour pair below the required WCAG
	// contrast ratio (Config.Contrast set to refuse).
	ErrLowContrast = errors.New("contrast too low")
	// ErrUnknownHost reports a request host that belongs to no platform.
	ErrUnknownHost = errors.New("unknown host")
	// ErrOAuth reports a failed OAuth 2.0 login round trip (state or PKCE
	// mismatch, provider error).
	ErrOAuth = errors.New("oauth login failed")
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
