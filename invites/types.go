package invites

import "time"

// Kind is what an invitation grants.
type Kind string

// Invitation kinds.
const (
	// KindAccount invites a new customer: accepting creates their account.
	KindAccount Kind = "account"
	// KindTeamMember invites a team member of an account, with permissions.
	// A pending one holds a seat of the account's team quota.
	KindTeamMember Kind = "team_member"
	// KindManager gives delegated access to one resource of an account (a
	// chatbot): the owner sees it shared; several managers are allowed.
	KindManager Kind = "manager"
	// KindStaff invites a platform admin or operator.
	KindStaff Kind = "staff"
)

// Status is where an invitation stands. An invitation past its expiry is
// expired whatever its stored status says (see StatusAt).
type Status string

// Invitation states.
const (
	Pending  Status = "pending"
	Accepted Status = "accepted"
	Declined Status = "declined"
	Revoked  Status = "revoked"
	Expired  Status = "expired"
)

// Invitation asks one person, by email, to take a place on a platform.
type Invitation struct {
	PlatformID string
	ID         string
	Kind       Kind
	// Email is the invitee's canonical address; only a user with this
	// address may accept.
	Email string
	// InviterID is who invited (a user ID, or "system:NAME").
	InviterID string
	// AccountID is the account of a team-member or manager invitation.
	AccountID string
	// ResourceID is the resource of a manager invitation (a chatbot ID).
	ResourceID string
	// Role is the platform role of a staff invitation ("admin",
	// "operator", "secure_operator").
	Role string
	// Permissions are a team member's, sorted.
	Permissions []string
	// AccountName is the name suggested for a new customer account.
	AccountName string
	Status      Status
	// TokenHash is the hex SHA-256 of the link's secret; the secret itself
	// is never stored.
	TokenHash string
	ExpiresAt time.Time
	// SentAt is when the link was last sent (creation or resend).
	SentAt    time.Time
	CreatedAt time.Time
	// DecidedAt and DecidedBy say when the invitation was accepted,
	// declined or revoked, and by whom.
	DecidedAt time.Time
	DecidedBy string
	Version   int64
}

// StatusAt is the invitation's state at now: a pending invitation at or
// past its expiry is Expired.
func (i Invitation) StatusAt(now time.Time) Status {
	if i.Status == Pending && !now.Before(i.ExpiresAt) {
		return Expired
	}
	return i.Status
}
