package tenancy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/validate"
)

// Service holds the tenancy rules over a Store. It is safe for concurrent
// use.
//
// Every change is authorised against the principal in the context (see
// audit.WithPrincipal) and recorded as an audit event in the same
// transaction. Reads are not authorised: the host decides who sees which
// page, and every read is scoped to the platform asked.
type Service struct {
	store Store
	cfg   Config
	perms *permCache
	// realClock is set when Config.Now was left to time.Now.
	realClock bool

	dummyOnce sync.Once
	dummyHash string
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	c := cfg.withDefaults()
	return &Service{store: store, cfg: c, perms: newPermCache(c.PermissionCacheSize), realClock: cfg == nil || cfg.Now == nil}
}

// maxStaleRetries bounds how often a read-modify-write is retried when
// another writer moved the record's version in between.
const maxStaleRetries = 5

func (s *Service) now() time.Time { return sqlkit.Micro(s.cfg.Now()) }

// atomic runs fn in one unit of work (Config.Atomic) when the host gave
// one, or as it is.
func (s *Service) atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.cfg.Atomic == nil {
		return fn(ctx)
	}
	return s.cfg.Atomic(ctx, fn)
}

// cascadeError is the error of a Config.Cascade func.
type cascadeError struct{ err error }

func (e *cascadeError) Error() string { return "cascade: " + e.err.Error() }
func (e *cascadeError) Unwrap() error { return e.err }

// cascadeFailed marks an error of a Config.Cascade func.
func cascadeFailed(err error) error {
	if err == nil {
		return nil
	}
	return &cascadeError{err}
}

// commitChange runs write, a change that reports whether it changed
// anything, then cascade, in one unit of work (Config.Atomic); once the
// change is committed and stands (see stands) it runs then. This is the
// one path of every change with a Config.Cascade and an On* hook.
func (s *Service) commitChange(ctx context.Context, write func(ctx context.Context) (bool, error), cascade func(ctx context.Context) error, then func()) error {
	made := false
	err := s.atomic(ctx, func(ctx context.Context) error {
		var err error
		if made, err = write(ctx); err != nil || !made {
			return err
		}
		return cascadeFailed(cascade(ctx))
	})
	if s.stands(made, err) {
		sqlkit.AfterCommit(ctx, then)
	}
	return err
}

// stands reports whether a change that was made (made) stands after the
// call's error err: inside a unit of work any error undoes it; without one
// a failed cascade comes after the change was committed.
func (s *Service) stands(made bool, err error) bool {
	var c *cascadeError
	return made && (err == nil || (s.cfg.Atomic == nil && errors.As(err, &c)))
}

// forget drops a member's cached permissions once the change is committed.
func (s *Service) forget(ctx context.Context, platformID, accountID, userID string) {
	sqlkit.AfterCommit(ctx, func() { s.perms.forget(platformID, accountID, userID) })
}

// NormalizeEmail returns the canonical form of an email address, under which
// users are stored and compared, or an *InvalidError naming "email".
func NormalizeEmail(email string) (string, error) {
	e, err := validate.Email(email)
	if err != nil {
		return "", invalid("email", err.Error())
	}
	return e, nil
}

// event starts an audit event for action by the principal in ctx.
func (s *Service) event(ctx context.Context, platformID, action string) audit.Event {
	e := audit.FromContext(ctx, platformID, action)
	e.ID = s.cfg.NewID()
	e.At = s.now()
	return e
}

// actor is the principal acting in a call, with its user loaded (unless it
// is a system principal).
type actor struct {
	p    audit.Principal
	user User
}

func (a actor) system() bool { return a.p.IsSystem() }

func (a actor) role() Role {
	if a.system() {
		return RoleOwner
	}
	return a.user.Role
}

// actorFor loads and checks the principal acting on platformID. The
// subject's current role is read from the store on every call, so a
// demoted or disabled user loses their rights at once.
func (s *Service) actorFor(ctx context.Context, platformID string) (actor, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return actor{}, err
	}
	p, ok := audit.PrincipalFrom(ctx)
	if !ok {
		return actor{}, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	}
	if p.IsSystem() {
		return actor{p: p}, nil
	}
	if p.PlatformID != "" && p.PlatformID != platformID {
		return actor{}, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	u, err := s.store.GetUser(ctx, platformID, p.UserID)
	if errors.Is(err, ErrNotFound) {
		return actor{}, fmt.Errorf("%w: principal is not a user of this platform", ErrForbidden)
	}
	if err != nil {
		return actor{}, err
	}
	if u.Status != UserActive {
		return actor{}, fmt.Errorf("%w: principal's user is %s", ErrForbidden, u.Status)
	}
	return actor{p: p, user: u}, nil
}

// mayManageAccount checks that a may change account acc: staff (or the
// system) may; on a secure account only secure operators (or the system)
// may.
func (a actor) mayManageAccount(acc Account) error {
	if a.system() {
		return nil
	}
	if !a.user.Role.IsStaff() {
		return fmt.Errorf("%w: only platform staff manage accounts", ErrForbidden)
	}
	if acc.Secure && a.user.Role != RoleSecureOperator {
		return fmt.Errorf("%w: account is secure; only secure operators may act on it", ErrForbidden)
	}
	return nil
}

// mayManageUser checks that a may change user target (status, password,
// profile) other than its role: owners manage everyone but other owners;
// admins and operators manage regular users only, never themselves.
func (a actor) mayManageUser(target User) error {
	switch {
	case a.system():
		return nil
	case a.user.ID == target.ID:
		return fmt.Errorf("%w: use the self-service calls to change your own user", ErrForbidden)
	case a.user.Role == RoleOwner:
		if target.Role == RoleOwner {
			return fmt.Errorf("%w: an owner cannot manage another owner", ErrForbidden)
		}
		return nil
	case a.user.Role.IsStaff():
		if target.Role != RoleNone {
			return fmt.Errorf("%w: %s users manage regular users only", ErrForbidden, a.user.Role)
		}
		return nil
	}
	return fmt.Errorf("%w: regular users cannot manage other users", ErrForbidden)
}

// retryStale runs fn again while it fails with ErrStale.
func retryStale(fn func() error) error {
	var err error
	for range maxStaleRetries {
		if err = fn(); !errors.Is(err, ErrStale) {
			return err
		}
	}
	return err
}

func changed(field, before, after string) []audit.Change {
	if before == after {
		return nil
	}
	return []audit.Change{{Field: field, Before: before, After: after}}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
