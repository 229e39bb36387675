package tenancy

import "time"

// Standard quota resources. Hosts may name more.
const (
	// ResourceBotSlots are the chatbots an account may run. Converting a
	// test account to a regular one takes one from the pool.
	ResourceBotSlots = "bot_slots"
	// ResourceSeats are staff seats of an account.
	ResourceSeats = "seats"
	// ResourceTeamMembers are the team members an account may add (its
	// primary admin aside). Every new account gets 10 by default.
	ResourceTeamMembers = "team_members"
	// ResourceMessages are messages per period.
	ResourceMessages = "messages"
)

// Pool is a platform's capacity of one resource, shared out to its
// accounts as allocations. A resource with no pool is unlimited.
type Pool struct {
	PlatformID string
	Resource   string
	// Capacity is how many units the platform has.
	Capacity int64
	// Allocated is the sum of the accounts' allocations of the resource.
	Allocated int64
	UpdatedAt time.Time
}

// Free is how many units are left to allocate.
func (p Pool) Free() int64 { return p.Capacity - p.Allocated }

// Allocation is an account's share of a resource and how much of it is
// used. Used never exceeds Limit, and the allocations of a resource never
// exceed its pool.
type Allocation struct {
	PlatformID string
	AccountID  string
	Resource   string
	Limit      int64
	Used       int64
	UpdatedAt  time.Time
}

// Free is how many units the account may still use.
func (a Allocation) Free() int64 { return a.Limit - a.Used }

// Assignment puts an account in an operator's care ("my accounts").
type Assignment struct {
	PlatformID string
	AccountID  string
	OperatorID string
	CreatedAt  time.Time
}

// Grant gives a user access to one resource of an account (a chatbot
// shared with a manager).
type Grant struct {
	PlatformID string
	AccountID  string
	// ResourceID is the host's identifier of the resource (a chatbot ID).
	ResourceID string
	UserID     string
	// GrantedBy is the actor who gave the access.
	GrantedBy string
	CreatedAt time.Time
}

// ActivityPoint is one metric's count for one account on one day.
type ActivityPoint struct {
	Metric string
	// Day is midnight UTC of the day counted.
	Day time.Time
	N   int64
}

// Figures are an account's summary figures on the accounts page.
type Figures struct {
	AccountID string
	// Users is how many members the account has.
	Users int64
	// Totals are the running totals of the host's activity metrics
	// ("subscribers", "messages"), as counted by Service.CountActivity.
	Totals map[string]int64
}
