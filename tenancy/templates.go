package tenancy

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// MaxBulkAccounts bounds how many accounts one CreateFromTemplate call
// makes.
const MaxBulkAccounts = 10000

// NewFromTemplate is one account to create from a template: who it is for;
// everything else comes from the template.
type NewFromTemplate struct {
	Name string
	// Email is the new primary admin's, who must not have a user yet.
	Email     string
	AdminName string
	// Password, when empty, gives the admin a set-password link instead.
	// Hashing costs ~20 ms a password: leave it empty for large batches.
	Password string
	Nickname string
	// TestUntil, when set, makes a test account.
	TestUntil time.Time
}

// CreateFromTemplateParams creates accounts with a template's settings.
type CreateFromTemplateParams struct {
	PlatformID string
	TemplateID string
	Accounts   []NewFromTemplate
}

// CreateFromTemplate creates one or many accounts with the settings of a
// template account: language, time zone, logo, tags, plan, onboarding
// steps done, and its allocations (each drawn from its pool). It is all or
// nothing: one taken nickname or email, or a pool without room for all of
// them, creates none. Every account gets a new primary admin; an email that
// already has a user is ErrConflict (use CreateAccount for those).
// Staff who may manage the template may.
func (s *Service) CreateFromTemplate(ctx context.Context, p CreateFromTemplateParams) ([]CreatedAccount, error) {
	const op = "tenancy: create from template: %w"
	if len(p.Accounts) == 0 || len(p.Accounts) > MaxBulkAccounts {
		return nil, fmt.Errorf(op, invalid("accounts", fmt.Sprintf("give 1 to %d accounts", MaxBulkAccounts)))
	}
	tmpl, err := s.manageableAccount(ctx, p.PlatformID, p.TemplateID)
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	if !tmpl.Template {
		return nil, fmt.Errorf(op, fmt.Errorf("%w: account %s is not a template", ErrConflict, tmpl.ID))
	}
	allocs, err := s.store.Allocations(ctx, p.PlatformID, []string{tmpl.ID})
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	recs := make([]NewAccount, 0, len(p.Accounts))
	out := make([]CreatedAccount, 0, len(p.Accounts))
	for i, n := range p.Accounts {
		rec, created, err := s.fromTemplate(ctx, tmpl, allocs, n)
		if err != nil {
			return nil, fmt.Errorf(op, fmt.Errorf("accounts[%d]: %w", i, err))
		}
		recs, out = append(recs, rec), append(out, created)
	}
	if err := s.store.CreateAccounts(ctx, recs); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return out, nil
}

func (s *Service) fromTemplate(ctx context.Context, tmpl Account, tmplAllocs []Allocation, n NewFromTemplate) (NewAccount, CreatedAccount, error) {
	params := CreateAccountParams{
		PlatformID: tmpl.PlatformID, Name: n.Name, Email: n.Email, AdminName: n.AdminName, Password: n.Password,
		Nickname: n.Nickname, Language: tmpl.Language, TimeZone: tmpl.TimeZone, LogoURL: tmpl.LogoURL,
		Tags: tmpl.Tags, Plan: tmpl.Plan, TestUntil: n.TestUntil,
	}
	acc, err := s.newAccount(params)
	if err != nil {
		return NewAccount{}, CreatedAccount{}, err
	}
	acc.Onboarding.StepsDone = slices.Clone(tmpl.Onboarding.StepsDone)
	allocs := make([]Allocation, len(tmplAllocs))
	for i, a := range tmplAllocs {
		allocs[i] = Allocation{PlatformID: acc.PlatformID, AccountID: acc.ID, Resource: a.Resource, Limit: a.Limit, UpdatedAt: acc.CreatedAt}
	}
	rec, created, err := s.accountRecord(ctx, acc, params, nil, allocs, "account.create_from_template")
	if err != nil {
		return NewAccount{}, CreatedAccount{}, err
	}
	rec.Events[0].Changes = append(rec.Events[0].Changes, changed("template_id", "", tmpl.ID)...)
	return rec, created, nil
}
