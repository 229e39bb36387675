package tenancy

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Cascade holds the changes that follow a change of an account or a user
// in other packages' tables: the tenantry façade ends impersonation
// sessions and revokes pending invitations of an account closed or
// deleted, and ends the sessions of a user demoted, disabled or
// renamed. Each runs inside the change's unit of work (Config.Atomic), so
// an error undoes the change and the caller gets it; without Atomic they
// run after the change is committed and their error is returned with the
// change made (and heard by the On* hooks). A nil func is skipped.
type Cascade struct {
	// AccountChanged follows every change of an account made through the
	// Service.
	AccountChanged func(ctx context.Context, c AccountChange) error
	// AccountDeleted follows the deletion of an account.
	AccountDeleted func(ctx context.Context, d AccountDeleted) error
	// UserChanged follows every change of a user.
	UserChanged func(ctx context.Context, c UserChange) error
}

// Config tunes a Service. A nil *Config means all defaults.
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes record IDs. Defaults to UUIDv7 strings.
	NewID func() string
	// NewUID makes account UIDs for API integrations: short, unguessable,
	// ASCII. Defaults to 16 lowercase base32 characters (80 random bits).
	NewUID func() string

	// MinPasswordLength is the shortest password accepted, in characters.
	// Defaults to 8.
	MinPasswordLength int
	// MaxPasswordLength is the longest password accepted, in characters, so
	// long passphrases fit but nobody makes the hasher chew megabytes.
	// Defaults to 512.
	MaxPasswordLength int
	// BreachedPassword, when set, is asked about every new password; true
	// refuses it (for instance a k-anonymity lookup against a breach
	// corpus). An error fails the call.
	BreachedPassword func(ctx context.Context, password string) (bool, error)
	// Argon2 are the password hashing costs. Defaults to DefaultArgon2.
	Argon2 Argon2Params

	// SetPasswordTTL is how long a "set your password at first login" link
	// works. Defaults to 7 days.
	SetPasswordTTL time.Duration
	// ResetPasswordTTL is how long a password reset link works. Defaults to
	// 1 hour.
	ResetPasswordTTL time.Duration

	// AuthorizeOwnerDemotion is the higher authority that must approve
	// taking the owner role from a user (a super-admin check the host
	// supplies). It returns nil to allow. When nil, only a system principal
	// may demote an owner; a peer owner never can on its own.
	AuthorizeOwnerDemotion func(ctx context.Context, d OwnerDemotion) error

	// Atomic, when set, runs fn as one database transaction together with
	// whatever other packages' stores on the same database do with the
	// context fn receives (the tenantry façade sets it). The Service then
	// runs each account and user change, and each deletion, in one unit
	// with its Cascade, so that both commit or neither does. Nil runs the
	// change on its own and the Cascade after it.
	Atomic func(ctx context.Context, fn func(ctx context.Context) error) error
	// Cascade is what must change with an account or a user, in the same
	// transaction when Atomic is set (see Cascade).
	Cascade Cascade

	// OnAccountDeleted is told, after the deletion is committed, about every
	// account deleted, so the host can drop its own data (bots,
	// conversations). Errors are the host's to handle; deletion is final.
	OnAccountDeleted func(ctx context.Context, d AccountDeleted)
	// OnAccountChanged is told, after the change is committed, about every
	// change of an account made through the Service (disabled, locked,
	// secure, test expiry, details...), so that what depends on it can
	// follow at once: the tenantry façade ends impersonation sessions,
	// revokes pending invitations and tells the licensing gate. It runs in
	// the caller's goroutine; keep it quick.
	OnAccountChanged func(ctx context.Context, c AccountChange)
	// OnUserChanged is told, after the change is committed, about every
	// change of a user made through the Service (role, status, email,
	// password...).
	OnUserChanged func(ctx context.Context, c UserChange)

	// DefaultAllocations are the allocations every new account gets, by
	// resource, each drawn from its pool when the resource has one.
	// Defaults to 10 team members (ResourceTeamMembers); a map given here
	// replaces the default whole.
	DefaultAllocations map[string]int64
	// TestConversion is what converting a test account to a regular one
	// takes from the pool. Defaults to one bot slot.
	TestConversion QuotaUse
	// LinkScreening is how long a new account may not send external links
	// unless staff lift the screening. Defaults to 30 days.
	LinkScreening time.Duration

	// PermissionTTL is how long Can trusts a cached membership. Defaults to
	// 30 seconds.
	PermissionTTL time.Duration
	// PermissionCacheSize bounds the memberships Can keeps. Defaults to
	// 100,000.
	PermissionCacheSize int

	// SecretKey encrypts the accounts' SSO secrets at rest
	// (XChaCha20-Poly1305). It must be 32 bytes; SSO calls fail without it.
	SecretKey []byte
	// SSOLinkMaxAge bounds how far in the future a signed login link may
	// expire. Defaults to 10 minutes.
	SSOLinkMaxAge time.Duration

	// Logger receives warnings (such as a failed re-hash). Defaults to
	// silent.
	Logger *slog.Logger
}

// OwnerDemotion is what Config.AuthorizeOwnerDemotion is asked to approve.
type OwnerDemotion struct {
	PlatformID string
	// Actor is who asks.
	Actor audit.Principal
	// UserID is the owner to demote, NewRole the role they would get.
	UserID  string
	NewRole Role
}

// AccountChange is an account before and after a committed change.
type AccountChange struct {
	// Action is the audit action of the change ("account.lock", ...).
	Action string
	Before Account
	After  Account
}

// UserChange is a user before and after a committed change.
type UserChange struct {
	// Action is the audit action of the change ("user.set_role", ...).
	Action string
	Before User
	After  User
}

// AccountDeleted tells the host an account is gone.
type AccountDeleted struct {
	PlatformID string
	AccountID  string
	// DeletedUserIDs are users that had no other place on the platform.
	DeletedUserIDs []string
	At             time.Time
}

// Defaults used when the matching Config field is zero.
const (
	DefaultMinPasswordLength = 8
	DefaultMaxPasswordLength = 512
	DefaultSetPasswordTTL    = 7 * 24 * time.Hour
	DefaultResetPasswordTTL  = time.Hour
	DefaultTeamMembers       = 10
	DefaultLinkScreening     = 30 * 24 * time.Hour
	DefaultPermissionTTL     = 30 * time.Second
	DefaultSSOLinkMaxAge     = 10 * time.Minute
)

func (c *Config) withDefaults() Config {
	var out Config
	if c != nil {
		out = *c
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	if out.NewID == nil {
		out.NewID = audit.NewUUIDv7
	}
	if out.NewUID == nil {
		out.NewUID = newUID
	}
	if out.MinPasswordLength <= 0 {
		out.MinPasswordLength = DefaultMinPasswordLength
	}
	if out.MaxPasswordLength <= 0 {
		out.MaxPasswordLength = DefaultMaxPasswordLength
	}
	if out.MaxPasswordLength < out.MinPasswordLength {
		out.MaxPasswordLength = out.MinPasswordLength
	}
	if out.Argon2 == (Argon2Params{}) {
		out.Argon2 = DefaultArgon2
	}
	if out.SetPasswordTTL <= 0 {
		out.SetPasswordTTL = DefaultSetPasswordTTL
	}
	if out.ResetPasswordTTL <= 0 {
		out.ResetPasswordTTL = DefaultResetPasswordTTL
	}
	if out.DefaultAllocations == nil {
		out.DefaultAllocations = map[string]int64{ResourceTeamMembers: DefaultTeamMembers}
	}
	if out.TestConversion == (QuotaUse{}) {
		out.TestConversion = QuotaUse{Resource: ResourceBotSlots, N: 1}
	}
	if out.LinkScreening <= 0 {
		out.LinkScreening = DefaultLinkScreening
	}
	if out.PermissionTTL <= 0 {
		out.PermissionTTL = DefaultPermissionTTL
	}
	if out.PermissionCacheSize <= 0 {
		out.PermissionCacheSize = 100_000
	}
	if out.SSOLinkMaxAge <= 0 {
		out.SSOLinkMaxAge = DefaultSSOLinkMaxAge
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

var uidEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func newUID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return strings.ToLower(uidEncoding.EncodeToString(b[:]))
}
