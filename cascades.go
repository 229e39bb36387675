package tenantry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// tenancyConfig is the host's tenancy config with the cascades hooked in:
// what other packages hold of an account or a user follows its change in
// the same transaction (Cascade, on the Portal's unit of work), and the
// licensing gate, an in-memory cache, after the commit.
func (p *Portal) tenancyConfig(c Config) *tenancy.Config {
	tc := withNow(c.Tenancy, c.Now, func(t *tenancy.Config, now func() time.Time) { t.Now = now })
	if tc.SecretKey == nil {
		tc.SecretKey = c.SecretKey
	}
	if tc.Atomic == nil {
		tc.Atomic = p.unit.Atomic
	}
	host := tc.Cascade
	tc.Cascade = tenancy.Cascade{
		AccountChanged: func(ctx context.Context, ch tenancy.AccountChange) error {
			err := p.accountChanged(ctx, ch)
			if err == nil && host.AccountChanged != nil {
				err = host.AccountChanged(ctx, ch)
			}
			return err
		},
		AccountDeleted: func(ctx context.Context, d tenancy.AccountDeleted) error {
			errs := []error{p.closeAccount(ctx, d.PlatformID, d.AccountID), p.dropAccountData(ctx, d.PlatformID, d.AccountID)}
			for _, u := range d.DeletedUserIDs {
				errs = append(errs, p.endUser(ctx, d.PlatformID, u))
			}
			if host.AccountDeleted != nil {
				errs = append(errs, host.AccountDeleted(ctx, d))
			}
			return errors.Join(errs...)
		},
		UserChanged: func(ctx context.Context, ch tenancy.UserChange) error {
			var err error
			if ch.Before.Role != ch.After.Role || ch.After.Status != tenancy.UserActive || ch.Before.Email != ch.After.Email {
				err = p.endUser(ctx, ch.After.PlatformID, ch.After.ID)
			}
			if err == nil && host.UserChanged != nil {
				err = host.UserChanged(ctx, ch)
			}
			return err
		},
	}
	hostChanged, hostDeleted := tc.OnAccountChanged, tc.OnAccountDeleted
	tc.OnAccountChanged = func(ctx context.Context, ch tenancy.AccountChange) {
		if standingMoved(ch.Before, ch.After) {
			p.invalidateGate(ctx, ch.After.PlatformID, ch.After.ID)
		}
		if hostChanged != nil {
			hostChanged(ctx, ch)
		}
	}
	tc.OnAccountDeleted = func(ctx context.Context, d tenancy.AccountDeleted) {
		p.invalidateGate(ctx, d.PlatformID, d.AccountID)
		if hostDeleted != nil {
			hostDeleted(ctx, d)
		}
	}
	return tc
}

// accountChanged closes an account that became unusable (disabled or
// locked), inside the change's transaction.
func (p *Portal) accountChanged(ctx context.Context, ch tenancy.AccountChange) error {
	b, a := ch.Before, ch.After
	if (a.Status != tenancy.AccountActive && b.Status == tenancy.AccountActive) || (a.Locked && !b.Locked) {
		return p.closeAccount(ctx, a.PlatformID, a.ID)
	}
	return nil
}

// standingMoved reports whether a change may move what the licensing gate
// answers for the account.
func standingMoved(b, a tenancy.Account) bool {
	return a.Status != b.Status || a.Locked != b.Locked || !a.TestExpiresAt.Equal(b.TestExpiresAt) || a.Secure != b.Secure
}

// closeAccount is the cascade of an account disabled, locked or deleted,
// run in the change's transaction: its impersonation sessions end and its
// pending invitations are revoked. (The gate is told after the commit, by
// OnAccountChanged and OnAccountDeleted.)
func (p *Portal) closeAccount(ctx context.Context, platformID, accountID string) error {
	sys := system(ctx)
	if _, err := p.Impersonation.EndAccount(sys, platformID, accountID); err != nil {
		return fmt.Errorf("end impersonation sessions: %w", err)
	}
	if err := p.revokePending(sys, platformID, accountID); err != nil {
		return fmt.Errorf("revoke pending invitations: %w", err)
	}
	return nil
}

// dropAccountData removes what other packages keep of a deleted account:
// its licenses go back to the platform unassigned (to be given to another
// account), its branding overrides and logo are removed.
func (p *Portal) dropAccountData(ctx context.Context, platformID, accountID string) error {
	sys := system(ctx)
	for after := ""; ; {
		page, err := p.Licensing.ListLicenses(sys, licensing.ListLicensesParams{PlatformID: platformID, AccountID: accountID, After: after, Limit: 500})
		if err != nil {
			return fmt.Errorf("list licenses: %w", err)
		}
		for _, l := range page.Licenses {
			if l.Status == licensing.Revoked || l.AccountID != accountID {
				continue
			}
			if _, err := p.Licensing.Unassign(sys, platformID, l.ID); err != nil {
				return fmt.Errorf("unassign license: %w", err)
			}
		}
		if after = page.Next; after == "" {
			break
		}
	}
	if err := p.Branding.ResetTheme(sys, platformID, accountID); err != nil && !errors.Is(err, branding.ErrNotFound) {
		return err
	}
	if err := p.Branding.RemoveLogo(sys, platformID, accountID); err != nil && !errors.Is(err, branding.ErrNotFound) {
		return err
	}
	return nil
}

func (p *Portal) invalidateGate(ctx context.Context, platformID, accountID string) {
	if err := p.Licensing.Gate().Invalidate(ctx, platformID, accountID); err != nil {
		p.warn(ctx, "invalidate the licensing gate", platformID, accountID, err)
	}
}

// revokePending revokes every invitation of the account that can still be
// accepted.
func (p *Portal) revokePending(ctx context.Context, platformID, accountID string) error {
	for {
		page, err := p.Invites.List(ctx, invites.ListParams{PlatformID: platformID, AccountID: accountID, OnlyPending: true, Limit: 500})
		if err != nil {
			return err
		}
		for _, inv := range page.Invitations {
			if _, err := p.Invites.Revoke(ctx, platformID, inv.ID); err != nil {
				return err
			}
		}
		if page.Next == "" || len(page.Invitations) == 0 {
			return nil
		}
	}
}

// endUser ends the impersonation sessions a user is in.
func (p *Portal) endUser(ctx context.Context, platformID, userID string) error {
	if _, err := p.Impersonation.EndUser(system(ctx), platformID, userID); err != nil {
		return fmt.Errorf("end the user's impersonation sessions: %w", err)
	}
	return nil
}

func (p *Portal) warn(ctx context.Context, what, platformID, id string, err error) {
	p.log.WarnContext(ctx, "tenantry: cascade: "+what, "platform", platformID, "id", id, "error", err)
}

// licensingConfig wires the gate to tenancy's account state and licensing
// to the platform roles.
func (p *Portal) licensingConfig(c Config) *licensing.Config {
	lc := withNow(c.Licensing, c.Now, func(l *licensing.Config, now func() time.Time) { l.Now = now })
	if lc.Features == nil {
		lc.Features = c.Features
	}
	if lc.AccountState == nil {
		lc.AccountState = p.accountState
	}
	if lc.Authorize == nil {
		lc.Authorize = func(ctx context.Context, a licensing.Action) error {
			return p.requireRole(ctx, a.PlatformID, tenancy.RoleOwner, tenancy.RoleAdmin)
		}
	}
	return lc
}

// accountState tells the gate about the account itself.
func (p *Portal) accountState(ctx context.Context, platformID, accountID string) (licensing.AccountState, error) {
	a, err := p.tenancyStore.GetAccount(ctx, platformID, accountID)
	if errors.Is(err, tenancy.ErrNotFound) {
		return licensing.AccountState{Missing: true}, nil
	}
	if err != nil {
		return licensing.AccountState{}, err
	}
	return licensing.AccountState{
		Disabled: a.Status != tenancy.AccountActive, Locked: a.Locked,
		TestExpired: a.TestExpired(p.now()), TestExpiresAt: a.TestExpiresAt,
	}, nil
}

// requireAccount refuses an account ID the platform does not have (asked
// after the role check, so only those allowed learn whether it exists).
func (p *Portal) requireAccount(ctx context.Context, platformID, accountID string) error {
	if accountID == "" {
		return nil
	}
	if _, err := p.tenancyStore.GetAccount(ctx, platformID, accountID); err != nil {
		return fmt.Errorf("no such account on this platform: %w", err)
	}
	return nil
}

// requireRole allows system principals and active users holding one of
// roles now (read fresh: a demotion counts at once), never while
// impersonating.
func (p *Portal) requireRole(ctx context.Context, platformID string, roles ...tenancy.Role) error {
	pr, ok := audit.PrincipalFrom(ctx)
	switch {
	case !ok:
		return errors.New("no principal")
	case pr.IsSystem():
		return nil
	case pr.IsImpersonating():
		return errors.New("not while impersonating a customer")
	}
	u, err := p.tenancyStore.GetUser(ctx, platformID, pr.UserID)
	if err != nil {
		return fmt.Errorf("principal is not a user of this platform: %w", err)
	}
	if u.Status != tenancy.UserActive || !slices.Contains(roles, u.Role) {
		return fmt.Errorf("needs the role %v", roles)
	}
	return nil
}
