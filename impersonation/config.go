package impersonation

import (
	"context"
	"log/slog"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Config tunes a Service. A nil *Config means all defaults.
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes session and event IDs. Defaults to UUIDv7 strings.
	NewID func() string

	// MaxDuration is how long a session may last; a session is refused
	// after it, and a shorter StartParams.Duration may end it sooner.
	// Defaults to 1 hour.
	MaxDuration time.Duration
	// RequireReason and RequireTicket refuse a Start without a reason or a
	// ticket reference.
	RequireReason bool
	RequireTicket bool
	// AssignedOnly lets operators (secure or not) enter only the accounts
	// they are assigned to; owners and admins enter any.
	AssignedOnly bool
	// ReadOnly makes every session read-only, whatever StartParams says.
	ReadOnly bool
	// RefusedActions are the actions Guard always refuses inside a
	// session. Defaults to DefaultRefusedActions.
	RefusedActions []string
	// Authorize is an extra rule of the host, asked after the built-in
	// policy allowed a Start (and again on every request): return an error
	// to refuse. nil adds none.
	Authorize func(ctx context.Context, a Attempt) error

	// Logger receives warnings. Defaults to silent.
	Logger *slog.Logger
}

// Attempt is what Config.Authorize is asked about.
type Attempt struct {
	Principal audit.Principal
	Actor     User
	Subject   User
	Account   Account
	Mode      Mode
}

// Actions the host names when calling Guard. A host may use its own names
// and list them in Config.RefusedActions.
const (
	ActionChangePassword = "change_password"
	ActionChangeEmail    = "change_email"
	ActionDeleteAccount  = "delete_account"
)

// DefaultRefusedActions are refused inside a session unless
// Config.RefusedActions says otherwise: nobody changes a customer's
// credentials or deletes their account while posing as them.
var DefaultRefusedActions = []string{ActionChangePassword, ActionChangeEmail, ActionDeleteAccount}

// DefaultMaxDuration is how long a session lasts unless Config says
// otherwise.
const DefaultMaxDuration = time.Hour

// Limits on free text, in bytes.
const (
	maxReason = 1000
	maxTicket = 200
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
	if out.MaxDuration <= 0 {
		out.MaxDuration = DefaultMaxDuration
	}
	if out.RefusedActions == nil {
		out.RefusedActions = DefaultRefusedActions
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}
