package licensing

import (
	"slices"
	"time"
)

// Status is a license's state.
type Status string

// License states. A license is active until it expires, lapses after a
// missed payment (inactive), or is revoked (for good).
const (
	Active   Status = "active"
	Inactive Status = "inactive"
	Expired  Status = "expired"
	Revoked  Status = "revoked"
)

// License lets one account be served.
type License struct {
	PlatformID string
	ID         string
	// Number is the human-readable license number ("LIC-7K4M-9Q2X"),
	// unique on the platform.
	Number string
	// AccountID is the account the license is assigned to; empty when
	// unassigned.
	AccountID string
	PlanID    string
	// Status is the stored state. What holds now is Status.At(now): a
	// license past its end, or past its grace period after a missed
	// payment, is no longer active even before the sweeper records it.
	Status   Status
	StartsAt time.Time
	EndsAt   time.Time
	// Grace is how long the license stays active after a missed payment.
	Grace time.Duration
	// PaymentFailedAt is when a payment was last missed; zero once paid.
	PaymentFailedAt time.Time
	Version         int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// StatusAt is the license's state at now: the stored state, unless an
// active license has reached its end (Expired) or its grace period after a
// missed payment (Inactive), and an inactive one its end (Expired).
func (l License) StatusAt(now time.Time) Status {
	switch l.Status {
	case Active:
		if !now.Before(l.EndsAt) {
			return Expired
		}
		if !l.PaymentFailedAt.IsZero() && !now.Before(l.PaymentFailedAt.Add(l.Grace)) {
			return Inactive
		}
	case Inactive:
		if !now.Before(l.EndsAt) {
			return Expired
		}
	}
	return l.Status
}

// ActiveAt reports whether the license lets its account be served at now.
func (l License) ActiveAt(now time.Time) bool {
	return l.StatusAt(now) == Active && !now.Before(l.StartsAt)
}

// EventKind names an entry of a license's history.
type EventKind string

// License history entries.
const (
	Issued          EventKind = "issued"
	Assigned        EventKind = "assigned"
	Moved           EventKind = "moved"
	Unassigned      EventKind = "unassigned"
	Renewed         EventKind = "renewed"
	PlanChanged     EventKind = "plan_changed"
	PaymentFailed   EventKind = "payment_failed"
	PaymentReceived EventKind = "payment_received"
	Lapsed          EventKind = "lapsed"
	Reactivated     EventKind = "reactivated"
	ExpiredEvent    EventKind = "expired"
	RevokedEvent    EventKind = "revoked"
)

// HistoryEntry is one transition of a license.
type HistoryEntry struct {
	PlatformID string
	LicenseID  string
	ID         string
	Kind       EventKind
	// AccountID is the account concerned (for moved: the new one);
	// FromAccountID the previous one, for moved and unassigned.
	AccountID     string
	FromAccountID string
	// ActorID is who acted: a user ID or "system:NAME" (the sweeper).
	ActorID string
	// Detail is a short human note ("ends 2027-01-31", "plan pro").
	Detail string
	At     time.Time
}

// Feature is a capability of the host's product that plans switch on.
type Feature struct {
	// Key names the feature in code ("live_chat").
	Key string
	// Name is what people read ("Live chat").
	Name string
}

// Plan is what a license gives: features and limits.
type Plan struct {
	PlatformID string
	ID         string
	Name       string
	// Features lists the feature keys the plan switches on, sorted.
	Features []string
	// Limits are the plan's numeric limits by name (LimitSeats, ...).
	Limits    map[string]int64
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Has reports whether the plan switches feature key on.
func (p Plan) Has(key string) bool { return slices.Contains(p.Features, key) }

// Standard limit names. Hosts may name more.
const (
	LimitSeats            = "seats"
	LimitBots             = "bots"
	LimitTeamMembers      = "team_members"
	LimitMessagesPerMonth = "messages_per_month"
)

// Override switches one feature on or off for one account, whatever its
// plan (the reseller's "modify features").
type Override struct {
	PlatformID string
	AccountID  string
	Feature    string
	Enabled    bool
	UpdatedAt  time.Time
}

// CreditEntry is one change to an account's credits of a kind.
type CreditEntry struct {
	PlatformID string
	AccountID  string
	// Kind names the credit ("sms", "voice_minutes").
	Kind string
	ID   string
	// Delta is positive for a grant, negative for a debit.
	Delta int64
	// Balance is the balance after this entry.
	Balance int64
	// IdempotencyKey, when set, makes a retried change apply once.
	IdempotencyKey string
	Reason         string
	ActorID        string
	At             time.Time
}

// Standard credit kinds. Hosts may name more.
const (
	CreditSMS          = "sms"
	CreditVoiceMinutes = "voice_minutes"
)
