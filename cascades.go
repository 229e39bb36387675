package tenantry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// tenancyConfig is the host's tenancy config with the cascades hooked in.
func (p *Portal) tenancyConfig(c Config) *tenancy.Config {
	tc := withNow(c.Tenancy, c.Now, func(t *tenancy.Config, now func() time.Time) { t.Now = now })
	if tc.SecretKey == nil {
		tc.SecretKey = c.SecretKey
	}
	hostChanged, hostDeleted, hostUser := tc.OnAccountChanged, tc.OnAccountDeleted, tc.OnUserChanged
	tc.OnAccountChanged = func(ctx context.Context, ch tenancy.AccountChange) {
		p.accountChanged(ctx, ch)
		if hostChanged != nil {
			hostChanged(ctx, ch)
		}
	}
	tc.OnAccountDeleted = func(ctx context.Context, d tenancy.AccountDeleted) {
		p.closeAccount(ctx, d.PlatformID, d.AccountID)
		for _, u := range d.DeletedUserIDs {
			p.endUser(ctx, d.PlatformID, u)
		}
		if hostDeleted != nil {
			hostDeleted(ctx, d)
		}
	}
	tc.OnUserChanged = func(ctx context.Context, ch tenancy.UserChange) {
		if ch.Before.Role != ch.After.Role || ch.After.Status != tenancy.UserActive || ch.Before.Email != ch.After.Email {
			p.endUser(ctx, ch.After.PlatformID, ch.After.ID)
		}
		if hostUser != nil {
			hostUser(ctx, ch)
		}
	}
	return tc
}

// accountChanged follows a committed account change: the gate forgets the
// account whenever its standing may have moved, and an account that
// became unusable is closed.
func (p *Portal) accountChanged(ctx context.Context, ch tenancy.AccountChange) {
	b, a := ch.Before, ch.After
	closed := (a.Status != tenancy.AccountActive && b.Status == tenancy.AccountActive) || (a.Locked && !b.Locked)
	if closed {
		p.closeAccount(ctx, a.PlatformID, a.ID)
		return
	}
	if a.Status != b.Status || a.Locked != b.Locked || !a.TestExpiresAt.Equal(b.TestExpiresAt) || a.Secure != b.Secure {
		p.invalidateGate(ctx, a.PlatformID, a.ID)
	}
}

// closeAccount is the cascade of an account disabled, locked or deleted:
// the gate refuses it at once, its impersonation sessions end, its
// pending invitations are revoked. Each step is tried even if another
// fails; failures are logged (the account's own state already refuses
// it everywhere, so these only make it immediate and tidy).
func (p *Portal) closeAccount(ctx context.Context, platformID, accountID string) {
	sys := system(ctx)
	p.invalidateGate(sys, platformID, accountID)
	if _, err := p.Impersonation.EndAccount(sys, platformID, accountID); err != nil {
		p.warn(ctx, "end impersonation sessions", platformID, accountID, err)
	}
	if err := p.revokePending(sys, platformID, accountID); err != nil {
		p.warn(ctx, "revoke pending invitations", platformID, accountID, err)
	}
}

func (p *Portal) invalidateGate(ctx context.Context, platformID, accountID string) {
	if err := p.Licensing.Gate().Invalidate(ctx, platformID, accountID); err != nil {
		p.warn(ctx, "invalidate the licensing gate", platformID, accountID, err)
	}
}

// revokePending revokes every invitation of the account that can still be
// accepted.
func (p *Portal) revokePending(ctx context.Context, platformID, accountID string) error {
	var errs []error
	for {
		page, err := p.Invites.List(ctx, invites.ListParams{PlatformID: platformID, AccountID: accountID, OnlyPending: true, Limit: 500})
		if err != nil {
			return err
		}
		revoked := 0
		for _, inv := range page.Invitations {
			if _, err := p.Invites.Revoke(ctx, platformID, inv.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			revoked++
		}
		if page.Next == "" || revoked == 0 {
			return errors.Join(errs...)
		}
	}
}

// endUser ends the impersonation sessions a user is in.
func (p *Portal) endUser(ctx context.Context, platformID, userID string) {
	if _, err := p.Impersonation.EndUser(system(ctx), platformID, userID); err != nil {
		p.warn(ctx, "end the user's impersonation sessions", platformID, userID, err)
	}
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
