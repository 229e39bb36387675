package invites

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/validate"
)

// Service holds the invitation rules over a Store. It is safe for
// concurrent use.
type Service struct {
	store Store
	cfg   Config
}

// New returns a Service over store.
func New(store Store, cfg *Config) *Service {
	return &Service{store: store, cfg: cfg.withDefaults()}
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) event(ctx context.Context, inv Invitation, action string) audit.Event {
	e := audit.FromContext(ctx, inv.PlatformID, action)
	e.ID, e.At = s.cfg.NewID(), s.now()
	e.AccountID, e.TargetType, e.TargetID = inv.AccountID, "invitation", inv.ID
	return e
}

// authorize checks the principal in ctx may take action on inv.
func (s *Service) authorize(ctx context.Context, action string, inv Invitation) (audit.Principal, error) {
	p, ok := audit.PrincipalFrom(ctx)
	if !ok {
		return p, fmt.Errorf("%w: no principal in the context", ErrForbidden)
	}
	if !p.IsSystem() && p.PlatformID != "" && p.PlatformID != inv.PlatformID {
		return p, fmt.Errorf("%w: principal belongs to another platform", ErrForbidden)
	}
	if s.cfg.Authorize != nil {
		if err := s.cfg.Authorize(ctx, Action{Name: action, Invitation: inv, Principal: p}); err != nil {
			return p, fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	return p, nil
}

// CreateParams describes an invitation.
type CreateParams struct {
	PlatformID string
	Kind       Kind
	Email      string
	// AccountID is required for team-member and manager invitations.
	AccountID string
	// ResourceID is required for manager invitations.
	ResourceID string
	// Role is required for staff invitations: "admin", "operator" or
	// "secure_operator".
	Role string
	// Permissions are a team member's.
	Permissions []string
	// AccountName suggests the new account's name (account invitations).
	AccountName string
}

// Created is a new invitation and its link's token, handed out once (the
// email carries it; without a Mailer the host delivers it).
type Created struct {
	Invitation Invitation
	Token      string
}

// Create invites someone: checks the input, the principal and the rate
// limits, holds a team seat for a team-member invitation, stores the
// invitation with only its token's hash, and emails the link through the
// platform's Mailer, branded. When only the sending fails, the invitation
// is kept and returned with the error: Resend it once the mail server is
// back.
func (s *Service) Create(ctx context.Context, p CreateParams) (Created, error) {
	const op = "invites: create: %w"
	inv, err := s.newInvitation(p)
	if err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	pr, err := s.authorize(ctx, "invite.create", inv)
	if err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	inv.InviterID = pr.Actor()
	if err := s.checkRate(ctx, inv); err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	token, hash := secret.New()
	inv.TokenHash = hash
	ev := s.event(ctx, inv, "invite.create")
	ev.Changes = []audit.Change{{Field: "kind", After: string(inv.Kind)}, {Field: "email", After: inv.Email}}
	err = s.atomic(ctx, func(ctx context.Context) error {
		if err := s.reserve(ctx, inv); err != nil {
			return err
		}
		err := s.expireDuplicates(ctx, inv)
		if err == nil {
			err = s.store.Insert(ctx, inv, ev)
		}
		if err != nil && s.cfg.Atomic == nil {
			_ = s.release(ctx, inv) // no unit to roll the seat back: give it back
		}
		return err
	})
	if err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	if err := s.send(ctx, inv, token); err != nil {
		return Created{Invitation: inv, Token: token}, fmt.Errorf(op, err)
	}
	return Created{Invitation: inv, Token: token}, nil
}

func (s *Service) newInvitation(p CreateParams) (Invitation, error) {
	email, err := validate.Email(p.Email)
	if err != nil {
		return Invitation{}, invalid("email", err.Error())
	}
	if p.PlatformID == "" {
		return Invitation{}, invalid("platform_id", "is required")
	}
	if err := checkCreateText(p); err != nil {
		return Invitation{}, err
	}
	switch p.Kind {
	case KindAccount:
	case KindTeamMember, KindManager:
		if p.AccountID == "" {
			return Invitation{}, invalid("account_id", "is required for "+string(p.Kind)+" invitations")
		}
		if p.Kind == KindManager && p.ResourceID == "" {
			return Invitation{}, invalid("resource_id", "is required for manager invitations")
		}
	case KindStaff:
		if !slices.Contains([]string{"admin", "operator", "secure_operator"}, p.Role) {
			return Invitation{}, invalid("role", "must be admin, operator or secure_operator")
		}
	default:
		return Invitation{}, invalid("kind", "unknown kind "+validate.Excerpt(string(p.Kind)))
	}
	perms := slices.Compact(slices.Sorted(slices.Values(p.Permissions)))
	if len(perms) == 0 {
		perms = nil
	}
	now := s.now()
	return Invitation{PlatformID: p.PlatformID, ID: s.cfg.NewID(), Kind: p.Kind, Email: email, AccountID: p.AccountID,
		ResourceID: p.ResourceID, Role: p.Role, Permissions: perms, AccountName: strings.TrimSpace(p.AccountName),
		Status: Pending, ExpiresAt: now.Add(s.cfg.TTL), SentAt: now, CreatedAt: now, Version: 1}, nil
}

// expireDuplicates records as Expired the earlier invitations of the same
// person and place that are still stored Pending but past their expiry, so
// a new one may replace them, releasing their seats.
func (s *Service) expireDuplicates(ctx context.Context, inv Invitation) error {
	dups, err := s.store.List(ctx, Query{PlatformID: inv.PlatformID, Status: Pending, Kind: inv.Kind, Email: inv.Email,
		AccountID: inv.AccountID, ResourceID: inv.ResourceID, Limit: 10})
	if err != nil {
		return err
	}
	for _, d := range dups {
		if d.StatusAt(inv.CreatedAt) != Expired {
			continue
		}
		if _, err := s.close(ctx, d, Expired, "system:invites", "invite.expire"); err != nil && !isStale(err) {
			return err
		}
	}
	return nil
}

func (s *Service) checkRate(ctx context.Context, inv Invitation) error {
	since := inv.CreatedAt.Add(-s.cfg.Window)
	n, err := s.store.CountSince(ctx, inv.PlatformID, inv.InviterID, since)
	if err != nil {
		return err
	}
	if n >= s.cfg.PerInviter {
		return fmt.Errorf("%w: %d invitations by this inviter in %v", ErrRateLimited, n, s.cfg.Window)
	}
	if n, err = s.store.CountSince(ctx, inv.PlatformID, "", since); err != nil {
		return err
	}
	if n >= s.cfg.PerPlatform {
		return fmt.Errorf("%w: %d invitations on this platform in %v", ErrRateLimited, n, s.cfg.Window)
	}
	return nil
}

func (s *Service) reserve(ctx context.Context, inv Invitation) error {
	if inv.Kind != KindTeamMember || s.cfg.Seats == nil {
		return nil
	}
	return s.cfg.Seats.Reserve(ctx, inv.PlatformID, inv.AccountID)
}

// release gives a pending team-member invitation's seat back. In a unit
// of work (Config.Atomic) its failure is returned, undoing the unit;
// without one the invitation's change is already committed, so the
// failure is logged and nil returned.
func (s *Service) release(ctx context.Context, inv Invitation) error {
	if inv.Kind != KindTeamMember || s.cfg.Seats == nil {
		return nil
	}
	err := s.cfg.Seats.Release(ctx, inv.PlatformID, inv.AccountID)
	if err != nil && s.cfg.Atomic == nil {
		s.cfg.Logger.WarnContext(ctx, "invites: release seat", "invitation", inv.ID, "error", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("release seat: %w", err)
	}
	return nil
}

// atomic runs fn in one unit of work (Config.Atomic) when the host gave
// one, or as it is.
func (s *Service) atomic(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.cfg.Atomic == nil {
		return fn(ctx)
	}
	return s.cfg.Atomic(ctx, fn)
}

// send emails the link, when there is a Mailer.
func (s *Service) send(ctx context.Context, inv Invitation, token string) error {
	if s.cfg.Mailer == nil {
		return nil
	}
	if s.cfg.LinkURL == nil {
		return errors.New("Config.LinkURL is required to email invitations")
	}
	var b Branding
	if s.cfg.Branding != nil {
		var err error
		if b, err = s.cfg.Branding(ctx, inv.PlatformID); err != nil {
			return fmt.Errorf("branding: %w", err)
		}
	}
	m, err := render(inv, b, s.cfg.LinkURL(inv, token))
	if err != nil {
		return err
	}
	if err := s.cfg.Mailer.Send(ctx, m); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

func isStale(err error) bool { return errors.Is(err, ErrStale) }
