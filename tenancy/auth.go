package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/validate"
)

// AuthenticateParams is a login attempt.
type AuthenticateParams struct {
	PlatformID string
	Email      string
	Password   string
	// AccountID, when set, is the account the user logs in to; the login
	// then fails unless the user may enter it now.
	AccountID string
}

// Login is a successful authentication.
type Login struct {
	User User
	// Accounts are the accounts the user may enter now (for a regular user,
	// at least one unless they have no membership at all; staff see none
	// here and reach accounts through the owner portal).
	Accounts []Account
}

// Authenticate checks an email and password. It fails with
// ErrInvalidCredentials for an unknown email, a wrong password or a user
// without a password, taking the same time in each case. Only once the
// password is right does it tell why a login is refused: ErrUserDisabled,
// ErrAccountDeleted, or, for the account asked (or every account of a
// regular user), ErrAccountLocked, ErrAccountDisabled or ErrTestExpired.
//
// A login with a password hashed under older Argon2 parameters re-hashes it
// with the current ones.
func (s *Service) Authenticate(ctx context.Context, p AuthenticateParams) (Login, error) {
	const op = "tenancy: authenticate: %w"
	if err := checkIDs("platform_id", p.PlatformID); err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	u, err := s.checkCredentials(ctx, p.PlatformID, p.Email, p.Password)
	if err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	switch u.Status {
	case UserDisabled:
		return Login{}, fmt.Errorf(op, ErrUserDisabled)
	case UserDeleted:
		return Login{}, fmt.Errorf(op, ErrAccountDeleted)
	}
	ms, err := s.store.Memberships(ctx, p.PlatformID, u.ID)
	if err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	now := s.now()
	login := Login{User: u}
	var refusal error
	for _, m := range ms {
		if p.AccountID != "" && m.Account.ID != p.AccountID {
			continue
		}
		if err := m.Account.Usable(now); err != nil {
			refusal = cmpRefusal(refusal, err)
			continue
		}
		login.Accounts = append(login.Accounts, m.Account)
	}
	switch {
	case p.AccountID != "" && len(login.Accounts) == 0 && refusal == nil:
		return Login{}, fmt.Errorf(op, fmt.Errorf("%w: not a member of this account", ErrForbidden))
	case len(login.Accounts) == 0 && refusal != nil:
		return Login{}, fmt.Errorf(op, refusal)
	}
	return login, nil
}

// cmpRefusal keeps the most telling reason among a user's accounts:
// locked over disabled over expired test.
func cmpRefusal(cur, next error) error {
	rank := func(err error) int {
		switch {
		case errors.Is(err, ErrAccountLocked):
			return 3
		case errors.Is(err, ErrAccountDisabled):
			return 2
		case err != nil:
			return 1
		}
		return 0
	}
	if rank(next) > rank(cur) {
		return next
	}
	return cur
}

// checkCredentials finds the user and verifies the password in the same
// time whether or not the email has a user.
func (s *Service) checkCredentials(ctx context.Context, platformID, email, password string) (User, error) {
	e, emailErr := NormalizeEmail(email)
	var u User
	var err error
	if emailErr == nil {
		u, err = s.store.GetUserByEmail(ctx, platformID, e)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return User{}, err
		}
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = s.dummy()
	}
	ok, stale := verifyPassword(password, hash, s.cfg.Argon2)
	if !ok || u.PasswordHash == "" {
		return User{}, ErrInvalidCredentials
	}
	if stale && u.Status == UserActive {
		s.rehash(ctx, u, password)
	}
	return u, nil
}

// dummy is a hash verified when the email has no user, so that the
// response takes as long as for a real one.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() { s.dummyHash = hashPassword("tenantry-dummy-password", s.cfg.Argon2) })
	return s.dummyHash
}

func (s *Service) rehash(ctx context.Context, u User, password string) {
	ev := s.event(ctx, u.PlatformID, "user.rehash_password")
	ev.ActorID, ev.TargetType, ev.TargetID = "system:tenancy", "user", u.ID
	u.PasswordHash = hashPassword(password, s.cfg.Argon2)
	u.Version++
	u.UpdatedAt = s.now()
	if err := s.store.UpdateUser(ctx, u, ev); err != nil {
		s.cfg.Logger.WarnContext(ctx, "tenancy: re-hash password", "user", u.ID, "error", err)
	}
}

// ChangePasswordParams is a user changing their own password.
type ChangePasswordParams struct {
	PlatformID string
	UserID     string
	Current    string
	New        string
}

// ChangePassword changes the caller's own password after checking the
// current one. Refused while impersonating.
func (s *Service) ChangePassword(ctx context.Context, p ChangePasswordParams) error {
	const op = "tenancy: change password: %w"
	if err := checkIDs("platform_id", p.PlatformID, "user_id", p.UserID); err != nil {
		return fmt.Errorf(op, err)
	}
	if err := s.checkPassword(ctx, "new", p.New); err != nil {
		return fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, p.PlatformID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if a.system() || a.user.ID != p.UserID || a.p.IsImpersonating() {
		return fmt.Errorf(op, fmt.Errorf("%w: users change only their own password, never while impersonated", ErrForbidden))
	}
	if ok, _ := verifyPassword(p.Current, a.user.PasswordHash, s.cfg.Argon2); !ok {
		return fmt.Errorf(op, invalid("current", "is not the current password"))
	}
	hash := hashPassword(p.New, s.cfg.Argon2)
	_, err = s.updateUser(ctx, p.PlatformID, p.UserID, "user.change_password", func(u *User) error {
		u.PasswordHash = hash
		return nil
	})
	if err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// SetPassword sets another user's password (the owner portal's "reset
// password" for an account's primary admin). The rules of user management
// apply: admins and operators reset regular users only.
func (s *Service) SetPassword(ctx context.Context, platformID, userID, password string) error {
	const op = "tenancy: set password: %w"
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return fmt.Errorf(op, err)
	}
	if err := s.checkPassword(ctx, "password", password); err != nil {
		return fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	hash := hashPassword(password, s.cfg.Argon2)
	_, err = s.updateUser(ctx, platformID, userID, "user.set_password", func(u *User) error {
		if err := a.mayManageUser(*u); err != nil {
			return err
		}
		u.PasswordHash = hash
		return nil
	})
	if err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// IssuePasswordToken makes a password link for a user (reset, or set at
// first login) on behalf of staff who may manage the user. Only the newest
// link of a purpose works.
func (s *Service) IssuePasswordToken(ctx context.Context, platformID, userID string, purpose TokenPurpose) (IssuedToken, error) {
	const op = "tenancy: issue password token: %w"
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return IssuedToken{}, fmt.Errorf(op, err)
	}
	if purpose != TokenSetPassword && purpose != TokenResetPassword {
		return IssuedToken{}, fmt.Errorf(op, invalid("purpose", "unknown purpose "+validate.Excerpt(string(purpose))))
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return IssuedToken{}, fmt.Errorf(op, err)
	}
	u, err := s.store.GetUser(ctx, platformID, userID)
	if err == nil && u.Status == UserDeleted {
		err = ErrNotFound
	}
	if err != nil {
		return IssuedToken{}, fmt.Errorf(op, err)
	}
	if err := a.mayManageUser(u); err != nil {
		return IssuedToken{}, fmt.Errorf(op, err)
	}
	tok, err := s.issueToken(ctx, u, purpose)
	if err != nil {
		return IssuedToken{}, fmt.Errorf(op, err)
	}
	return tok, nil
}

// ResetRequest is the answer to a "forgot password" form.
type ResetRequest struct {
	// Token is the reset link secret to email to User; empty when the email
	// has no active user. The host must answer the form the same way in
	// both cases, so nobody learns whether an email has an account.
	Token     string
	ExpiresAt time.Time
	User      User
}

// RequestPasswordReset makes a reset link for the active user with that
// email, if any. It needs no principal (the requester is logged out).
func (s *Service) RequestPasswordReset(ctx context.Context, platformID, email string) (ResetRequest, error) {
	const op = "tenancy: request password reset: %w"
	if err := checkIDs("platform_id", platformID); err != nil {
		return ResetRequest{}, fmt.Errorf(op, err)
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return ResetRequest{}, fmt.Errorf(op, err)
	}
	u, err := s.store.GetUserByEmail(ctx, platformID, e)
	if errors.Is(err, ErrNotFound) || (err == nil && u.Status != UserActive) {
		return ResetRequest{}, nil
	}
	if err != nil {
		return ResetRequest{}, fmt.Errorf(op, err)
	}
	tok, err := s.issueToken(audit.WithPrincipal(ctx, audit.Principal{PlatformID: platformID, UserID: u.ID}), u, TokenResetPassword)
	if err != nil {
		return ResetRequest{}, fmt.Errorf(op, err)
	}
	return ResetRequest{Token: tok.Token, ExpiresAt: tok.ExpiresAt, User: u}, nil
}

// UsePasswordToken sets a new password with a link secret (reset or set at
// first login). The secret works once: a second use, or a secret replaced
// by a newer link, is ErrNotFound; a secret past its expiry ErrExpired.
func (s *Service) UsePasswordToken(ctx context.Context, platformID, token, password string) (User, error) {
	const op = "tenancy: use password token: %w"
	if err := checkIDs("platform_id", platformID); err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	hash, err := secret.Hash(token)
	if err != nil {
		return User{}, fmt.Errorf(op, fmt.Errorf("%w: token", ErrNotFound))
	}
	if err := s.checkPassword(ctx, "password", password); err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "user.use_password_token")
	ev.TargetType = "user"
	ev.Changes = []audit.Change{{Field: "password", After: "(changed)"}}
	u, err := s.store.UseToken(ctx, UseToken{
		PlatformID: platformID, Hash: hash, Purposes: []TokenPurpose{TokenSetPassword, TokenResetPassword},
		Now: s.now(), PasswordHash: hashPassword(password, s.cfg.Argon2), Event: ev,
	})
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	return u, nil
}
