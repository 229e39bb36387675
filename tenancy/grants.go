package tenancy

import (
	"context"
	"fmt"
	"slices"
)

// GrantParams names one user's access to one resource of an account.
type GrantParams struct {
	PlatformID string
	AccountID  string
	// ResourceID is the host's identifier of the resource (a chatbot).
	ResourceID string
	UserID     string
}

// GrantAccess gives a user access to one resource of an account (the
// accepted manager invitation ends here). The account's primary admin and
// staff who may manage the account may. Several managers per resource are
// allowed; granting twice is ErrConflict.
func (s *Service) GrantAccess(ctx context.Context, p GrantParams) (Grant, error) {
	const op = "tenancy: grant access: %w"
	if err := checkIDs("user_id", p.UserID); err != nil {
		return Grant{}, fmt.Errorf(op, err)
	}
	if err := checkID("resource_id", p.ResourceID); err != nil {
		return Grant{}, fmt.Errorf(op, err)
	}
	_, a, err := s.accountForTeamChange(ctx, p.PlatformID, p.AccountID)
	if err != nil {
		return Grant{}, fmt.Errorf(op, err)
	}
	u, err := s.store.GetUser(ctx, p.PlatformID, p.UserID)
	if err == nil && u.Status == UserDeleted {
		err = ErrNotFound
	}
	if err != nil {
		return Grant{}, fmt.Errorf(op, err)
	}
	g := Grant{PlatformID: p.PlatformID, AccountID: p.AccountID, ResourceID: p.ResourceID, UserID: u.ID,
		GrantedBy: a.p.Actor(), CreatedAt: s.now()}
	ev := s.event(ctx, p.PlatformID, "grant.add")
	ev.AccountID, ev.TargetType, ev.TargetID = p.AccountID, "user", u.ID
	ev.Changes = changed("resource_id", "", p.ResourceID)
	if err := s.store.InsertGrant(ctx, g, ev); err != nil {
		return Grant{}, fmt.Errorf(op, err)
	}
	return g, nil
}

// RevokeAccess ends a user's access to a resource. The account's primary
// admin, staff who may manage the account, and the grantee themselves may.
func (s *Service) RevokeAccess(ctx context.Context, p GrantParams) error {
	const op = "tenancy: revoke access: %w"
	if err := checkIDs("platform_id", p.PlatformID, "account_id", p.AccountID, "resource_id", p.ResourceID, "user_id", p.UserID); err != nil {
		return fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, p.PlatformID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if a.system() || a.user.ID != p.UserID || a.p.IsImpersonating() {
		if _, _, err := s.accountForTeamChange(ctx, p.PlatformID, p.AccountID); err != nil {
			return fmt.Errorf(op, err)
		}
	}
	ev := s.event(ctx, p.PlatformID, "grant.revoke")
	ev.AccountID, ev.TargetType, ev.TargetID = p.AccountID, "user", p.UserID
	ev.Changes = changed("resource_id", p.ResourceID, "")
	g := Grant{PlatformID: p.PlatformID, AccountID: p.AccountID, ResourceID: p.ResourceID, UserID: p.UserID}
	if err := s.store.DeleteGrant(ctx, g, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// Grants lists grants of a platform: of an account, of one resource, or of
// one user (empty fields match all).
func (s *Service) Grants(ctx context.Context, q GrantQuery) ([]Grant, error) {
	if err := checkIDs("platform_id", q.PlatformID, "account_id", q.AccountID, "resource_id", q.ResourceID, "user_id", q.UserID); err != nil {
		return nil, fmt.Errorf("tenancy: grants: %w", err)
	}
	gs, err := s.store.Grants(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("tenancy: grants: %w", err)
	}
	return gs, nil
}

// SharedResources lists the resources of an account that are shared with
// at least one manager (the "Shared" badge), sorted.
func (s *Service) SharedResources(ctx context.Context, platformID, accountID string) ([]string, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("tenancy: shared resources: %w", err)
	}
	gs, err := s.store.Grants(ctx, GrantQuery{PlatformID: platformID, AccountID: accountID})
	if err != nil {
		return nil, fmt.Errorf("tenancy: shared resources: %w", err)
	}
	var out []string
	for _, g := range gs {
		out = append(out, g.ResourceID)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
