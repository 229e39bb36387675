package tenancy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/internal/validate"
)

// MaxPermissions bounds the permissions of one member.
const MaxPermissions = 64

// AddMemberParams puts a user in an account as a team member.
type AddMemberParams struct {
	PlatformID  string
	AccountID   string
	UserID      string
	Permissions []string
	// SeatHeld says the member's team seat is already in use: a pending
	// team-member invitation held it (UseQuota) and the member now takes
	// it, so none more is used. Only a system principal may set it (the
	// façade, accepting an invitation).
	SeatHeld bool
}

// AddMember adds a team member to an account. Staff who may manage the
// account, and its primary admin, may.
func (s *Service) AddMember(ctx context.Context, p AddMemberParams) (Member, error) {
	const op = "tenancy: add member: %w"
	if err := checkIDs("user_id", p.UserID); err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	perms, err := normalizePermissions(p.Permissions)
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	acc, a, err := s.accountForTeamChange(ctx, p.PlatformID, p.AccountID)
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	if p.SeatHeld && !a.system() {
		return Member{}, fmt.Errorf(op, fmt.Errorf("%w: only a system principal adds a member in a seat already held", ErrForbidden))
	}
	u, err := s.store.GetUser(ctx, p.PlatformID, p.UserID)
	if err == nil && u.Status == UserDeleted {
		err = ErrNotFound
	}
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	m := Member{PlatformID: acc.PlatformID, AccountID: acc.ID, UserID: u.ID, Permissions: perms, CreatedAt: s.now()}
	ev := s.event(ctx, acc.PlatformID, "member.add")
	ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "user", u.ID
	ev.Changes = changed("permissions", "", strings.Join(perms, ", "))
	nm := NewMember{Member: m, Quota: &QuotaUse{Resource: ResourceTeamMembers, N: 1}, Event: ev}
	if p.SeatHeld {
		nm.Quota = nil
	}
	err = s.store.InsertMember(ctx, nm)
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	s.forget(ctx, m.PlatformID, m.AccountID, m.UserID)
	return m, nil
}

// SetPermissions replaces a team member's permissions.
func (s *Service) SetPermissions(ctx context.Context, p AddMemberParams) (Member, error) {
	const op = "tenancy: set permissions: %w"
	if err := checkIDs("user_id", p.UserID); err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	perms, err := normalizePermissions(p.Permissions)
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	if _, _, err := s.accountForTeamChange(ctx, p.PlatformID, p.AccountID); err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	m, err := s.member(ctx, p.PlatformID, p.AccountID, p.UserID)
	if err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	if m.Primary {
		return Member{}, fmt.Errorf(op, fmt.Errorf("%w: the primary admin holds every permission", ErrForbidden))
	}
	ev := s.event(ctx, p.PlatformID, "member.set_permissions")
	ev.AccountID, ev.TargetType, ev.TargetID = p.AccountID, "user", p.UserID
	ev.Changes = changed("permissions", strings.Join(m.Permissions, ", "), strings.Join(perms, ", "))
	m.Permissions = perms
	if err := s.store.UpdateMember(ctx, m, ev); err != nil {
		return Member{}, fmt.Errorf(op, err)
	}
	s.forget(ctx, m.PlatformID, m.AccountID, m.UserID)
	return m, nil
}

// member finds one member of an account.
func (s *Service) member(ctx context.Context, platformID, accountID, userID string) (Member, error) {
	ms, err := s.store.Members(ctx, platformID, accountID)
	if err != nil {
		return Member{}, err
	}
	for _, m := range ms {
		if m.UserID == userID {
			return m, nil
		}
	}
	return Member{}, fmt.Errorf("%w: member", ErrNotFound)
}

// RemoveMember takes a team member out of an account. The primary admin
// cannot be removed this way.
func (s *Service) RemoveMember(ctx context.Context, platformID, accountID, userID string) error {
	const op = "tenancy: remove member: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "user_id", userID); err != nil {
		return fmt.Errorf(op, err)
	}
	acc, _, err := s.accountForTeamChange(ctx, platformID, accountID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if acc.PrimaryUserID == userID {
		return fmt.Errorf(op, fmt.Errorf("%w: the primary admin stays a member", ErrForbidden))
	}
	ev := s.event(ctx, platformID, "member.remove")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "user", userID
	err = s.store.DeleteMember(ctx, RemoveMember{PlatformID: platformID, AccountID: accountID, UserID: userID,
		Quota: &QuotaUse{Resource: ResourceTeamMembers, N: 1}, Event: ev})
	if err != nil {
		return fmt.Errorf(op, err)
	}
	s.forget(ctx, platformID, accountID, userID)
	return nil
}

// accountForTeamChange loads an account and checks that the principal may
// change its team: staff who may manage it, or its primary admin acting as
// themselves.
func (s *Service) accountForTeamChange(ctx context.Context, platformID, accountID string) (Account, actor, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, actor{}, err
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, actor{}, err
	}
	acc, err := s.store.GetAccount(ctx, platformID, accountID)
	if err != nil {
		return Account{}, actor{}, err
	}
	if a.system() || a.user.Role.IsStaff() {
		return acc, a, a.mayManageAccount(acc)
	}
	if acc.PrimaryUserID != a.user.ID {
		return Account{}, actor{}, fmt.Errorf("%w: only staff and the primary admin change the team", ErrForbidden)
	}
	return acc, a, nil
}

// Members lists an account's members, the primary admin first.
func (s *Service) Members(ctx context.Context, platformID, accountID string) ([]Member, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("tenancy: members: %w", err)
	}
	ms, err := s.store.Members(ctx, platformID, accountID)
	if err != nil {
		return nil, fmt.Errorf("tenancy: members: %w", err)
	}
	return ms, nil
}

// Memberships lists the accounts a user belongs to.
func (s *Service) Memberships(ctx context.Context, platformID, userID string) ([]Membership, error) {
	if err := checkIDs("platform_id", platformID, "user_id", userID); err != nil {
		return nil, fmt.Errorf("tenancy: memberships: %w", err)
	}
	ms, err := s.store.Memberships(ctx, platformID, userID)
	if err != nil {
		return nil, fmt.Errorf("tenancy: memberships: %w", err)
	}
	return ms, nil
}

// normalizePermissions checks permission names (lowercase letters, digits,
// '_', '.', ':' and '-'), drops duplicates and sorts them.
func normalizePermissions(perms []string) ([]string, error) {
	if len(perms) > MaxPermissions {
		return nil, invalid("permissions", fmt.Sprintf("at most %d", MaxPermissions))
	}
	var out []string
	for _, p := range perms {
		if p == "" || len(p) > 64 || strings.ContainsFunc(p, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune("_.:-", r))
		}) {
			return nil, invalid("permissions", validate.Excerpt(p)+" is not a permission name (a-z, 0-9, _ . : -)")
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}
