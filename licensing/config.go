package licensing

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Config tunes a Service. A nil *Config means all defaults.
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes record IDs. Defaults to UUIDv7 strings.
	NewID func() string
	// NewNumber makes license numbers. Defaults to "LIC-" and two groups of
	// four Crockford base32 characters (40 random bits), such as
	// "LIC-7K4M-9Q2X"; a number already taken is drawn again.
	NewNumber func() string
	// Features is the host product's feature catalog. Plans, overrides and
	// the gate accept only these keys. Required for any feature to exist.
	Features []Feature
	// Authorize decides whether the principal in ctx may take action on the
	// platform (the host knows its roles: typically owners and admins manage
	// licenses and plans). nil allows any principal; a call with no
	// principal is always refused.
	Authorize func(ctx context.Context, a Action) error
	// AccountState tells the gate about the account itself (disabled,
	// locked, deleted, expired trial); issuing, assigning or moving a
	// license, granting credits and setting an override refuse an account
	// it reports Missing (ErrNotFound). nil means every account exists and
	// is in good standing, and only its license counts.
	AccountState func(ctx context.Context, platformID, accountID string) (AccountState, error)
	// GateTTL bounds how long the gate trusts what it read, whatever the
	// notifications. Defaults to 30 seconds.
	GateTTL time.Duration
	// GateSize bounds the accounts the gate keeps in memory. Defaults to
	// 200,000.
	GateSize int
	// OnGateNotified, when set, is called after the gate forgot what another
	// process told it changed (see Gate.Listen): for metrics, and for tests
	// that wait for it. platformID or accountID is "*" for "everything".
	OnGateNotified func(platformID, accountID string)
	// Logger receives warnings. Defaults to silent.
	Logger *slog.Logger
}

// Action is what Config.Authorize is asked about.
type Action struct {
	PlatformID string
	// Name is the action, as recorded in the audit trail
	// ("license.issue", "plan.update", "credits.grant").
	Name string
	// AccountID is the account concerned, when there is one.
	AccountID string
	Principal audit.Principal
}

// AccountState is the account's own standing, as the host knows it.
type AccountState struct {
	// Missing reports an account that does not exist (deleted).
	Missing     bool
	Disabled    bool
	Locked      bool
	TestExpired bool
	// TestExpiresAt, when set, is when the account's trial ends: the gate
	// then refuses it from that instant on every check, without waiting
	// to read the account again.
	TestExpiresAt time.Time
}

// Defaults used when the matching Config field is zero.
const (
	DefaultGateTTL  = 30 * time.Second
	DefaultGateSize = 200_000
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
	if out.NewNumber == nil {
		out.NewNumber = newNumber
	}
	if out.GateTTL <= 0 {
		out.GateTTL = DefaultGateTTL
	}
	if out.GateSize <= 0 {
		out.GateSize = DefaultGateSize
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newNumber() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := []byte("LIC-xxxx-xxxx")
	for i, j := 0, 4; i < 8; i++ {
		if j == 8 {
			j++
		}
		out[j] = crockford[b[i]&31]
		j++
	}
	return string(out)
}
