package branding

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// Config tunes a Service. A nil *Config means all defaults.
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// NewID makes provider and event IDs. Defaults to UUIDv7 strings.
	NewID func() string
	// SecretKey (32 bytes) encrypts the OAuth providers' client secrets
	// at rest. Required to add a provider or read its secret; keep it out
	// of the database.
	SecretKey []byte
	// Resolver looks up the TXT records that verify domains. Defaults to
	// net.DefaultResolver.
	Resolver Resolver
	// Contrast says what SetTheme does with colour pairs below MinContrast:
	// ContrastWarn (the default) saves and returns the issues,
	// ContrastRefuse refuses with ErrLowContrast, ContrastOff skips the
	// check.
	Contrast ContrastPolicy
	// MinContrast is the WCAG contrast ratio required of every pair.
	// Defaults to MinContrast (4.5, AA for body text).
	MinContrast float64
	// MaxLogoBytes bounds an uploaded logo. Defaults to
	// DefaultMaxLogoBytes.
	MaxLogoBytes int
	// Authorize decides whether the principal may make a change (owners
	// and admins edit the white label, as a rule; the host knows the
	// roles). nil allows any principal of the platform; a call with no
	// principal is refused.
	Authorize func(ctx context.Context, a Action) error
	// Logger receives warnings. Defaults to silent.
	Logger *slog.Logger
}

// Action is what Config.Authorize is asked about.
type Action struct {
	// Name is the audit action: "branding.theme.set", "branding.domain.add"...
	Name       string
	PlatformID string
	// AccountID is set for an account's own theme or logo.
	AccountID string
	Principal audit.Principal
}

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
	if out.Resolver == nil {
		out.Resolver = net.DefaultResolver
	}
	if out.MinContrast <= 0 {
		out.MinContrast = MinContrast
	}
	if out.MaxLogoBytes <= 0 {
		out.MaxLogoBytes = DefaultMaxLogoBytes
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out
}

// Service holds the branding rules over a Store. It is safe for
// concurrent use.
type Service struct {
	store Store
	cfg   Config

	mu      sync.Mutex
	routers []*Router
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	return &Service{store: store, cfg: cfg.withDefaults()}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// authorize checks the principal in ctx may take action on the platform
// (and account), and returns the audit event to write with the change.
func (s *Service) authorize(ctx context.Context, action, platformID, accountID string) (audit.Event, error) {
	if strings.TrimSpace(platformID) == "" {
		return audit.Event{}, invalid("platform_id", "required")
	}
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return audit.Event{}, err
	}
	p, ok := audit.PrincipalFrom(ctx)
	switch {
	case !ok:
		return audit.Event{}, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	case !p.IsSystem() && p.PlatformID != "" && p.PlatformID != platformID:
		return audit.Event{}, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	if s.cfg.Authorize != nil {
		if err := s.cfg.Authorize(ctx, Action{Name: action, PlatformID: platformID, AccountID: accountID, Principal: p}); err != nil {
			return audit.Event{}, fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	ev := audit.FromContext(ctx, platformID, action)
	ev.ID, ev.At, ev.AccountID = s.cfg.NewID(), s.now(), accountID
	return ev, nil
}
