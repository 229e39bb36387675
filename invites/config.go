package invites

import (
	"context"
	"log/slog"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Config tunes a Service. A nil *Config means all defaults (and no email:
// without a Mailer, Create returns the link's token for the host to
// deliver).
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes invitation IDs. Defaults to UUIDv7 strings.
	NewID func() string
	// TTL is how long a link works. Defaults to 7 days.
	TTL time.Duration
	// ResendCooldown is how soon a link may be sent again. Defaults to one
	// minute.
	ResendCooldown time.Duration
	// PerInviter and PerPlatform bound the invitations created per Window
	// by one inviter and on one platform. Default to 50 and 500 per hour.
	PerInviter, PerPlatform int
	Window                  time.Duration

	// Mailer sends the invitation emails through the platform's SMTP.
	Mailer Mailer
	// Branding gives a platform's look for its emails. nil uses neutral
	// defaults.
	Branding func(ctx context.Context, platformID string) (Branding, error)
	// LinkURL builds the accept link the email carries, on the platform's
	// own domain. Required with a Mailer.
	LinkURL func(inv Invitation, token string) string

	// Authorize decides whether the principal may send (or revoke) this
	// invitation: the host knows who holds what, so "an inviter cannot
	// grant more than they hold" is its rule to apply (a team member's
	// permissions within the inviter's, staff roles from owners only).
	// nil allows any principal; a call with no principal is refused.
	Authorize func(ctx context.Context, a Action) error
	// Seats holds a seat of an account's team quota for every pending
	// team-member invitation, so the quota counts them. nil counts none.
	Seats Seats
	// Grant gives what an accepted invitation grants: creates the customer
	// account, adds the team member (in the seat its invitation held), gives
	// the manager access, or makes the user staff. If it fails, the
	// acceptance is undone and can be tried again. Required for Accept.
	Grant func(ctx context.Context, a Acceptance) error
	// Atomic, when set, runs fn as one database transaction together with
	// whatever other packages' stores on the same database do with the
	// context fn receives (the tenantry façade sets it). Then Accept claims
	// the invitation and runs Grant in one unit, Create holds the team seat
	// (Seats) and stores the invitation in one, and revoking, declining or
	// expiring gives the seat back in the invitation's own transaction:
	// all commit or none does, even when the connection fails between
	// them. Nil runs each step on its own and undoes what it can after a
	// failure (an acceptance whose grant failed goes back to pending).
	Atomic func(ctx context.Context, fn func(ctx context.Context) error) error

	// Logger receives warnings. Defaults to silent.
	Logger *slog.Logger
}

// Action is what Config.Authorize is asked about.
type Action struct {
	// Name is "invite.create", "invite.resend" or "invite.revoke".
	Name       string
	Invitation Invitation
	Principal  audit.Principal
}

// Seats reserves team seats for pending team-member invitations.
type Seats interface {
	// Reserve holds one seat of the account's team quota, or fails (with an
	// error the host chooses, such as a quota-exceeded one).
	Reserve(ctx context.Context, platformID, accountID string) error
	// Release gives a held seat back.
	Release(ctx context.Context, platformID, accountID string) error
}

// Acceptance is an accepted invitation and who accepted it.
type Acceptance struct {
	Invitation Invitation
	UserID     string
}

// Defaults used when the matching Config field is zero.
const (
	DefaultTTL            = 7 * 24 * time.Hour
	DefaultResendCooldown = time.Minute
	DefaultPerInviter     = 50
	DefaultPerPlatform    = 500
	DefaultWindow         = time.Hour
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
	if out.TTL <= 0 {
		out.TTL = DefaultTTL
	}
	if out.ResendCooldown <= 0 {
		out.ResendCooldown = DefaultResendCooldown
	}
	if out.PerInviter <= 0 {
		out.PerInviter = DefaultPerInviter
	}
	if out.PerPlatform <= 0 {
		out.PerPlatform = DefaultPerPlatform
	}
	if out.Window <= 0 {
		out.Window = DefaultWindow
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}
