package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
	"github.com/tenantry/tenantry/internal/validate"
)

// CreateUserParams describes a new user.
type CreateUserParams struct {
	PlatformID string
	Email      string
	Name       string
	// Role is the platform role; RoleNone for a regular user. Only owners
	// (and system principals) create staff.
	Role Role
	// Password is the initial password. When empty the user gets a
	// set-password token instead (CreatedUser.SetPasswordToken).
	Password string
}

// CreatedUser is a new user and, when created without a password, the
// secret of their set-password link (hand it out once; it is not stored).
type CreatedUser struct {
	User             User
	SetPasswordToken string
}

// CreateUser adds a user to a platform. Owners create users of any role;
// admins and operators create regular users only. The email is canonical
// and unique on the platform (ErrConflict).
func (s *Service) CreateUser(ctx context.Context, p CreateUserParams) (CreatedUser, error) {
	const op = "tenancy: create user: %w"
	u, err := s.newUser(ctx, p)
	if err != nil {
		return CreatedUser{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, p.PlatformID)
	if err != nil {
		return CreatedUser{}, fmt.Errorf(op, err)
	}
	if err := a.mayGrantRole(u.Role); err != nil {
		return CreatedUser{}, fmt.Errorf(op, err)
	}
	if !a.system() && !a.user.Role.IsStaff() {
		return CreatedUser{}, fmt.Errorf(op, fmt.Errorf("%w: only platform staff create users", ErrForbidden))
	}
	ev := s.event(ctx, p.PlatformID, "user.create")
	ev.TargetType, ev.TargetID = "user", u.ID
	ev.Changes = userChanges(User{}, u)
	if err := s.store.InsertUser(ctx, u, ev); err != nil {
		return CreatedUser{}, fmt.Errorf(op, err)
	}
	out := CreatedUser{User: u}
	if !u.HasPassword() {
		tok, err := s.issueToken(ctx, u, TokenSetPassword)
		if err != nil {
			return out, fmt.Errorf(op, err)
		}
		out.SetPasswordToken = tok.Token
	}
	return out, nil
}

// newUser checks p and builds the user record, hashing the password.
func (s *Service) newUser(ctx context.Context, p CreateUserParams) (User, error) {
	if err := checkID("platform_id", p.PlatformID); err != nil {
		return User{}, err
	}
	email, err := NormalizeEmail(p.Email)
	if err != nil {
		return User{}, err
	}
	name, err := checkName("name", p.Name)
	if err != nil {
		return User{}, err
	}
	if !p.Role.Valid() {
		return User{}, invalid("role", "unknown role "+validate.Excerpt(string(p.Role)))
	}
	var hash string
	if p.Password != "" {
		if err := s.checkPassword(ctx, "password", p.Password); err != nil {
			return User{}, err
		}
		hash = hashPassword(p.Password, s.cfg.Argon2)
	}
	now := s.now()
	return User{
		PlatformID: p.PlatformID, ID: s.cfg.NewID(), Email: email, Name: name, Role: p.Role,
		Status: UserActive, PasswordHash: hash, Version: 1, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// mayGrantRole checks that a may give role r: staff roles are granted by
// owners (and system principals) only.
func (a actor) mayGrantRole(r Role) error {
	if r == RoleNone || a.role() == RoleOwner {
		return nil
	}
	return fmt.Errorf("%w: only owners grant the %s role", ErrForbidden, r)
}

// User returns a user of the platform.
func (s *Service) User(ctx context.Context, platformID, userID string) (User, error) {
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return User{}, fmt.Errorf("tenancy: get user: %w", err)
	}
	u, err := s.store.GetUser(ctx, platformID, userID)
	if err != nil {
		return User{}, fmt.Errorf("tenancy: get user: %w", err)
	}
	return u, nil
}

// UserByEmail returns the platform's user with that email (in any case or
// form NormalizeEmail maps to the same address). It is for the host's own
// staff pages; a public page must not reveal whether an email has a user.
func (s *Service) UserByEmail(ctx context.Context, platformID, email string) (User, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return User{}, fmt.Errorf("tenancy: get user by email: %w", err)
	}
	e, err := NormalizeEmail(email)
	if err != nil {
		return User{}, fmt.Errorf("tenancy: get user by email: %w", err)
	}
	u, err := s.store.GetUserByEmail(ctx, platformID, e)
	if err == nil && u.Status == UserDeleted {
		err = ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("tenancy: get user by email: %w", err)
	}
	return u, nil
}

// UserPage is one page of users and the cursor of the next ("" at the end).
type UserPage struct {
	Users []User
	Next  string
}

// ListUsersParams selects users across all accounts of a platform (the
// owner portal's users page).
type ListUsersParams struct {
	PlatformID string
	// Roles keeps users holding one of them (RoleNone: regular users).
	Roles []Role
	// Search keeps users whose email or name contains it.
	Search string
	// AccountID keeps members of that account.
	AccountID string
	// IncludeDisabled keeps disabled users, left out otherwise.
	IncludeDisabled bool
	// After is Next of the previous page.
	After string
	// Limit is the page size. Defaults to 50; at most 500.
	Limit int
}

// ListUsers returns one page of users ordered by email.
func (s *Service) ListUsers(ctx context.Context, p ListUsersParams) (UserPage, error) {
	const op = "tenancy: list users: %w"
	limit, err := pageSize(p.Limit)
	if err != nil {
		return UserPage{}, fmt.Errorf(op, err)
	}
	if err := checkIDs("platform_id", p.PlatformID, "account_id", p.AccountID); err != nil {
		return UserPage{}, fmt.Errorf(op, err)
	}
	if _, err := checkLine("search", p.Search, maxSearchLength); err != nil {
		return UserPage{}, fmt.Errorf(op, err)
	}
	q := UserQuery{PlatformID: p.PlatformID, Roles: p.Roles, Search: p.Search, AccountID: p.AccountID, Limit: limit + 1,
		Statuses: []UserStatus{UserActive}}
	if p.IncludeDisabled {
		q.Statuses = append(q.Statuses, UserDisabled)
	}
	for _, r := range p.Roles {
		if !r.Valid() {
			return UserPage{}, fmt.Errorf(op, invalid("roles", "unknown role "+validate.Excerpt(string(r))))
		}
	}
	if p.After != "" {
		var c UserCursor
		if err := decodeCursor(p.After, &c); err != nil {
			return UserPage{}, fmt.Errorf(op, err)
		}
		if validate.ID(c.ID) != nil || validate.Line(c.Email, validate.MaxEmailLength) != nil {
			return UserPage{}, fmt.Errorf(op, invalid("after", "is not a cursor from a previous page"))
		}
		q.After = &c
	}
	users, err := s.store.ListUsers(ctx, q)
	if err != nil {
		return UserPage{}, fmt.Errorf(op, err)
	}
	page := UserPage{Users: users}
	if len(users) > limit {
		page.Users = users[:limit]
		last := page.Users[limit-1]
		page.Next = encodeCursor(UserCursor{Email: last.Email, ID: last.ID})
	}
	return page, nil
}

// SetRole gives a user a platform role (promote to owner, make operator,
// demote to regular). Only owners grant or take staff roles. Taking the
// owner role needs Config.AuthorizeOwnerDemotion (or a system principal):
// a peer owner alone never can, and neither can an owner demote itself.
func (s *Service) SetRole(ctx context.Context, platformID, userID string, role Role) (User, error) {
	const op = "tenancy: set role: %w"
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	if !role.Valid() {
		return User{}, fmt.Errorf(op, invalid("role", "unknown role "+validate.Excerpt(string(role))))
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	if a.role() != RoleOwner || a.p.IsImpersonating() {
		return User{}, fmt.Errorf(op, fmt.Errorf("%w: only owners change roles", ErrForbidden))
	}
	u, err := s.updateUser(ctx, platformID, userID, "user.set_role", func(u *User) error {
		if u.Role == role {
			return nil
		}
		if u.Role == RoleOwner && !a.system() {
			if err := s.approveDemotion(ctx, a, u, role); err != nil {
				return err
			}
		}
		u.Role = role
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	return u, nil
}

func (s *Service) approveDemotion(ctx context.Context, a actor, u *User, role Role) error {
	if s.cfg.AuthorizeOwnerDemotion == nil {
		return fmt.Errorf("%w: demoting an owner needs a higher authority", ErrForbidden)
	}
	err := s.cfg.AuthorizeOwnerDemotion(ctx, OwnerDemotion{PlatformID: u.PlatformID, Actor: a.p, UserID: u.ID, NewRole: role})
	if err != nil {
		return fmt.Errorf("%w: demoting an owner was not approved: %w", ErrForbidden, err)
	}
	return nil
}

// DisableUser blocks a user's own login at once, whatever their accounts.
func (s *Service) DisableUser(ctx context.Context, platformID, userID string) (User, error) {
	return s.setUserStatus(ctx, platformID, userID, UserDisabled, "user.disable")
}

// EnableUser lifts DisableUser.
func (s *Service) EnableUser(ctx context.Context, platformID, userID string) (User, error) {
	return s.setUserStatus(ctx, platformID, userID, UserActive, "user.enable")
}

func (s *Service) setUserStatus(ctx context.Context, platformID, userID string, st UserStatus, action string) (User, error) {
	op := "tenancy: " + action + ": %w"
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	u, err := s.updateUser(ctx, platformID, userID, action, func(u *User) error {
		if err := a.mayManageUser(*u); err != nil {
			return err
		}
		u.Status = st
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	return u, nil
}

// UpdateUserParams changes a user's profile; nil fields stay as they are.
type UpdateUserParams struct {
	PlatformID string
	UserID     string
	Name       *string
	Email      *string
}

// UpdateUser changes a user's name or email. Users change their own; staff
// change those they manage (see the rules on Service).
func (s *Service) UpdateUser(ctx context.Context, p UpdateUserParams) (User, error) {
	const op = "tenancy: update user: %w"
	if err := checkIDs("platform_id", p.PlatformID, "user_id", p.UserID); err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	var name, email string
	var err error
	if p.Name != nil {
		if name, err = checkName("name", *p.Name); err != nil {
			return User{}, fmt.Errorf(op, err)
		}
	}
	if p.Email != nil {
		if email, err = NormalizeEmail(*p.Email); err != nil {
			return User{}, fmt.Errorf(op, err)
		}
	}
	a, err := s.actorFor(ctx, p.PlatformID)
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	u, err := s.updateUser(ctx, p.PlatformID, p.UserID, "user.update", func(u *User) error {
		if err := a.maySelfOrManage(*u); err != nil {
			return err
		}
		if p.Name != nil {
			u.Name = name
		}
		if p.Email != nil {
			u.Email = email
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf(op, err)
	}
	return u, nil
}

// maySelfOrManage allows a user acting as itself (not through
// impersonation) on its own record, or anyone who may manage the target.
func (a actor) maySelfOrManage(target User) error {
	if !a.system() && a.user.ID == target.ID {
		if a.p.IsImpersonating() {
			return fmt.Errorf("%w: not while impersonating", ErrForbidden)
		}
		return nil
	}
	return a.mayManageUser(target)
}

// updateUser runs a read-modify-write of one user, retried on ErrStale,
// recording what changed, in one unit with its cascade. mutate returns an
// error to refuse the change.
func (s *Service) updateUser(ctx context.Context, platformID, userID, action string, mutate func(*User) error) (User, error) {
	var out, was User
	change := func() UserChange { return UserChange{Action: action, Before: was, After: out} }
	err := s.commitChange(ctx, func(ctx context.Context) (bool, error) {
		changed := false
		err := retryStale(func() error {
			changed = false
			u, err := s.store.GetUser(ctx, platformID, userID)
			if err != nil {
				return err
			}
			if u.Status == UserDeleted {
				return fmt.Errorf("%w: user was deleted with their account", ErrNotFound)
			}
			before := u
			if err := mutate(&u); err != nil {
				return err
			}
			ev := s.event(ctx, platformID, action)
			ev.TargetType, ev.TargetID = "user", u.ID
			ev.Changes = userChanges(before, u)
			if len(ev.Changes) == 0 {
				out = u
				return nil
			}
			u.Version, u.UpdatedAt = before.Version+1, s.now()
			if err := s.store.UpdateUser(ctx, u, ev); err != nil {
				return err
			}
			out, was, changed = u, before, true
			return nil
		})
		return changed, err
	}, func(ctx context.Context) error {
		if f := s.cfg.Cascade.UserChanged; f != nil {
			return f(ctx, change())
		}
		return nil
	}, func() {
		if f := s.cfg.OnUserChanged; f != nil {
			f(ctx, change())
		}
	})
	return out, err
}

func userChanges(before, after User) []audit.Change {
	var c []audit.Change
	c = append(c, changed("email", before.Email, after.Email)...)
	c = append(c, changed("name", before.Name, after.Name)...)
	c = append(c, changed("role", string(before.Role), string(after.Role))...)
	c = append(c, changed("status", string(before.Status), string(after.Status))...)
	if before.PasswordHash != after.PasswordHash {
		c = append(c, audit.Change{Field: "password", After: "(changed)"})
	}
	return c
}

// IssuedToken is a password link secret to hand out once.
type IssuedToken struct {
	Token     string
	ExpiresAt time.Time
}

func (s *Service) issueToken(ctx context.Context, u User, purpose TokenPurpose) (IssuedToken, error) {
	ttl := s.cfg.ResetPasswordTTL
	if purpose == TokenSetPassword {
		ttl = s.cfg.SetPasswordTTL
	}
	tok, hash := secret.New()
	now := s.now()
	t := PasswordToken{PlatformID: u.PlatformID, Hash: hash, UserID: u.ID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	ev := s.event(ctx, u.PlatformID, "user.issue_token")
	if ev.ActorID == "" {
		ev.ActorID = u.ID // a user asking for their own reset link
	}
	ev.TargetType, ev.TargetID = "user", u.ID
	ev.Changes = []audit.Change{{Field: "token", After: string(purpose)}}
	if err := s.store.InsertToken(ctx, t, ev); err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{Token: tok, ExpiresAt: t.ExpiresAt}, nil
}
