package licensing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// Service holds the licensing rules over a Store, and the Gate that answers
// "may this account be served". It is safe for concurrent use.
type Service struct {
	store    Store
	cfg      Config
	features map[string]Feature
	gate     *Gate
	// realClock is set when Config.Now was left to time.Now, so the gate
	// may read the cheaper monotonic clock (see Gate.entry).
	realClock bool
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	c := cfg.withDefaults()
	s := &Service{store: store, cfg: c, features: map[string]Feature{}, realClock: cfg == nil || cfg.Now == nil}
	for _, f := range c.Features {
		s.features[f.Key] = f
	}
	s.gate = newGate(s)
	return s
}

// Gate is the service's gate: the fast "may account A use feature F now".
func (s *Service) Gate() *Gate { return s.gate }

const maxStaleRetries = 5

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// authorize checks the principal in ctx may take the action.
// requireAccount refuses, as ErrNotFound, an account the host says does
// not exist (Config.AccountState reports it Missing), so that a license,
// credits or an override never lands on a mistyped or deleted account.
// Without AccountState every account ID is taken as given.
func (s *Service) requireAccount(ctx context.Context, platformID, accountID string) error {
	if accountID == "" || s.cfg.AccountState == nil {
		return nil
	}
	st, err := s.cfg.AccountState(ctx, platformID, accountID)
	if err != nil {
		return err
	}
	if st.Missing {
		return fmt.Errorf("%w: account", ErrNotFound)
	}
	return nil
}

func (s *Service) authorize(ctx context.Context, platformID, action, accountID string) (audit.Principal, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return audit.Principal{}, err
	}
	p, ok := audit.PrincipalFrom(ctx)
	if !ok {
		return p, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	}
	if !p.IsSystem() && p.PlatformID != "" && p.PlatformID != platformID {
		return p, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	if s.cfg.Authorize != nil {
		if err := s.cfg.Authorize(ctx, Action{PlatformID: platformID, Name: action, AccountID: accountID, Principal: p}); err != nil {
			return p, fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	return p, nil
}

// event starts the audit event of an action.
func (s *Service) event(ctx context.Context, platformID, action string) audit.Event {
	e := audit.FromContext(ctx, platformID, action)
	e.ID, e.At = s.cfg.NewID(), s.now()
	return e
}

func retryStale(fn func() error) error {
	var err error
	for range maxStaleRetries {
		if err = fn(); !errors.Is(err, ErrStale) {
			return err
		}
	}
	return err
}

// checkFeature checks a key is in the catalog.
func (s *Service) checkFeature(field, key string) error {
	if _, ok := s.features[key]; !ok {
		return invalid(field, "unknown feature "+validate.Excerpt(key)+" (not in Config.Features)")
	}
	return nil
}

// Catalog lists the host's features, in the order Config.Features gave
// them.
func (s *Service) Catalog() []Feature { return slices.Clone(s.cfg.Features) }

// checkName checks a limit, credit kind or metric name: 1 to 64 of
// a-z, 0-9, '_', '.', ':' and '-'.
func checkName(field, name string) error {
	if name == "" || len(name) > 64 {
		return invalid(field, "must be 1 to 64 characters")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return invalid(field, validate.Excerpt(name)+" may hold only a-z, 0-9, _ . : -")
		}
	}
	return nil
}

// checkID checks an identifier handed in by a caller.
func checkID(field, id string) error {
	if id == "" || len(id) > 64 {
		return invalid(field, "must be 1 to 64 characters")
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalid(field, "may hold only letters, digits, '-' and '_'")
		}
	}
	return nil
}

func isStale(err error) bool { return errors.Is(err, ErrStale) }
