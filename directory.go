package tenantry

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/tenancy"
)

// ImpersonationDirectory answers impersonation's questions about users and
// accounts from a tenancy Store, reading fresh data on every call (the
// policy is checked again on every request, so a demotion or a lock takes
// effect at once). A host wiring the packages itself passes it to
// impersonation.New.
func ImpersonationDirectory(store tenancy.Store) impersonation.Directory {
	return tenancyDirectory{store}
}

type tenancyDirectory struct{ store tenancy.Store }

// notFound maps tenancy's ErrNotFound to impersonation's.
func notFound(err error) error {
	if errors.Is(err, tenancy.ErrNotFound) {
		return fmt.Errorf("%w: %w", impersonation.ErrNotFound, err)
	}
	return err
}

func (d tenancyDirectory) User(ctx context.Context, platformID, userID string) (impersonation.User, error) {
	u, err := d.store.GetUser(ctx, platformID, userID)
	if err != nil {
		return impersonation.User{}, notFound(err)
	}
	return impersonation.User{ID: u.ID, Email: u.Email, Role: impersonation.Role(u.Role), Active: u.Status == tenancy.UserActive}, nil
}

func (d tenancyDirectory) Account(ctx context.Context, platformID, accountID string) (impersonation.Account, error) {
	a, err := d.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return impersonation.Account{}, notFound(err)
	}
	return impersonation.Account{
		ID: a.ID, Name: a.Name, PrimaryUserID: a.PrimaryUserID,
		Disabled: a.Status != tenancy.AccountActive, Locked: a.Locked, Secure: a.Secure,
		TestExpiresAt: a.TestExpiresAt,
	}, nil
}

func (d tenancyDirectory) IsMember(ctx context.Context, platformID, accountID, userID string) (bool, error) {
	ms, err := d.store.Members(ctx, platformID, accountID)
	if err != nil {
		return false, notFound(err)
	}
	return slices.ContainsFunc(ms, func(m tenancy.Member) bool { return m.UserID == userID }), nil
}

func (d tenancyDirectory) IsAssigned(ctx context.Context, platformID, accountID, operatorID string) (bool, error) {
	as, err := d.store.Assignments(ctx, platformID, []string{accountID})
	if err != nil {
		return false, notFound(err)
	}
	return slices.ContainsFunc(as, func(a tenancy.Assignment) bool { return a.OperatorID == operatorID }), nil
}
