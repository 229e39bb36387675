package tenancy

import (
	"slices"
	"time"
)

// Platform is one white-label instance, run by one reseller. Nothing ever
// crosses from one platform to another.
type Platform struct {
	ID        string
	Name      string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Role is a user's role on the platform.
type Role string

// Platform roles. A regular user (a customer or a customer's team member)
// has RoleNone.
const (
	RoleNone           Role = ""
	RoleOwner          Role = "owner"
	RoleAdmin          Role = "admin"
	RoleOperator       Role = "operator"
	RoleSecureOperator Role = "secure_operator"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleNone, RoleOwner, RoleAdmin, RoleOperator, RoleSecureOperator:
		return true
	}
	return false
}

// IsStaff reports whether r is a platform staff role (owner, admin or any
// operator), as opposed to a regular user.
func (r Role) IsStaff() bool { return r != RoleNone && r.Valid() }

// IsOperator reports whether r is an operator role, secure or not.
func (r Role) IsOperator() bool { return r == RoleOperator || r == RoleSecureOperator }

// String returns the role name, "regular" for RoleNone.
func (r Role) String() string {
	if r == RoleNone {
		return "regular"
	}
	return string(r)
}

// UserStatus is the state of a user's own access.
type UserStatus string

// User states. A deleted user is what remains of a user whose only account
// was deleted: no name and no memberships, kept so that a login attempt is
// told ErrAccountDeleted rather than a bare credentials error.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
	UserDeleted  UserStatus = "deleted"
)

// User is a person who can log in to a platform.
type User struct {
	PlatformID string
	ID         string
	// Email is canonical (see Service.NormalizeEmail) and unique on the
	// platform among users that are not deleted.
	Email string
	Name  string
	Role  Role
	// Status is the user's own access, independent of any account's state.
	Status UserStatus
	// PasswordHash is the encoded argon2id hash, empty while the user has
	// not set a password.
	PasswordHash string `json:"-"`
	// Version increases with every update; stores use it to refuse an
	// update based on a stale read (ErrStale).
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// HasPassword reports whether the user has set a password.
func (u User) HasPassword() bool { return u.PasswordHash != "" }

// AccountStatus is whether an account may be used.
type AccountStatus string

// Account states. Locking, test expiry and the secure mark are separate
// flags on Account; deletion removes the account.
const (
	AccountActive   AccountStatus = "active"
	AccountDisabled AccountStatus = "disabled"
)

// Contact is an account's business contact details.
type Contact struct {
	Address string
	Phone   string
	Website string
}

// Onboarding is an account's progress through the host's setup wizard.
type Onboarding struct {
	// StepsDone lists the host-named steps completed, in order of completion.
	StepsDone []string
	// Complete is set when setup is marked complete; until then the account
	// is "in setup".
	Complete bool
}

// Account is one customer business on a platform.
type Account struct {
	PlatformID string
	// ID is the internal identifier (UUIDv7).
	ID string
	// UID is the stable public identifier for API integrations, unique on
	// the platform; it reveals nothing about creation order.
	UID string
	// Nickname is an optional URL-safe slug, unique on the platform, used in
	// the business page URL and as an external business ID.
	Nickname string
	Name     string
	// Email is the business email, the primary admin's.
	Email string
	// PrimaryUserID is the account's primary admin.
	PrimaryUserID string
	Contact       Contact
	// Language is a BCP 47 tag, TimeZone an IANA zone name.
	Language string
	TimeZone string
	LogoURL  string
	Tags     []string
	Note     string
	// Plan is the label of the subscription plan, kept in step by licensing.
	Plan   string
	Status AccountStatus
	// Locked keeps everybody out, staff included, and refuses impersonation.
	Locked bool
	// Secure marks a HIPAA account: only secure operators may act on it.
	Secure bool
	// Template marks an account whose settings new accounts can copy.
	Template bool
	// TestExpiresAt is set on test (trial) accounts: after it, nobody logs
	// in. Zero on regular accounts.
	TestExpiresAt time.Time
	// LinksAllowed lifts the link screening of new accounts early.
	LinksAllowed bool
	Onboarding   Onboarding
	// Sites lists the web pages that embed the host's widget.
	Sites     []string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IsTest reports whether a is a test (trial) account.
func (a Account) IsTest() bool { return !a.TestExpiresAt.IsZero() }

// TestExpired reports whether a is a test account whose trial ended by now.
func (a Account) TestExpired(now time.Time) bool {
	return a.IsTest() && !now.Before(a.TestExpiresAt)
}

// InSetup reports whether the account has not completed onboarding.
func (a Account) InSetup() bool { return !a.Onboarding.Complete }

// Usable returns nil when users may enter a, or the reason they may not:
// ErrAccountLocked, ErrAccountDisabled or ErrTestExpired, checked in that
// order.
func (a Account) Usable(now time.Time) error {
	switch {
	case a.Locked:
		return ErrAccountLocked
	case a.Status != AccountActive:
		return ErrAccountDisabled
	case a.TestExpired(now):
		return ErrTestExpired
	}
	return nil
}

// HasTag reports whether a carries tag.
func (a Account) HasTag(tag string) bool { return slices.Contains(a.Tags, tag) }

// Member is a user's place in an account: the primary admin, or a team
// member with granular permissions.
type Member struct {
	PlatformID string
	AccountID  string
	UserID     string
	// Primary marks the account's primary admin, who holds every permission.
	Primary bool
	// Permissions lists what a team member may do (PermLiveChat, ...,
	// or host-defined names).
	Permissions []string
	CreatedAt   time.Time
}

// Can reports whether the member holds permission p.
func (m Member) Can(p string) bool { return m.Primary || slices.Contains(m.Permissions, p) }

// Standard team-member permissions. Hosts may define more.
const (
	PermLiveChat  = "live_chat"
	PermAnalytics = "analytics"
	PermLeads     = "leads"
	PermBots      = "bots"
	PermBilling   = "billing"
	PermSettings  = "settings"
	PermTeam      = "team"
)

// Membership is a member together with the account it belongs to.
type Membership struct {
	Member  Member
	Account Account
}

// TokenPurpose says what a password token is for.
type TokenPurpose string

// Password token purposes.
const (
	// TokenSetPassword lets a user created without a password set one at
	// first login.
	TokenSetPassword TokenPurpose = "set_password"
	// TokenResetPassword lets a user who forgot their password choose a new
	// one.
	TokenResetPassword TokenPurpose = "reset_password"
)

// PasswordToken is a single-use link secret, stored only as its hash.
type PasswordToken struct {
	PlatformID string
	// Hash is the hex SHA-256 of the secret handed to the user.
	Hash      string
	UserID    string
	Purpose   TokenPurpose
	CreatedAt time.Time
	ExpiresAt time.Time
}
