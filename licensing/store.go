package licensing

import (
	"context"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Store persists licensing records. It speaks in domain types and holds no
// rules: Service checks, authorises and computes every value (IDs, times,
// numbers) first, so a Store never reads the clock nor makes an ID. Every
// method is scoped by platform: another platform's record is ErrNotFound.
// Every change writes its audit event in the same transaction; a call that
// fails writes nothing.
//
// Stores that serve many processes also tell them about changes (see
// ChangeListener), so that every process's Gate forgets what changed.
//
// Implementations: licensing/memstore and licensing/sqlstore; both pass
// licensing/storetest.
type Store interface {
	LicenseStore
	PlanStore
	CreditStore
	// GateFacts reads what the gate needs about an account, in one query
	// where the store can: its license (as AccountLicense), that license's
	// plan, and the account's feature overrides. License and Plan are nil
	// when there is none.
	GateFacts(ctx context.Context, platformID, accountID string) (Facts, error)
}

// Facts are what a Gate knows about an account's licensing.
type Facts struct {
	License   *License
	Plan      *Plan
	Overrides []Override
}

// LicenseStore persists licenses and their history.
type LicenseStore interface {
	// WriteLicenses applies changes in order, in one transaction, with ev:
	// an Insert adds the license, any other change updates it if its stored
	// version is still License.Version-1 (ErrStale otherwise, ErrNotFound
	// when missing); each change's History entries are appended. A license
	// number already taken is ErrConflict, and so is a second license
	// stored Active for one account, however many writers race (the
	// database enforces it).
	WriteLicenses(ctx context.Context, changes []LicenseChange, ev audit.Event) error
	// GetLicense returns the license, or ErrNotFound.
	GetLicense(ctx context.Context, platformID, id string) (License, error)
	// GetLicenseByNumber returns the license with that number, or
	// ErrNotFound.
	GetLicenseByNumber(ctx context.Context, platformID, number string) (License, error)
	// AccountLicense returns the account's license stored Active, or else
	// its most recently updated license (ties: greater ID), or ErrNotFound.
	AccountLicense(ctx context.Context, platformID, accountID string) (License, error)
	// AccountLicenses is AccountLicense for many accounts in one read (a
	// page of accounts): the license of each account that has one, by
	// account ID; accounts without a license are absent.
	AccountLicenses(ctx context.Context, platformID string, accountIDs []string) (map[string]License, error)
	// ListLicenses returns up to q.Limit licenses matching q, newest first
	// (CreatedAt then ID, descending), strictly after q.After when set.
	ListLicenses(ctx context.Context, q LicenseQuery) ([]License, error)
	// History lists a license's entries, oldest first (At, then ID).
	History(ctx context.Context, platformID, licenseID string) ([]HistoryEntry, error)
	// DueLicenses lists, across platforms, up to limit licenses whose stored
	// status no longer holds at now: Active ones past their end or their
	// grace deadline, Inactive ones past their end; oldest end first.
	DueLicenses(ctx context.Context, now time.Time, limit int) ([]License, error)
}

// LicenseChange is one license to insert or update, with the history
// entries that record it.
type LicenseChange struct {
	License License
	Insert  bool
	History []HistoryEntry
}

// LicenseQuery selects licenses of one platform.
type LicenseQuery struct {
	PlatformID string
	// Status keeps licenses stored in that state; empty means any.
	Status Status
	// AccountID keeps licenses of that account; Unassigned those of none.
	AccountID  string
	Unassigned bool
	PlanID     string
	// Number keeps licenses whose number contains it, case-insensitively.
	Number string
	After  *LicenseCursor
	Limit  int
}

// LicenseCursor is a keyset position in the newest-first order.
type LicenseCursor struct {
	CreatedAt time.Time
	ID        string
}

// PlanStore persists plans, per-account overrides and the features a
// platform hides from its clients.
type PlanStore interface {
	// InsertPlan adds p; a name already used on the platform is ErrConflict.
	InsertPlan(ctx context.Context, p Plan, ev audit.Event) error
	// UpdatePlan writes p if its stored version is still p.Version-1
	// (ErrStale otherwise); ErrNotFound when missing, ErrConflict when the
	// name is taken.
	UpdatePlan(ctx context.Context, p Plan, ev audit.Event) error
	// GetPlan returns the plan, or ErrNotFound.
	GetPlan(ctx context.Context, platformID, id string) (Plan, error)
	// Plans lists the platform's plans by name.
	Plans(ctx context.Context, platformID string) ([]Plan, error)
	// SetOverride sets (creates or replaces) an account's override of one
	// feature.
	SetOverride(ctx context.Context, o Override, ev audit.Event) error
	// DeleteOverride removes an override; ErrNotFound when there is none.
	DeleteOverride(ctx context.Context, o Override, ev audit.Event) error
	// Overrides lists an account's overrides by feature.
	Overrides(ctx context.Context, platformID, accountID string) ([]Override, error)
	// SetHiddenFeatures replaces the features the platform hides from its
	// clients.
	SetHiddenFeatures(ctx context.Context, platformID string, keys []string, ev audit.Event) error
	// HiddenFeatures lists the features the platform hides, sorted.
	HiddenFeatures(ctx context.Context, platformID string) ([]string, error)
}

// CreditStore persists communication credits.
type CreditStore interface {
	// ApplyCredit adds e.Delta to the account's balance of e.Kind and
	// records e with Balance set to the new balance, atomically. A balance
	// that would fall below zero is ErrInsufficientCredits and nothing is
	// written. When e.IdempotencyKey was used before for the account, nothing
	// is applied and the earlier entry is returned with applied false; of
	// many calls racing with one key, one applies.
	ApplyCredit(ctx context.Context, e CreditEntry, ev audit.Event) (entry CreditEntry, applied bool, err error)
	// Balances returns the account's balance of every kind it has.
	Balances(ctx context.Context, platformID, accountID string) (map[string]int64, error)
	// CreditHistory returns up to q.Limit entries, newest first (At, then
	// ID, descending), strictly after q.After when set.
	CreditHistory(ctx context.Context, q CreditQuery) ([]CreditEntry, error)
}

// CreditQuery selects an account's credit entries.
type CreditQuery struct {
	PlatformID string
	AccountID  string
	// Kind keeps entries of that kind; empty means all.
	Kind  string
	After *CreditCursor
	Limit int
}

// CreditCursor is a keyset position in the newest-first order.
type CreditCursor struct {
	At time.Time
	ID string
}

// ChangeListener is an optional Store capability: telling every process
// which account's licensing facts changed (PostgreSQL LISTEN/NOTIFY in
// licensing/sqlstore), so gates in other processes forget them at once.
type ChangeListener interface {
	// NotifyChange tells listeners that an account's facts changed (for
	// changes made outside this Store, such as the account being locked).
	NotifyChange(ctx context.Context, platformID, accountID string) error
	// ListenChanges calls fn for every change notified by any process,
	// including those every write of the Store sends, until ctx ends.
	// ready is called once the listener is subscribed.
	ListenChanges(ctx context.Context, ready func(), fn func(platformID, accountID string)) error
}
