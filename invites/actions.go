package invites

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/validate"
)

// Resend sends a pending invitation again with a new link: the old link
// stops working at once, and the expiry starts again. Refused within
// Config.ResendCooldown of the last send (ErrTooSoon).
func (s *Service) Resend(ctx context.Context, platformID, id string) (Created, error) {
	const op = "invites: resend: %w"
	if err := checkIDs("platform_id", platformID, "id", id); err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	inv, err := s.store.Get(ctx, platformID, id)
	if err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	if _, err := s.authorize(ctx, "invite.resend", inv); err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	now := s.now()
	if err := refusal(inv.StatusAt(now)); err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	if now.Before(inv.SentAt.Add(s.cfg.ResendCooldown)) {
		return Created{}, fmt.Errorf(op, ErrTooSoon)
	}
	token, hash := secret.New()
	inv.TokenHash, inv.SentAt, inv.ExpiresAt = hash, now, now.Add(s.cfg.TTL)
	inv.Version++
	if err := s.store.Update(ctx, inv, s.event(ctx, inv, "invite.resend")); err != nil {
		return Created{}, fmt.Errorf(op, err)
	}
	if err := s.send(ctx, inv, token); err != nil {
		return Created{Invitation: inv, Token: token}, fmt.Errorf(op, err)
	}
	return Created{Invitation: inv, Token: token}, nil
}

// Revoke withdraws a pending invitation; its link stops working and a team
// seat it held is released.
func (s *Service) Revoke(ctx context.Context, platformID, id string) (Invitation, error) {
	const op = "invites: revoke: %w"
	if err := checkIDs("platform_id", platformID, "id", id); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	inv, err := s.store.Get(ctx, platformID, id)
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	p, err := s.authorize(ctx, "invite.revoke", inv)
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	inv, err = s.close(ctx, inv, Revoked, p.Actor(), "invite.revoke")
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	return inv, nil
}

// Decline lets the invitee turn an invitation down (from the "you have a
// pending invitation" panel); userEmail is the signed-in user's.
func (s *Service) Decline(ctx context.Context, platformID, token, userID, userEmail string) (Invitation, error) {
	const op = "invites: decline: %w"
	if err := checkIDs("user_id", userID); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	inv, err := s.byToken(ctx, platformID, token)
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	if err := sameRecipient(inv, userEmail); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	inv, err = s.close(ctx, inv, Declined, userID, "invite.decline")
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	return inv, nil
}

// close ends a pending invitation as revoked, declined or expired.
func (s *Service) close(ctx context.Context, inv Invitation, to Status, by, action string) (Invitation, error) {
	now := s.now()
	if to != Expired {
		if err := refusal(inv.StatusAt(now)); err != nil {
			return Invitation{}, err
		}
	}
	inv.Status, inv.DecidedAt, inv.DecidedBy = to, now, by
	inv.Version++
	ev := s.event(ctx, inv, action)
	if ev.ActorID == "" {
		ev.ActorID = by
	}
	err := s.atomic(ctx, func(ctx context.Context) error {
		if err := s.store.Update(ctx, inv, ev); err != nil {
			return err
		}
		return s.release(ctx, inv)
	})
	if err != nil {
		return Invitation{}, err
	}
	return inv, nil
}

// AcceptParams is a user accepting an invitation with its link's token.
type AcceptParams struct {
	PlatformID string
	Token      string
	// UserID and UserEmail are the signed-in (or just registered) user's;
	// UserEmail must be the invited address.
	UserID    string
	UserEmail string
}

// Accept grants what the invitation grants, once: of many accepts of one
// invitation, at once or later, one succeeds. Refusals are distinct:
// ErrNotFound (no such link, or a link replaced by a resend), ErrExpired,
// ErrRevoked, ErrDeclined, ErrUsed, and ErrWrongRecipient for a user whose
// email is not the invited one — none says whether an email has an account.
// If Config.Grant fails, the acceptance is undone.
func (s *Service) Accept(ctx context.Context, p AcceptParams) (Invitation, error) {
	const op = "invites: accept: %w"
	if s.cfg.Grant == nil {
		return Invitation{}, fmt.Errorf(op, errors.New("Config.Grant is required to accept invitations"))
	}
	if p.UserID == "" {
		return Invitation{}, fmt.Errorf(op, invalid("user_id", "is required"))
	}
	if err := checkIDs("user_id", p.UserID); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	inv, err := s.byToken(ctx, p.PlatformID, p.Token)
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	if err := refusal(inv.StatusAt(s.now())); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	if err := sameRecipient(inv, p.UserEmail); err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	ev := s.event(ctx, inv, "invite.accept")
	if ev.ActorID == "" {
		ev.ActorID = p.UserID
	}
	claim := Claim{PlatformID: p.PlatformID, TokenHash: inv.TokenHash, UserID: p.UserID, Now: s.now(), Event: ev}
	var claimed Invitation
	if s.cfg.Atomic != nil {
		err = s.atomic(ctx, func(ctx context.Context) error {
			claimed, err = s.store.Claim(ctx, claim)
			if err != nil {
				return err
			}
			return grantRefused(s.cfg.Grant(ctx, Acceptance{Invitation: claimed, UserID: p.UserID}))
		})
	} else {
		claimed, err = s.claimThenGrant(ctx, claim, p.UserID)
	}
	if err != nil {
		return Invitation{}, fmt.Errorf(op, err)
	}
	return claimed, nil
}

// claimThenGrant claims the invitation, then grants it, undoing the claim
// if the grant fails: the way without a unit of work (Config.Atomic).
func (s *Service) claimThenGrant(ctx context.Context, c Claim, userID string) (Invitation, error) {
	claimed, err := s.store.Claim(ctx, c)
	if err != nil {
		return Invitation{}, err
	}
	if err := grantRefused(s.cfg.Grant(ctx, Acceptance{Invitation: claimed, UserID: userID})); err != nil {
		s.unclaim(ctx, claimed)
		return Invitation{}, err
	}
	return claimed, nil
}

// grantRefused is the error of a failed Config.Grant.
func grantRefused(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: grant refused: %w", ErrConflict, err)
}

// unclaim puts an accepted invitation back to pending after its grant
// failed, so it can be accepted again.
func (s *Service) unclaim(ctx context.Context, inv Invitation) {
	inv.Status, inv.DecidedAt, inv.DecidedBy = Pending, time.Time{}, ""
	inv.Version++
	ev := s.event(ctx, inv, "invite.accept_undone")
	if ev.ActorID == "" {
		ev.ActorID = "system:invites"
	}
	if err := s.store.Update(ctx, inv, ev); err != nil {
		s.cfg.Logger.ErrorContext(ctx, "invites: undo acceptance", "invitation", inv.ID, "error", err)
	}
}

// byToken finds the invitation of a link's token.
func (s *Service) byToken(ctx context.Context, platformID, token string) (Invitation, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return Invitation{}, err
	}
	hash, err := secret.Hash(token)
	if err != nil {
		return Invitation{}, fmt.Errorf("%w: link", ErrNotFound)
	}
	return s.store.GetByToken(ctx, platformID, hash)
}

// refusal is the error of an invitation that is no longer pending.
func refusal(st Status) error {
	switch st {
	case Pending:
		return nil
	case Expired:
		return ErrExpired
	case Revoked:
		return ErrRevoked
	case Declined:
		return ErrDeclined
	}
	return ErrUsed
}

// sameRecipient checks the user's email is the invited one, compared in
// canonical form: case and IDNA forms match, look-alike characters do not.
func sameRecipient(inv Invitation, email string) error {
	e, err := validate.Email(email)
	if err != nil || e != inv.Email {
		return ErrWrongRecipient
	}
	return nil
}
