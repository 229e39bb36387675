package tenancy

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Store persists tenancy records. It speaks in domain types, never SQL, and
// holds no rules: Service checks arguments, authorises and computes every
// value (IDs, times, hashes) before a Store sees it, so a Store never reads
// the clock nor makes an ID.
//
// Every method that changes something takes the audit event(s) describing
// the change and writes them in the same transaction, so the history always
// matches what happened; a call that fails writes no event. Every method is
// scoped by platform: a record of another platform, or one naming a user
// or account of another platform, is ErrNotFound.
//
// Tags, sites and permissions come back as the same set they were written
// with (Service keeps them sorted); onboarding steps keep their order.
// Empty slices come back nil.
//
// Implementations: tenancy/memstore and tenancy/sqlstore. A Store proves
// itself by passing tenancy/storetest.Run.
type Store interface {
	PlatformStore
	UserStore
	AccountStore
	MemberStore
	TokenStore
	QuotaStore
	OperatorStore
	GrantStore
	ActivityStore
	SSOStore
}

// PlatformStore persists platforms.
type PlatformStore interface {
	// InsertPlatform adds p; an existing ID is ErrConflict.
	InsertPlatform(ctx context.Context, p Platform, ev audit.Event) error
	// GetPlatform returns the platform with id, or ErrNotFound.
	GetPlatform(ctx context.Context, id string) (Platform, error)
	// UpdatePlatform writes p's name and UpdatedAt; ErrNotFound if missing.
	UpdatePlatform(ctx context.Context, p Platform, ev audit.Event) error
}

// UserStore persists users.
type UserStore interface {
	// InsertUser adds u. An email already held by a user of the platform
	// that is not deleted is ErrConflict, also when many inserts race.
	InsertUser(ctx context.Context, u User, ev audit.Event) error
	// GetUser returns the user, deleted ones included, or ErrNotFound.
	GetUser(ctx context.Context, platformID, userID string) (User, error)
	// GetUserByEmail returns the user that is not deleted with this
	// canonical email or, when there is none, the most recently updated
	// deleted one; ErrNotFound when neither exists.
	GetUserByEmail(ctx context.Context, platformID, email string) (User, error)
	// UpdateUser writes every mutable field of u (email, name, role, status,
	// password hash, UpdatedAt) if the stored version is still
	// u.Version-1, and stores u.Version. ErrStale when the version moved,
	// ErrNotFound when the user is gone, ErrConflict when the email is taken.
	UpdateUser(ctx context.Context, u User, ev audit.Event) error
	// ListUsers returns up to q.Limit users ordered by email then ID,
	// strictly after q.After when set.
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
}

// UserQuery selects users of one platform for UserStore.ListUsers.
type UserQuery struct {
	PlatformID string
	// Roles keeps users holding one of these roles (RoleNone for regular
	// users); empty means any role.
	Roles []Role
	// Statuses keeps users in one of these states; empty means active and
	// disabled (deleted users are left out).
	Statuses []UserStatus
	// Search keeps users whose email or name contains it, case-insensitively.
	Search string
	// AccountID keeps members of that account.
	AccountID string
	// After is the last user of the previous page.
	After *UserCursor
	Limit int
}

// UserCursor is a keyset position in the users order.
type UserCursor struct {
	Email string
	ID    string
}

// AccountStore persists accounts.
type AccountStore interface {
	// CreateAccount adds an account with, atomically, its new primary user
	// (when NewUser is set), its members, its allocations (each drawn from
	// its resource's pool, when there is one), an optional password token,
	// and the events. A taken nickname, UID or user email is ErrConflict, a
	// pool without room ErrQuotaExceeded, and nothing is written.
	CreateAccount(ctx context.Context, r NewAccount) error
	// CreateAccounts is CreateAccount for many accounts at once, all or
	// nothing: one failure writes none of them. Stores batch the writes.
	CreateAccounts(ctx context.Context, rs []NewAccount) error
	// GetAccount returns the account, or ErrNotFound.
	GetAccount(ctx context.Context, platformID, accountID string) (Account, error)
	// GetAccountByNickname returns the account with that nickname, or
	// ErrNotFound (always for ""; many accounts have no nickname).
	GetAccountByNickname(ctx context.Context, platformID, nickname string) (Account, error)
	// GetAccountByUID returns the account with that UID, or ErrNotFound.
	GetAccountByUID(ctx context.Context, platformID, uid string) (Account, error)
	// UpdateAccount writes every field of a but its ID, UID, PrimaryUserID
	// and CreatedAt (tags included) if the
	// stored version is still a.Version-1, and stores a.Version. ErrStale
	// when the version moved, ErrNotFound when the account is gone,
	// ErrConflict when the nickname is taken.
	UpdateAccount(ctx context.Context, a Account, ev audit.Event) error
	// DeleteAccount removes the account and everything of it atomically:
	// tags, members, allocations (returned to their pools), operator
	// assignments, grants, activity, and its SSO secret. Users left with no membership and no platform role become
	// UserDeleted with their name cleared, their version bumped, UpdatedAt
	// set to r.Now, and their password tokens and the grants they held on
	// other accounts deleted (their email and
	// password hash stay, so a login is told why it fails). It returns those
	// users' IDs. ErrNotFound when missing.
	DeleteAccount(ctx context.Context, r DeleteAccount) (DeletedAccount, error)
	// ListAccounts returns up to q.Limit accounts matching q in q.Sort order,
	// strictly after q.After when set.
	ListAccounts(ctx context.Context, q AccountQuery) ([]Account, error)
}

// NewAccount is what AccountStore.CreateAccount writes.
type NewAccount struct {
	Account Account
	// NewUser, when set, is inserted first (the account's new primary
	// admin).
	NewUser *User
	Members []Member
	// Allocations are the account's first allocations (Used zero), each
	// drawn from its resource's pool when there is one.
	Allocations []Allocation
	// Token, when set, is the primary admin's set-password token.
	Token  *PasswordToken
	Events []audit.Event
}

// DeleteAccount is what AccountStore.DeleteAccount needs.
type DeleteAccount struct {
	PlatformID string
	AccountID  string
	Now        time.Time
	Event      audit.Event
}

// DeletedAccount reports what a deletion removed.
type DeletedAccount struct {
	Account Account
	// DeletedUserIDs are the users that had no other place on the platform.
	DeletedUserIDs []string
}

// AccountSort orders an account listing.
type AccountSort string

// Account orders.
const (
	// SortNewest lists the newest accounts first (the default).
	SortNewest AccountSort = "newest"
	// SortName lists accounts by name, case-insensitively, A to Z.
	SortName AccountSort = "name"
)

// AccountQuery selects accounts of one platform for listing.
type AccountQuery struct {
	PlatformID string
	// Status keeps accounts in that state; empty means any.
	Status AccountStatus
	// IncludeLocked keeps locked accounts, which are otherwise left out
	// (the accounts page's "include locked accounts" filter).
	IncludeLocked bool
	// Test keeps test accounts: all of them, or those still running or
	// expired at Now.
	Test TestFilter
	// Now is the instant Test compares expiries with.
	Now time.Time
	// OnlyInSetup keeps accounts that have not completed onboarding;
	// OnlyTemplates template accounts.
	OnlyInSetup   bool
	OnlyTemplates bool
	// OperatorID keeps accounts assigned to that operator ("my accounts").
	OperatorID string
	// Tag keeps accounts carrying it; Plan accounts with that plan label.
	Tag  string
	Plan string
	// Search keeps accounts whose name, email, nickname or UID contains it,
	// case-insensitively.
	Search string
	Sort   AccountSort
	// After is the last account of the previous page.
	After *AccountCursor
	Limit int
}

// AccountCursor is a keyset position: the sort key of the last account of
// a page and its ID.
type AccountCursor struct {
	// Name is the last account's name lowercased (SortName).
	Name string
	// CreatedAt is the last account's creation time (SortNewest).
	CreatedAt time.Time
	ID        string
}

// TestFilter selects test accounts in a listing.
type TestFilter string

// Test account filters.
const (
	// AnyAccount does not filter (the default).
	AnyAccount TestFilter = ""
	// TestAccounts keeps every test account.
	TestAccounts TestFilter = "test"
	// TestRunning keeps test accounts whose trial has not ended.
	TestRunning TestFilter = "running"
	// TestExpired keeps test accounts whose trial has ended.
	TestExpired TestFilter = "expired"
)

// MemberStore persists account members.
type MemberStore interface {
	// InsertMember adds r.Member, and when r.Quota is set uses that much of
	// the account's allocation in the same transaction. An existing
	// (account, user) pair is ErrConflict, a missing account or user
	// ErrNotFound, an allocation without room ErrQuotaExceeded; nothing is
	// written then.
	InsertMember(ctx context.Context, r NewMember) error
	// UpdateMember writes m's permissions; ErrNotFound if missing.
	UpdateMember(ctx context.Context, m Member, ev audit.Event) error
	// DeleteMember removes the member and, when r.Quota is set, gives that
	// much back to the account's allocation; ErrNotFound if missing.
	DeleteMember(ctx context.Context, r RemoveMember) error
	// Members lists an account's members, the primary first, then by
	// CreatedAt and user ID.
	Members(ctx context.Context, platformID, accountID string) ([]Member, error)
	// Memberships lists a user's places with their accounts, ordered by
	// the member's CreatedAt and account ID.
	Memberships(ctx context.Context, platformID, userID string) ([]Membership, error)
}

// NewMember is what MemberStore.InsertMember writes.
type NewMember struct {
	Member Member
	// Quota, when set, is used from the account's allocation (a team
	// member takes one unit of ResourceTeamMembers).
	Quota *QuotaUse
	Event audit.Event
}

// RemoveMember is what MemberStore.DeleteMember needs.
type RemoveMember struct {
	PlatformID string
	AccountID  string
	UserID     string
	// Quota, when set, is given back to the account's allocation (N is
	// positive: the units to release).
	Quota *QuotaUse
	Event audit.Event
}

// QuotaUse is an amount of an account's allocation of a resource.
type QuotaUse struct {
	Resource string
	N        int64
}

// TokenStore persists password tokens.
type TokenStore interface {
	// InsertToken adds t after deleting the user's other tokens of the same
	// purpose, so only the newest link works. ErrNotFound when the user is
	// not on the platform.
	InsertToken(ctx context.Context, t PasswordToken, ev audit.Event) error
	// UseToken spends a token atomically: if the token with r.Hash exists,
	// is of r.Purposes and has not expired at r.Now, it is deleted with
	// every other token of that user and purpose, the user's password hash
	// is set to r.PasswordHash (version bumped, UpdatedAt set to r.Now), the
	// event is written with TargetID and ActorID filled with the user's ID
	// where empty, and the updated user returned. A token that exists but
	// has expired (r.Now at or past ExpiresAt) is deleted, writes no event,
	// and is reported as ErrExpired; an unknown one is
	// ErrNotFound. Of many concurrent calls with one token, one succeeds.
	UseToken(ctx context.Context, r UseToken) (User, error)
}

// UseToken is what TokenStore.UseToken needs.
type UseToken struct {
	PlatformID   string
	Hash         string
	Purposes     []TokenPurpose
	Now          time.Time
	PasswordHash string
	Event        audit.Event
}
