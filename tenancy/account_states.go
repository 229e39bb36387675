package tenancy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// setAccountFlag is the shared body of the staff toggles (disable, lock,
// secure, template, links).
func (s *Service) setAccountFlag(ctx context.Context, platformID, accountID, action string, set func(*Account)) (Account, error) {
	op := "tenancy: " + action + ": %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	acc, err := s.changeAccount(ctx, platformID, accountID, action, func(acc *Account) error {
		if err := a.mayManageAccount(*acc); err != nil {
			return err
		}
		set(acc)
		return nil
	})
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	return acc, nil
}

// DisableAccount blocks login and API access to an account at once. Its
// data and quota allocation are kept; EnableAccount restores it.
func (s *Service) DisableAccount(ctx context.Context, platformID, accountID string) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.disable", func(a *Account) { a.Status = AccountDisabled })
}

// EnableAccount lifts DisableAccount.
func (s *Service) EnableAccount(ctx context.Context, platformID, accountID string) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.enable", func(a *Account) { a.Status = AccountActive })
}

// LockAccount keeps everybody out of an account, its primary admin, its
// staff and platform operators included, and refuses impersonation.
func (s *Service) LockAccount(ctx context.Context, platformID, accountID string) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.lock", func(a *Account) { a.Locked = true })
}

// UnlockAccount lifts LockAccount.
func (s *Service) UnlockAccount(ctx context.Context, platformID, accountID string) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.unlock", func(a *Account) { a.Locked = false })
}

// SetSecure marks an account secure (HIPAA: from then on only secure
// operators act on it) or, by a secure operator, lifts the mark.
func (s *Service) SetSecure(ctx context.Context, platformID, accountID string, secure bool) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.set_secure", func(a *Account) { a.Secure = secure })
}

// SetTemplate marks or unmarks an account as a template.
func (s *Service) SetTemplate(ctx context.Context, platformID, accountID string, template bool) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.set_template", func(a *Account) { a.Template = template })
}

// SetLinksAllowed lifts (or restores) the link screening of a new account.
func (s *Service) SetLinksAllowed(ctx context.Context, platformID, accountID string, allowed bool) (Account, error) {
	return s.setAccountFlag(ctx, platformID, accountID, "account.set_links_allowed", func(a *Account) { a.LinksAllowed = allowed })
}

// CompleteOnboardingStep records a host-named setup step as done. Staff
// and the account's members may.
func (s *Service) CompleteOnboardingStep(ctx context.Context, platformID, accountID, step string) (Account, error) {
	return s.onboarding(ctx, platformID, accountID, "account.onboarding_step", func(o *Onboarding) error {
		step = strings.TrimSpace(step)
		if step == "" || validate.Line(step, MaxTagLength) != nil {
			return invalid("step", fmt.Sprintf("must be 1 to %d bytes of printable text", MaxTagLength))
		}
		if !slices.Contains(o.StepsDone, step) {
			o.StepsDone = append(o.StepsDone, step)
		}
		return nil
	})
}

// MarkSetupComplete ends an account's "in setup" state.
func (s *Service) MarkSetupComplete(ctx context.Context, platformID, accountID string) (Account, error) {
	return s.onboarding(ctx, platformID, accountID, "account.setup_complete", func(o *Onboarding) error {
		o.Complete = true
		return nil
	})
}

func (s *Service) onboarding(ctx context.Context, platformID, accountID, action string, mutate func(*Onboarding) error) (Account, error) {
	op := "tenancy: " + action + ": %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	acc, err := s.changeAccount(ctx, platformID, accountID, action, func(acc *Account) error {
		if err := s.mayUseAccount(ctx, a, *acc); err != nil {
			return err
		}
		return mutate(&acc.Onboarding)
	})
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	return acc, nil
}

// mayUseAccount allows staff who may manage acc, and its members.
func (s *Service) mayUseAccount(ctx context.Context, a actor, acc Account) error {
	if a.system() || a.user.Role.IsStaff() {
		return a.mayManageAccount(acc)
	}
	ms, err := s.store.Memberships(ctx, acc.PlatformID, a.user.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.Member.AccountID == acc.ID {
			return nil
		}
	}
	return fmt.Errorf("%w: not a member of this account", ErrForbidden)
}

// DeleteAccount removes an account permanently: its members go, users with
// no other place on the platform can no longer log in (they are told
// ErrAccountDeleted), its nickname is free again, and
// Config.OnAccountDeleted is told so the host drops its own data. Owners
// and admins (and system principals) may.
func (s *Service) DeleteAccount(ctx context.Context, platformID, accountID string) (DeletedAccount, error) {
	const op = "tenancy: delete account: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return DeletedAccount{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return DeletedAccount{}, fmt.Errorf(op, err)
	}
	acc, err := s.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return DeletedAccount{}, fmt.Errorf(op, err)
	}
	if err := a.mayManageAccount(acc); err != nil {
		return DeletedAccount{}, fmt.Errorf(op, err)
	}
	if r := a.role(); r != RoleOwner && r != RoleAdmin {
		return DeletedAccount{}, fmt.Errorf(op, fmt.Errorf("%w: only owners and admins delete accounts", ErrForbidden))
	}
	now := s.now()
	ev := s.event(ctx, platformID, "account.delete")
	ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "account", acc.ID
	ev.Changes = []audit.Change{{Field: "name", Before: acc.Name}, {Field: "email", Before: acc.Email}}
	var res DeletedAccount
	deleted := func() AccountDeleted {
		return AccountDeleted{PlatformID: platformID, AccountID: accountID, DeletedUserIDs: res.DeletedUserIDs, At: now}
	}
	err = s.commitChange(ctx, func(ctx context.Context) (bool, error) {
		var err error
		res, err = s.store.DeleteAccount(ctx, DeleteAccount{PlatformID: platformID, AccountID: accountID, Now: now, Event: ev})
		return err == nil, err
	}, func(ctx context.Context) error {
		if f := s.cfg.Cascade.AccountDeleted; f != nil {
			return f(ctx, deleted())
		}
		return nil
	}, func() {
		s.perms.forgetAccount(platformID, accountID)
		if f := s.cfg.OnAccountDeleted; f != nil {
			f(ctx, deleted())
		}
	})
	if err != nil {
		return DeletedAccount{}, fmt.Errorf(op, err)
	}
	return res, nil
}

func accountChanges(b, a Account) []audit.Change {
	var c []audit.Change
	add := func(field, before, after string) { c = append(c, changed(field, before, after)...) }
	add("name", b.Name, a.Name)
	add("email", b.Email, a.Email)
	add("nickname", b.Nickname, a.Nickname)
	add("uid", b.UID, a.UID)
	add("primary_user_id", b.PrimaryUserID, a.PrimaryUserID)
	add("contact.address", b.Contact.Address, a.Contact.Address)
	add("contact.phone", b.Contact.Phone, a.Contact.Phone)
	add("contact.website", b.Contact.Website, a.Contact.Website)
	add("language", b.Language, a.Language)
	add("time_zone", b.TimeZone, a.TimeZone)
	add("logo_url", b.LogoURL, a.LogoURL)
	add("tags", strings.Join(b.Tags, ", "), strings.Join(a.Tags, ", "))
	add("note", b.Note, a.Note)
	add("plan", b.Plan, a.Plan)
	add("status", string(b.Status), string(a.Status))
	add("locked", boolText(b.Locked), boolText(a.Locked))
	add("secure", boolText(b.Secure), boolText(a.Secure))
	add("template", boolText(b.Template), boolText(a.Template))
	add("test_expires_at", timeText(b.TestExpiresAt), timeText(a.TestExpiresAt))
	add("links_allowed", boolText(b.LinksAllowed), boolText(a.LinksAllowed))
	add("onboarding.steps_done", strings.Join(b.Onboarding.StepsDone, ", "), strings.Join(a.Onboarding.StepsDone, ", "))
	add("onboarding.complete", boolText(b.Onboarding.Complete), boolText(a.Onboarding.Complete))
	add("sites", strings.Join(b.Sites, " "), strings.Join(a.Sites, " "))
	return c
}
