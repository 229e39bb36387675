package impersonation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// request is one decision the policy takes: may actorID enter accountID in
// mode (as subjectID, for AsStaff) now?
type request struct {
	platformID string
	actorID    string
	accountID  string
	mode       Mode
	// subjectID is the staff member of an AsStaff request, or, when
	// re-checking a session, the subject it was started with.
	subjectID string
	principal audit.Principal
}

// facts is what the policy read to decide.
type facts struct {
	actor   User
	account Account
	subject User
}

// refuse wraps a specific refusal so that it matches ErrForbidden too.
func refuse(reason error, detail ...string) error {
	if len(detail) > 0 {
		return fmt.Errorf("%w: %w (%s)", ErrForbidden, reason, detail[0])
	}
	return fmt.Errorf("%w: %w", ErrForbidden, reason)
}

// evaluate reads the facts and applies the policy, one rule after the
// other, stopping at the first refusal. The order is part of the contract
// (the policy table test pins it): who acts, then whether the account may
// be entered by them at all (deleted, secure, assignment) before its state
// is told, then who is entered.
func (s *Service) evaluate(ctx context.Context, r request, now time.Time) (facts, error) {
	var f facts
	var err error
	if f.actor, err = s.user(ctx, r.platformID, r.actorID); err != nil {
		return f, err
	}
	if f.actor.ID == "" || !f.actor.Active || !f.actor.Role.IsStaff() {
		return f, refuse(ErrActorNotStaff)
	}
	if f.account, err = s.dir.Account(ctx, r.platformID, r.accountID); errors.Is(err, ErrNotFound) || err == nil && f.account.Deleted {
		return f, refuse(ErrAccountDeleted)
	} else if err != nil {
		return f, fmt.Errorf("directory: account: %w", err)
	}
	if f.account.Secure && f.actor.Role != RoleSecureOperator {
		return f, refuse(ErrSecureAccount)
	}
	if s.cfg.AssignedOnly && (f.actor.Role == RoleOperator || f.actor.Role == RoleSecureOperator) {
		ok, err := s.dir.IsAssigned(ctx, r.platformID, r.accountID, f.actor.ID)
		if err != nil {
			return f, fmt.Errorf("directory: is assigned: %w", err)
		}
		if !ok {
			return f, refuse(ErrNotAssigned)
		}
	}
	if err := accountState(f.account, now); err != nil {
		return f, refuse(err)
	}
	subjectID, err := s.subjectID(ctx, r, f.account)
	if err != nil {
		return f, err
	}
	if subjectID == f.actor.ID {
		return f, refuse(ErrSelf)
	}
	if f.subject, err = s.user(ctx, r.platformID, subjectID); err != nil {
		return f, err
	}
	switch {
	case f.subject.ID == "":
		return f, refuse(ErrTargetInactive, "no such user")
	case f.subject.Role.IsStaff():
		return f, refuse(ErrTargetStaff)
	case !f.subject.Active:
		return f, refuse(ErrTargetInactive)
	}
	if s.cfg.Authorize != nil {
		a := Attempt{Principal: r.principal, Actor: f.actor, Subject: f.subject, Account: f.account, Mode: r.mode}
		if err := s.cfg.Authorize(ctx, a); err != nil {
			return f, fmt.Errorf("%w: %w", ErrForbidden, err)
		}
	}
	return f, nil
}

// user reads a user; a missing one is returned as the zero User.
func (s *Service) user(ctx context.Context, platformID, id string) (User, error) {
	u, err := s.dir.User(ctx, platformID, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return User{}, nil
	case err != nil:
		return User{}, fmt.Errorf("directory: user: %w", err)
	}
	return u, nil
}

// subjectID is who the request enters as: the account's primary user for
// AsClient and AsPartner, the given member for AsStaff.
func (s *Service) subjectID(ctx context.Context, r request, acc Account) (string, error) {
	if r.mode != AsStaff {
		if acc.PrimaryUserID == "" {
			return "", refuse(ErrTargetInactive, "the account has no primary user")
		}
		if r.subjectID != "" && r.subjectID != acc.PrimaryUserID {
			return "", refuse(ErrNotMember, "the subject is no longer the account's primary user")
		}
		return acc.PrimaryUserID, nil
	}
	ok, err := s.dir.IsMember(ctx, r.platformID, acc.ID, r.subjectID)
	if err != nil {
		return "", fmt.Errorf("directory: is member: %w", err)
	}
	if !ok {
		return "", refuse(ErrNotMember)
	}
	return r.subjectID, nil
}

// accountState is nil when the account may be entered at now, or why not:
// locked, then disabled, then expired test.
func accountState(a Account, now time.Time) error {
	switch {
	case a.Locked:
		return ErrAccountLocked
	case a.Disabled:
		return ErrAccountDisabled
	case !a.TestExpiresAt.IsZero() && !now.Before(a.TestExpiresAt):
		return ErrTestExpired
	}
	return nil
}
