package audit

import (
	"context"
	"time"
)

// Event is one recorded action.
type Event struct {
	// PlatformID is the platform the action happened on. Required.
	PlatformID string
	// ID is a UUIDv7, set by Service.Record when empty.
	ID string
	// At is when it happened (UTC, microseconds), set by Service.Record from
	// its clock when zero.
	At time.Time
	// AccountID is the account acted on, if any.
	AccountID string
	// ActorID is who acted: a user ID, or "system:NAME" (see Principal.Actor).
	// Required.
	ActorID string
	// OnBehalfOfID is the impersonated user when the actor acted as someone
	// else; empty otherwise.
	OnBehalfOfID string
	// Action names what was done, as "noun.verb": "account.disable".
	// Required.
	Action string
	// TargetType and TargetID name the object acted on ("user", "u-123").
	TargetType string
	TargetID   string
	// Reason is why, when the actor gave one (impersonation reason, ticket).
	Reason string
	// Changes lists what changed, field by field; nil when none (stores
	// return nil, never an empty slice).
	Changes []Change
}

// Change is one field's value before and after an action. Secrets are never
// recorded: a changed password shows as "(changed)".
type Change struct {
	Field  string `json:"field"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// FromContext returns an event for action with the actor and on-behalf-of
// fields taken from the principal in ctx.
func FromContext(ctx context.Context, platformID, action string) Event {
	p, _ := PrincipalFrom(ctx)
	return Event{
		PlatformID:   platformID,
		ActorID:      p.Actor(),
		OnBehalfOfID: p.OnBehalfOf(),
		Action:       action,
	}
}

// Query selects events of one platform, newest first.
type Query struct {
	// PlatformID is required.
	PlatformID string
	// AccountID, ActorID and Action, when set, keep only matching events.
	// ActorID also matches events done on that user's behalf.
	AccountID string
	ActorID   string
	Action    string
	// Since (inclusive) and Until (exclusive) bound At when set.
	Since time.Time
	Until time.Time
	// After is the cursor of the previous page (Page.Next); empty for the
	// first page.
	After string
	// Limit is the page size. Defaults to 50; at most 1000.
	Limit int
}

// Page is one page of events and the cursor of the next one ("" at the end).
type Page struct {
	Events []Event
	Next   string
}

// Cursor is the keyset position of an event in the newest-first order.
type Cursor struct {
	At time.Time
	ID string
}
