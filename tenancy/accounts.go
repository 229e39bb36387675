package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/secret"
)

// CreateAccountParams describes an account created directly by staff
// (active at once, no email sent).
type CreateAccountParams struct {
	PlatformID string
	// Name is the business name. Required.
	Name string
	// Email is the primary admin's email. Required. When a user with that
	// email exists on the platform, they become the primary admin (and
	// Password must be empty); otherwise a new regular user is created.
	Email string
	// AdminName is the new primary admin's name. Defaults to Name.
	AdminName string
	// Password is the new primary admin's initial password. Leave it empty
	// to let the client set their password at first login: the result then
	// holds a set-password token.
	Password string
	Nickname string
	Contact  Contact
	Language string
	TimeZone string
	LogoURL  string
	Tags     []string
	Note     string
	Plan     string
	Sites    []string
	// TestUntil, when set, makes a test (trial) account that nobody can log
	// in to from that instant on. It must be in the future.
	TestUntil time.Time
}

// CreatedAccount is a new account, its primary admin, and the secret of the
// set-password link when the client sets their own password (hand it out
// once; it is not stored).
type CreatedAccount struct {
	Account          Account
	PrimaryAdmin     User
	SetPasswordToken string
}

// CreateAccount creates an account directly, with its primary admin, in one
// transaction. Platform staff (and system principals) may.
func (s *Service) CreateAccount(ctx context.Context, p CreateAccountParams) (CreatedAccount, error) {
	const op = "tenancy: create account: %w"
	acc, err := s.newAccount(p)
	if err != nil {
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, p.PlatformID)
	if err != nil {
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	if err := a.mayManageAccount(acc); err != nil {
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	var existing *User
	admin, err := s.store.GetUserByEmail(ctx, p.PlatformID, acc.Email)
	switch {
	case err == nil && admin.Status != UserDeleted:
		if p.Password != "" {
			return CreatedAccount{}, fmt.Errorf(op, invalid("password", "the user with this email exists already and keeps their password; leave it empty"))
		}
		existing = &admin
	case err != nil && !errors.Is(err, ErrNotFound):
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	rec, out, err := s.accountRecord(ctx, acc, p, existing, s.defaultAllocations(acc), "account.create")
	if err != nil {
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	if err := s.store.CreateAccount(ctx, rec); err != nil {
		return CreatedAccount{}, fmt.Errorf(op, err)
	}
	return out, nil
}

// accountRecord builds what the store writes for a new account: its
// primary admin (existing, or a new user from p), membership, allocations,
// set-password token when the new admin has no password, and event.
func (s *Service) accountRecord(ctx context.Context, acc Account, p CreateAccountParams, existing *User, allocs []Allocation, action string) (NewAccount, CreatedAccount, error) {
	rec := NewAccount{Account: acc, Allocations: allocs}
	var admin User
	if existing != nil {
		admin = *existing
	} else {
		adminName := p.AdminName
		if strings.TrimSpace(adminName) == "" {
			adminName = acc.Name
		}
		var err error
		admin, err = s.newUser(ctx, CreateUserParams{PlatformID: acc.PlatformID, Email: acc.Email, Name: adminName, Password: p.Password})
		if err != nil {
			return NewAccount{}, CreatedAccount{}, err
		}
		rec.NewUser = &admin
	}
	rec.Account.PrimaryUserID = admin.ID
	rec.Members = []Member{{PlatformID: acc.PlatformID, AccountID: acc.ID, UserID: admin.ID, Primary: true, CreatedAt: acc.CreatedAt}}
	out := CreatedAccount{Account: rec.Account, PrimaryAdmin: admin}
	if !admin.HasPassword() && rec.NewUser != nil {
		tok, hash := secret.New()
		rec.Token = &PasswordToken{PlatformID: acc.PlatformID, Hash: hash, UserID: admin.ID, Purpose: TokenSetPassword,
			CreatedAt: acc.CreatedAt, ExpiresAt: acc.CreatedAt.Add(s.cfg.SetPasswordTTL)}
		out.SetPasswordToken = tok
	}
	ev := s.event(ctx, acc.PlatformID, action)
	ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "account", acc.ID
	ev.Changes = accountChanges(Account{}, rec.Account)
	rec.Events = []audit.Event{ev}
	return rec, out, nil
}

// defaultAllocations are a new account's first allocations, from
// Config.DefaultAllocations, in resource order.
func (s *Service) defaultAllocations(acc Account) []Allocation {
	var out []Allocation
	for res, limit := range s.cfg.DefaultAllocations {
		out = append(out, Allocation{PlatformID: acc.PlatformID, AccountID: acc.ID, Resource: res, Limit: limit, UpdatedAt: acc.CreatedAt})
	}
	slices.SortFunc(out, func(a, b Allocation) int { return strings.Compare(a.Resource, b.Resource) })
	return out
}

// newAccount checks p and builds the account record.
func (s *Service) newAccount(p CreateAccountParams) (Account, error) {
	if err := checkID("platform_id", p.PlatformID); err != nil {
		return Account{}, err
	}
	now := s.now()
	acc := Account{PlatformID: p.PlatformID, ID: s.cfg.NewID(), UID: s.cfg.NewUID(), Status: AccountActive,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	var err error
	if acc.Name, err = checkName("name", p.Name); err != nil {
		return Account{}, err
	}
	if acc.Email, err = NormalizeEmail(p.Email); err != nil {
		return Account{}, err
	}
	if err := applyEdit(&acc, AccountEdit{
		Nickname: &p.Nickname, Contact: &p.Contact, Language: &p.Language, TimeZone: &p.TimeZone,
		LogoURL: &p.LogoURL, Tags: &p.Tags, Note: &p.Note, Plan: &p.Plan, Sites: &p.Sites,
	}); err != nil {
		return Account{}, err
	}
	if !p.TestUntil.IsZero() {
		if !p.TestUntil.After(now) {
			return Account{}, invalid("test_until", "must be in the future")
		}
		acc.TestExpiresAt = p.TestUntil.UTC().Truncate(time.Microsecond)
	}
	return acc, nil
}

// AccountEdit changes an account's details; nil fields stay as they are.
type AccountEdit struct {
	Name     *string
	Nickname *string
	Contact  *Contact
	Language *string
	TimeZone *string
	LogoURL  *string
	Tags     *[]string
	Note     *string
	Plan     *string
	Sites    *[]string
}

// profileOnly reports whether e touches only what an account's primary
// admin may change themselves: name, contact, language, time zone, logo and
// sites.
func (e AccountEdit) profileOnly() bool {
	return e.Nickname == nil && e.Tags == nil && e.Note == nil && e.Plan == nil
}

// applyEdit checks e and applies it to acc.
func applyEdit(acc *Account, e AccountEdit) error {
	var err error
	if e.Name != nil {
		if acc.Name, err = checkName("name", *e.Name); err != nil {
			return err
		}
	}
	if e.Nickname != nil {
		n := strings.TrimSpace(*e.Nickname)
		if err := checkNickname(n); err != nil {
			return err
		}
		acc.Nickname = n
	}
	if e.Contact != nil {
		if acc.Contact, err = checkContact(*e.Contact); err != nil {
			return err
		}
	}
	if e.Language != nil || e.TimeZone != nil {
		lang, tz := acc.Language, acc.TimeZone
		if e.Language != nil {
			lang = *e.Language
		}
		if e.TimeZone != nil {
			tz = strings.TrimSpace(*e.TimeZone)
		}
		if acc.Language, err = checkLocale(strings.TrimSpace(lang), tz); err != nil {
			return err
		}
		acc.TimeZone = tz
	}
	if e.LogoURL != nil {
		if acc.LogoURL, err = checkWebURL("logo_url", *e.LogoURL); err != nil {
			return err
		}
	}
	if e.Tags != nil {
		if acc.Tags, err = normalizeTags(*e.Tags); err != nil {
			return err
		}
	}
	if e.Note != nil {
		if acc.Note, err = checkText("note", *e.Note, MaxNoteLength); err != nil {
			return err
		}
	}
	if e.Plan != nil {
		if acc.Plan, err = checkLine("plan", *e.Plan, MaxTagLength); err != nil {
			return err
		}
	}
	if e.Sites != nil {
		if acc.Sites, err = normalizeSites(*e.Sites); err != nil {
			return err
		}
	}
	return nil
}

// Account returns an account of the platform.
func (s *Service) Account(ctx context.Context, platformID, accountID string) (Account, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf("tenancy: get account: %w", err)
	}
	a, err := s.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return Account{}, fmt.Errorf("tenancy: get account: %w", err)
	}
	return a, nil
}

// AccountByNickname returns the account with that nickname.
func (s *Service) AccountByNickname(ctx context.Context, platformID, nickname string) (Account, error) {
	if err := checkIDs("platform_id", platformID, "nickname", nickname); err != nil {
		return Account{}, fmt.Errorf("tenancy: get account by nickname: %w", err)
	}
	a, err := s.store.GetAccountByNickname(ctx, platformID, nickname)
	if err != nil {
		return Account{}, fmt.Errorf("tenancy: get account by nickname: %w", err)
	}
	return a, nil
}

// AccountByUID returns the account with that API integration UID.
func (s *Service) AccountByUID(ctx context.Context, platformID, uid string) (Account, error) {
	if err := checkIDs("platform_id", platformID, "uid", uid); err != nil {
		return Account{}, fmt.Errorf("tenancy: get account by uid: %w", err)
	}
	a, err := s.store.GetAccountByUID(ctx, platformID, uid)
	if err != nil {
		return Account{}, fmt.Errorf("tenancy: get account by uid: %w", err)
	}
	return a, nil
}

// UpdateAccount changes an account's details. Staff change every field
// (secure accounts: secure operators only); the account's primary admin
// changes its profile (name, contact, language, time zone, logo, sites).
func (s *Service) UpdateAccount(ctx context.Context, platformID, accountID string, e AccountEdit) (Account, error) {
	const op = "tenancy: update account: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	var probe Account
	if err := applyEdit(&probe, e); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	acc, err := s.changeAccount(ctx, platformID, accountID, "account.update", func(acc *Account) error {
		if err := a.mayEditAccount(*acc, e); err != nil {
			return err
		}
		return applyEdit(acc, e)
	})
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	return acc, nil
}

func (a actor) mayEditAccount(acc Account, e AccountEdit) error {
	if a.system() || a.user.Role.IsStaff() {
		return a.mayManageAccount(acc)
	}
	if acc.PrimaryUserID != a.user.ID {
		return fmt.Errorf("%w: only staff and the account's primary admin edit it", ErrForbidden)
	}
	if !e.profileOnly() {
		return fmt.Errorf("%w: nickname, tags, note and plan are set by staff", ErrForbidden)
	}
	return nil
}

// changeAccount runs an authorised read-modify-write of one account,
// retried on ErrStale, recording what changed, in one unit with its
// cascade.
func (s *Service) changeAccount(ctx context.Context, platformID, accountID, action string, mutate func(*Account) error) (Account, error) {
	var out, was Account
	change := func() AccountChange { return AccountChange{Action: action, Before: was, After: out} }
	err := s.commitChange(ctx, func(ctx context.Context) (bool, error) {
		changed := false
		err := retryStale(func() error {
			changed = false
			acc, err := s.store.GetAccount(ctx, platformID, accountID)
			if err != nil {
				return err
			}
			before := acc
			before.Tags, before.Sites = append([]string(nil), acc.Tags...), append([]string(nil), acc.Sites...)
			before.Onboarding.StepsDone = append([]string(nil), acc.Onboarding.StepsDone...)
			if err := mutate(&acc); err != nil {
				return err
			}
			ev := s.event(ctx, platformID, action)
			ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "account", acc.ID
			ev.Changes = accountChanges(before, acc)
			if len(ev.Changes) == 0 {
				out = acc
				return nil
			}
			acc.Version, acc.UpdatedAt = before.Version+1, s.now()
			if err := s.store.UpdateAccount(ctx, acc, ev); err != nil {
				return err
			}
			out, was, changed = acc, before, true
			return nil
		})
		return changed, err
	}, func(ctx context.Context) error {
		if f := s.cfg.Cascade.AccountChanged; f != nil {
			return f(ctx, change())
		}
		return nil
	}, func() {
		if f := s.cfg.OnAccountChanged; f != nil {
			f(ctx, change())
		}
	})
	return out, err
}
