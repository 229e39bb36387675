package impersonation

import "time"

// Mode is how the actor enters the account.
type Mode string

// Modes of a session.
const (
	// AsClient shows the account as its client sees it, fully white
	// labelled; the subject is the account's primary user.
	AsClient Mode = "client"
	// AsPartner shows the reseller's view of the account, hidden features
	// included; the subject is the account's primary user.
	AsPartner Mode = "partner"
	// AsStaff enters as one given staff member (team member) of the
	// account.
	AsStaff Mode = "staff"
)

// Valid reports whether m is one of the defined modes.
func (m Mode) Valid() bool { return m == AsClient || m == AsPartner || m == AsStaff }

// Role is a user's platform role. The values are tenancy's, so a
// tenancy.Role converts as Role(r).
type Role string

// Platform roles; a customer or a customer's team member is RoleRegular.
const (
	RoleRegular        Role = ""
	RoleOwner          Role = "owner"
	RoleAdmin          Role = "admin"
	RoleOperator       Role = "operator"
	RoleSecureOperator Role = "secure_operator"
)

// IsStaff reports whether r is a platform staff role: owner, admin or an
// operator of either kind.
func (r Role) IsStaff() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleOperator, RoleSecureOperator:
		return true
	}
	return false
}

// String returns the role name, "regular" for RoleRegular.
func (r Role) String() string {
	if r == RoleRegular {
		return "regular"
	}
	return string(r)
}

// User is what the policy needs to know about a user.
type User struct {
	ID    string
	Email string
	Role  Role
	// Active is false for a disabled or deleted user.
	Active bool
}

// Account is what the policy needs to know about an account.
type Account struct {
	ID   string
	Name string
	// PrimaryUserID is the client: the subject of AsClient and AsPartner
	// sessions.
	PrimaryUserID string
	Disabled      bool
	Locked        bool
	// Deleted marks an account removed (a Directory may instead answer
	// ErrNotFound).
	Deleted bool
	// Secure marks an account only secure operators may enter.
	Secure bool
	// TestExpiresAt ends a test account's trial; zero for other accounts.
	TestExpiresAt time.Time
}

// EndReason says why a session ended.
type EndReason string

// Why sessions end.
const (
	// EndExit is the actor pressing Exit.
	EndExit EndReason = "exit"
	// EndExpired is the maximum time passing.
	EndExpired EndReason = "expired"
	// EndRefused is a request refused by the policy (actor demoted,
	// account locked, subject disabled...); the refusal is in the audit
	// event.
	EndRefused EndReason = "refused"
	// EndAccountClosed is the account disabled, locked or deleted
	// (EndAccount).
	EndAccountClosed EndReason = "account_closed"
	// EndUserClosed is the actor's or the subject's user disabled,
	// demoted or deleted (EndUser).
	EndUserClosed EndReason = "user_closed"
	// EndRevoked is staff ending someone's session (Revoke).
	EndRevoked EndReason = "revoked"
)

// Session is one impersonation: an actor acting as a subject in an
// account.
type Session struct {
	PlatformID string
	ID         string
	// TokenHash is the hex SHA-256 of the session's token; the token
	// itself is never stored.
	TokenHash string
	// ActorID is the staff member really acting.
	ActorID string
	// SubjectID is the user impersonated, whose rights apply, and
	// SubjectEmail their address (for the banner).
	SubjectID    string
	SubjectEmail string
	AccountID    string
	AccountName  string
	Mode         Mode
	// Reason and Ticket are why the actor entered, when given.
	Reason string
	Ticket string
	// ReadOnly sessions may look but not change anything.
	ReadOnly  bool
	StartedAt time.Time
	ExpiresAt time.Time
	// EndedAt and EndReason are set once the session has ended.
	EndedAt   time.Time
	EndReason EndReason
}

// ActiveAt reports whether the session neither ended nor expired at now.
func (s Session) ActiveAt(now time.Time) bool {
	return s.EndedAt.IsZero() && now.Before(s.ExpiresAt)
}
