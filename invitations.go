package tenantry

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/tenancy"
)

// invitesConfig wires invitations to tenancy (seats, what acceptance
// grants, who may invite) and to the platform's branding.
func (p *Portal) invitesConfig(c Config) *invites.Config {
	ic := withNow(c.Invites, c.Now, func(i *invites.Config, now func() time.Time) { i.Now = now })
	if ic.Mailer == nil {
		ic.Mailer = c.Mailer
	}
	if ic.LinkURL == nil {
		ic.LinkURL = c.LinkURL
	}
	if ic.Seats == nil {
		ic.Seats = teamSeats{p}
	}
	if ic.Grant == nil {
		ic.Grant = p.grant
	}
	if ic.Atomic == nil {
		ic.Atomic = p.unit.Atomic
	}
	if ic.Authorize == nil {
		ic.Authorize = p.authorizeInvite
	}
	if ic.Branding == nil {
		ic.Branding = p.mailBranding
	}
	return ic
}

// teamSeats holds team seats of tenancy's team-members quota for pending
// team invitations.
type teamSeats struct{ p *Portal }

func (s teamSeats) Reserve(ctx context.Context, platformID, accountID string) error {
	_, err := s.p.Tenancy.UseQuota(system(ctx), platformID, accountID, tenancy.ResourceTeamMembers, 1)
	return err
}

// Release gives the seat back; an account deleted (in the same unit of
// work, when its deletion revokes its invitations) took its seats with it.
func (s teamSeats) Release(ctx context.Context, platformID, accountID string) error {
	_, err := s.p.Tenancy.UseQuota(system(ctx), platformID, accountID, tenancy.ResourceTeamMembers, -1)
	if err != nil {
		if _, gone := s.p.tenancyStore.GetAccount(ctx, platformID, accountID); errors.Is(gone, tenancy.ErrNotFound) {
			return nil
		}
	}
	return err
}

// grant gives what an accepted invitation grants, acting as the system:
// the invitation was authorised when it was sent, and the invitee accepts
// with the invited address.
func (p *Portal) grant(ctx context.Context, a invites.Acceptance) error {
	inv, sys := a.Invitation, system(ctx)
	switch inv.Kind {
	case invites.KindAccount:
		u, err := p.tenancyStore.GetUser(ctx, inv.PlatformID, a.UserID)
		if err != nil {
			return err
		}
		name := inv.AccountName
		if name == "" {
			name = u.Name
		}
		_, err = p.Tenancy.CreateAccount(sys, tenancy.CreateAccountParams{PlatformID: inv.PlatformID, Name: name, Email: u.Email})
		return err
	case invites.KindTeamMember:
		_, err := p.Tenancy.AddMember(sys, tenancy.AddMemberParams{
			PlatformID: inv.PlatformID, AccountID: inv.AccountID, UserID: a.UserID,
			Permissions: inv.Permissions, SeatHeld: true,
		})
		return err
	case invites.KindManager:
		_, err := p.Tenancy.GrantAccess(sys, tenancy.GrantParams{PlatformID: inv.PlatformID, AccountID: inv.AccountID, ResourceID: inv.ResourceID, UserID: a.UserID})
		return err
	case invites.KindStaff:
		_, err := p.Tenancy.SetRole(sys, inv.PlatformID, a.UserID, tenancy.Role(inv.Role))
		return err
	}
	return fmt.Errorf("unknown invitation kind %q", inv.Kind)
}

// authorizeInvite: who may invite (mayInvite), and new invitations only
// to an account the platform has.
func (p *Portal) authorizeInvite(ctx context.Context, a invites.Action) error {
	if err := p.mayInvite(ctx, a); err != nil {
		return err
	}
	if a.Name != "invite.create" {
		return nil // resending and revoking go on for an account deleted since
	}
	return p.requireAccount(ctx, a.Invitation.PlatformID, a.Invitation.AccountID)
}

// mayInvite: only owners invite staff; staff invite customers and team
// members (to a secure account: secure operators only, as tenancy has
// it); an account's primary admin, and its members with the "team"
// permission, invite team members and managers of their account while
// their user is active.
func (p *Portal) mayInvite(ctx context.Context, a invites.Action) error {
	inv := a.Invitation
	if inv.Kind == invites.KindStaff {
		return p.requireRole(ctx, inv.PlatformID, tenancy.RoleOwner)
	}
	staffErr := p.requireRole(ctx, inv.PlatformID, tenancy.RoleOwner, tenancy.RoleAdmin, tenancy.RoleOperator, tenancy.RoleSecureOperator)
	if staffErr == nil && inv.AccountID != "" && !a.Principal.IsSystem() {
		acc, err := p.tenancyStore.GetAccount(ctx, inv.PlatformID, inv.AccountID)
		if err == nil && acc.Secure {
			return p.requireRole(ctx, inv.PlatformID, tenancy.RoleSecureOperator)
		}
	}
	if staffErr == nil || inv.Kind == invites.KindAccount || inv.AccountID == "" || a.Principal.IsSystem() {
		return staffErr
	}
	if u, err := p.tenancyStore.GetUser(ctx, inv.PlatformID, a.Principal.UserID); err != nil || u.Status != tenancy.UserActive {
		return errors.New("only active users invite")
	}
	ok, err := p.Tenancy.Can(ctx, inv.PlatformID, inv.AccountID, a.Principal.UserID, tenancy.PermTeam)
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("only staff, and the account's team managers, invite to it")
	}
	return nil
}

// mailBranding gives invitation emails the platform's white label.
func (p *Portal) mailBranding(ctx context.Context, platformID string) (invites.Branding, error) {
	t, err := p.Branding.Theme(ctx, platformID)
	if err != nil {
		return invites.Branding{}, err
	}
	return invites.Branding{
		ProductName: t.ProductName, PrimaryColor: t.Colors.Button, TextColor: t.Colors.ButtonText,
		SenderName: t.EmailSenderName, SupportEmail: t.SupportEmail,
	}, nil
}
