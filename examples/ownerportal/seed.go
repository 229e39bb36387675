package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// The demo platform and its staff logins. The passwords are fixed so that
// the demo is easy to try; a real host never ships a password in its code.
const (
	demoPlatformID   = "demo"
	demoPlatformName = "Demo Platform"
	ownerEmail       = "owner@demo.example"
	ownerPassword    = "demo-owner-password"
	operatorEmail    = "operator@demo.example"
	operatorPassword = "demo-operator-password"
	// clientEmail is the primary admin of Northwind Traders, a customer
	// who can log in; the primary admin of the locked Helios Solar has the
	// same password, to show a refused login.
	clientEmail    = "hello@northwind.example"
	clientPassword = "demo-client-password"
	lockedEmail    = "sales@heliossolar.example"
)

const day = 24 * time.Hour

// seeder writes the demo data as the system principal "demo-seed".
//
// The demo backdates its records so that the accounts page has a history:
// each step runs on a tenancy.Service whose Config.Now is the moment the
// step is meant to have happened. That is also how an expired test account
// is made honestly: it is created, with a trial end ahead, on a clock
// set back to its creation day.
type seeder struct {
	seedEnv
	cfg tenancy.Config
	now time.Time
}

// seedEnv is what the seed writes with: the database, its tenancy store
// (for backdated services) and the portal.
type seedEnv struct {
	db     *sqlx.DB
	store  tenancy.Store
	portal *tenantry.Portal
	cfg    *tenancy.Config
}

// seedDemo creates the demo platform and its data unless they are there
// already, and reports whether it wrote anything.
//
// The owner user is created last and marks a complete seeding: a later
// start finds it and changes nothing. A first start interrupted halfway
// leaves no owner, so the next start finishes the job; every step skips
// what exists, so two processes seeding at once do not conflict either.
func seedDemo(ctx context.Context, env seedEnv, now time.Time) (bool, error) {
	s := seeder{seedEnv: env, now: now}
	if env.cfg != nil {
		s.cfg = *env.cfg
	}
	ctx = audit.WithPrincipal(ctx, audit.System("demo-seed"))
	_, err := s.at(now).UserByEmail(ctx, demoPlatformID, ownerEmail)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, tenancy.ErrNotFound) {
		return false, fmt.Errorf("seed: %w", err)
	}
	if err := s.seed(ctx); err != nil {
		return false, fmt.Errorf("seed: %w", err)
	}
	return true, nil
}

func (s seeder) seed(ctx context.Context) error {
	start := s.now.Add(-365 * day)
	_, err := s.at(start).CreatePlatform(ctx, tenancy.CreatePlatformParams{ID: demoPlatformID, Name: demoPlatformName})
	if err := exists(err); err != nil {
		return err
	}
	if err := s.user(ctx, start, operatorEmail, "Olivia Operator", tenancy.RoleOperator, operatorPassword); err != nil {
		return err
	}
	for _, m := range demoTeam {
		if err := s.user(ctx, start, m.Email, m.Name, tenancy.RoleNone, ""); err != nil {
			return err
		}
	}
	for _, d := range demoAccounts {
		if err := s.account(ctx, d); err != nil {
			return fmt.Errorf("account %q: %w", d.Name, err)
		}
	}
	if err := s.extras(ctx); err != nil {
		return err
	}
	return s.user(ctx, start, ownerEmail, "Owen Owner", tenancy.RoleOwner, ownerPassword)
}

// extras seeds what lives beside the accounts: the customers' demo
// passwords, licensing, activity and branding.
func (s seeder) extras(ctx context.Context) error {
	for _, email := range []string{clientEmail, lockedEmail} {
		svc := s.at(s.now)
		u, err := svc.UserByEmail(ctx, demoPlatformID, email)
		if err != nil {
			return fmt.Errorf("user %s: %w", email, err)
		}
		if err := svc.SetPassword(ctx, demoPlatformID, u.ID, clientPassword); err != nil {
			return fmt.Errorf("password of %s: %w", email, err)
		}
	}
	if err := s.licenses(ctx); err != nil {
		return fmt.Errorf("licenses: %w", err)
	}
	if err := s.activity(ctx); err != nil {
		return fmt.Errorf("activity: %w", err)
	}
	if err := s.branding(ctx); err != nil {
		return fmt.Errorf("branding: %w", err)
	}
	return nil
}

// at returns a Service whose clock stands still at t.
func (s seeder) at(t time.Time) *tenancy.Service {
	cfg := s.cfg
	cfg.Now = func() time.Time { return t }
	return tenancy.New(s.store, &cfg)
}

// exists treats ErrConflict (the record is there already) as success.
func exists(err error) error {
	if errors.Is(err, tenancy.ErrConflict) {
		return nil
	}
	return err
}

// user creates a user unless one with that email exists.
func (s seeder) user(ctx context.Context, at time.Time, email, name string, role tenancy.Role, password string) error {
	_, err := s.at(at).CreateUser(ctx, tenancy.CreateUserParams{
		PlatformID: demoPlatformID, Email: email, Name: name, Role: role, Password: password,
	})
	if err = exists(err); err != nil {
		return fmt.Errorf("user %s: %w", email, err)
	}
	return nil
}

// account creates one demo account (or finds it, by nickname, from an
// interrupted earlier run) and brings it to the state d describes.
func (s seeder) account(ctx context.Context, d demoAccount) error {
	created := s.now.Add(-time.Duration(d.DaysAgo) * day)
	acc, err := s.at(created).AccountByNickname(ctx, demoPlatformID, d.Nickname)
	if errors.Is(err, tenancy.ErrNotFound) {
		acc, err = s.create(ctx, created, d)
	}
	if err != nil {
		return err
	}
	// The follow-up changes happen an hour after creation.
	svc := s.at(created.Add(time.Hour))
	if err := s.onboard(ctx, svc, acc.ID, d); err != nil {
		return err
	}
	if err := s.team(ctx, svc, acc.ID, d.Team); err != nil {
		return err
	}
	return setFlags(ctx, svc, acc.ID, d)
}

// create makes the account. The client sets their password at first login
// (the set-password link is not needed by the demo and is dropped).
func (s seeder) create(ctx context.Context, created time.Time, d demoAccount) (tenancy.Account, error) {
	p := tenancy.CreateAccountParams{
		PlatformID: demoPlatformID, Name: d.Name, Email: d.Email, Nickname: d.Nickname, Contact: d.Contact,
		Language: d.Language, TimeZone: d.TimeZone, Tags: d.Tags, Note: d.Note, Plan: d.Plan, Sites: d.Sites,
	}
	if d.TestEndsIn != 0 {
		p.TestUntil = s.now.Add(time.Duration(d.TestEndsIn) * day)
	}
	res, err := s.at(created).CreateAccount(ctx, p)
	if errors.Is(err, tenancy.ErrConflict) {
		// Another process seeding at the same time was first.
		return s.at(created).AccountByNickname(ctx, demoPlatformID, d.Nickname)
	}
	if err != nil {
		return tenancy.Account{}, err
	}
	return res.Account, s.figures(ctx, created, res.Account.ID, d)
}

// figures gives the account the summary figures the accounts page shows:
// subscribers and messages, in proportion to its age.
func (s seeder) figures(ctx context.Context, created time.Time, id string, d demoAccount) error {
	svc := s.at(created)
	subscribers := int64(d.DaysAgo*7 + len(d.Name)*3)
	if err := svc.CountActivity(ctx, demoPlatformID, id, "subscribers", subscribers); err != nil {
		return err
	}
	return svc.CountActivity(ctx, demoPlatformID, id, "messages", subscribers*13+int64(len(d.Nickname)))
}

// onboard records the first d.StepsDone setup steps, and completion.
func (s seeder) onboard(ctx context.Context, svc *tenancy.Service, id string, d demoAccount) error {
	for _, step := range onboardingSteps[:d.StepsDone] {
		if _, err := svc.CompleteOnboardingStep(ctx, demoPlatformID, id, step); err != nil {
			return err
		}
	}
	if d.Complete {
		if _, err := svc.MarkSetupComplete(ctx, demoPlatformID, id); err != nil {
			return err
		}
	}
	return nil
}

// team adds the demo team members listed by email.
func (s seeder) team(ctx context.Context, svc *tenancy.Service, id string, emails []string) error {
	for _, m := range demoTeam {
		if !slices.Contains(emails, m.Email) {
			continue
		}
		u, err := svc.UserByEmail(ctx, demoPlatformID, m.Email)
		if err != nil {
			return err
		}
		_, err = svc.AddMember(ctx, tenancy.AddMemberParams{
			PlatformID: demoPlatformID, AccountID: id, UserID: u.ID, Permissions: m.Permissions,
		})
		if err = exists(err); err != nil {
			return err
		}
	}
	return nil
}

// setFlags applies the staff toggles. Each is a no-op (and records nothing)
// when the account is already in that state. The secure mark comes last,
// as a real operator would set it.
func setFlags(ctx context.Context, svc *tenancy.Service, id string, d demoAccount) error {
	type toggle struct {
		on  bool
		set func(context.Context, string, string) (tenancy.Account, error)
	}
	for _, t := range []toggle{
		{d.Template, func(ctx context.Context, p, a string) (tenancy.Account, error) {
			return svc.SetTemplate(ctx, p, a, true)
		}},
		{d.Disabled, svc.DisableAccount},
		{d.Locked, svc.LockAccount},
		{d.Secure, func(ctx context.Context, p, a string) (tenancy.Account, error) { return svc.SetSecure(ctx, p, a, true) }},
	} {
		if !t.on {
			continue
		}
		if _, err := t.set(ctx, demoPlatformID, id); err != nil {
			return err
		}
	}
	return nil
}
