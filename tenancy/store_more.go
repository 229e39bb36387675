package tenancy

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// QuotaStore persists pools and allocations. Every method is atomic and
// holds under concurrency: the allocations of a resource never exceed its
// pool, and an allocation's use never exceeds its limit, however many calls
// race.
type QuotaStore interface {
	// SetPool sets a resource's capacity on the platform (creating the pool
	// when missing, with Allocated the sum of existing allocations).
	// ErrQuotaExceeded when the capacity is below what is allocated.
	SetPool(ctx context.Context, r SetPool) (Pool, error)
	// Pools lists the platform's pools by resource.
	Pools(ctx context.Context, platformID string) ([]Pool, error)
	// AdjustAllocation changes an account's allocation of a resource by
	// r.Delta units (creating it at zero when missing), drawn from or given
	// back to the pool when there is one. ErrQuotaExceeded when the pool
	// lacks room, ErrConflict when the limit would fall below what is used
	// or below zero, ErrNotFound when the account is missing.
	AdjustAllocation(ctx context.Context, r AdjustAllocation) (Allocation, error)
	// UseQuota uses r.N units of an account's allocation (negative N gives
	// units back). ErrQuotaExceeded when the allocation is missing or Used
	// would pass Limit; ErrConflict when Used would fall below zero. No
	// event: use is counted, not audited.
	UseQuota(ctx context.Context, r UseQuota) (Allocation, error)
	// Allocations lists the allocations of the given accounts (all of the
	// platform's when accountIDs is empty), by account then resource.
	Allocations(ctx context.Context, platformID string, accountIDs []string) ([]Allocation, error)
	// ConvertTestAccount writes r.Account (a test account made regular:
	// TestExpiresAt cleared) under its version guard and, in the same
	// transaction, adds r.Units to its allocation of r.Resource from the
	// pool. ErrQuotaExceeded when the pool lacks room, ErrStale when the
	// account's version moved; nothing is written then.
	ConvertTestAccount(ctx context.Context, r ConvertTestAccount) (Account, error)
}

// SetPool is what QuotaStore.SetPool writes.
type SetPool struct {
	PlatformID string
	Resource   string
	Capacity   int64
	Now        time.Time
	Event      audit.Event
}

// AdjustAllocation is what QuotaStore.AdjustAllocation writes.
type AdjustAllocation struct {
	PlatformID string
	AccountID  string
	Resource   string
	Delta      int64
	Now        time.Time
	Event      audit.Event
}

// UseQuota is what QuotaStore.UseQuota needs.
type UseQuota struct {
	PlatformID string
	AccountID  string
	Resource   string
	N          int64
	Now        time.Time
}

// ConvertTestAccount is what QuotaStore.ConvertTestAccount writes.
type ConvertTestAccount struct {
	Account  Account
	Resource string
	Units    int64
	Event    audit.Event
}

// OperatorStore persists operator assignments.
type OperatorStore interface {
	// Assign puts every account of r.AccountIDs in the operator's care
	// (accounts already assigned to them stay as they are). ErrNotFound
	// when an account or the operator is missing; nothing is written then.
	Assign(ctx context.Context, r Assign) error
	// Unassign takes the accounts out of the operator's care (accounts not
	// assigned to them are skipped).
	Unassign(ctx context.Context, r Assign) error
	// Assignments lists the operators of the given accounts, by account
	// then operator.
	Assignments(ctx context.Context, platformID string, accountIDs []string) ([]Assignment, error)
}

// Assign is what OperatorStore.Assign and Unassign write.
type Assign struct {
	PlatformID string
	OperatorID string
	AccountIDs []string
	Now        time.Time
	Event      audit.Event
}

// GrantStore persists resource grants.
type GrantStore interface {
	// InsertGrant adds g; an existing grant is ErrConflict, a missing
	// account or user ErrNotFound.
	InsertGrant(ctx context.Context, g Grant, ev audit.Event) error
	// DeleteGrant removes a grant; ErrNotFound if missing.
	DeleteGrant(ctx context.Context, g Grant, ev audit.Event) error
	// Grants lists the grants matching q, by account, resource, then user.
	Grants(ctx context.Context, q GrantQuery) ([]Grant, error)
}

// GrantQuery selects grants of one platform; empty fields match all.
type GrantQuery struct {
	PlatformID string
	AccountID  string
	ResourceID string
	UserID     string
}

// ActivityStore persists the host's activity counters.
type ActivityStore interface {
	// AddActivity adds r.N to the account's count of r.Metric on r.Day and
	// to its running total, in one transaction, safely under concurrency.
	// ErrNotFound when the account is missing.
	AddActivity(ctx context.Context, r AddActivity) error
	// Activity lists the account's daily counts of the metrics (all when
	// empty) from q.From to q.To inclusive, by metric then day.
	Activity(ctx context.Context, q ActivityQuery) ([]ActivityPoint, error)
	// Figures returns the summary figures of the given accounts (member
	// count and activity totals) in one batch, whatever their number.
	Figures(ctx context.Context, platformID string, accountIDs []string) ([]Figures, error)
}

// AddActivity is what ActivityStore.AddActivity writes.
type AddActivity struct {
	PlatformID string
	AccountID  string
	Metric     string
	// Day is midnight UTC.
	Day time.Time
	N   int64
}

// ActivityQuery selects an account's daily counts.
type ActivityQuery struct {
	PlatformID string
	AccountID  string
	Metrics    []string
	// From and To are midnights UTC, both included.
	From time.Time
	To   time.Time
}

// SSOStore persists accounts' SSO secrets and the nonces of used login
// links.
type SSOStore interface {
	// SetSSOSecret stores an account's sealed (encrypted) SSO secret,
	// replacing the previous one. ErrNotFound when the account is missing.
	SetSSOSecret(ctx context.Context, r SetSSOSecret) error
	// SSOSecret returns an account's sealed SSO secret, or ErrNotFound when
	// it has none.
	SSOSecret(ctx context.Context, platformID, accountID string) ([]byte, error)
	// UseSSONonce records a login link's nonce hash as spent until
	// expiresAt. ErrConflict when it was spent before: a link works once.
	UseSSONonce(ctx context.Context, platformID, nonceHash string, expiresAt time.Time) error
	// PurgeSSONonces deletes at most limit spent nonces that expired before
	// cutoff, and returns how many.
	PurgeSSONonces(ctx context.Context, cutoff time.Time, limit int) (int, error)
}

// SetSSOSecret is what SSOStore.SetSSOSecret writes.
type SetSSOSecret struct {
	PlatformID string
	AccountID  string
	Sealed     []byte
	Now        time.Time
	Event      audit.Event
}
