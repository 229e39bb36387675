package invites_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/invites/memstore"
)

// An owner invites a team member; the link reaches the invitee (here by a
// Mailer that prints); the wrong person cannot use it, the right one can,
// once.
func Example() {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	var link string
	svc := invites.New(memstore.New(nil), &invites.Config{
		Now: func() time.Time { return now },
		Mailer: invites.MailerFunc(func(_ context.Context, m invites.Message) error {
			fmt.Println("mail to", m.To+":", m.Subject)
			return nil
		}),
		Branding: func(context.Context, string) (invites.Branding, error) {
			return invites.Branding{ProductName: "Acme Bots", SenderAddress: "hello@acme.example"}, nil
		},
		LinkURL: func(_ invites.Invitation, token string) string {
			link = token
			return "https://acme.example/invite?t=" + token
		},
		Grant: func(_ context.Context, a invites.Acceptance) error {
			fmt.Println("granted", a.Invitation.Kind, "in", a.Invitation.AccountID, "to", a.UserID)
			return nil
		},
	})
	owner := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p1", UserID: "owner-1"})
	_, err := svc.Create(owner, invites.CreateParams{PlatformID: "p1", Kind: invites.KindTeamMember,
		Email: "Maria@Example.com", AccountID: "acc-1", Permissions: []string{"live_chat"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	accept := func(email string) error {
		_, err := svc.Accept(context.Background(), invites.AcceptParams{PlatformID: "p1", Token: link, UserID: "u-" + email, UserEmail: email})
		return err
	}
	fmt.Println(errors.Is(accept("mallory@example.com"), invites.ErrWrongRecipient))
	fmt.Println(accept("maria@example.com"))
	fmt.Println(errors.Is(accept("maria@example.com"), invites.ErrUsed))
	// Output:
	// mail to maria@example.com: You are invited to Acme Bots
	// true
	// granted team_member in acc-1 to u-maria@example.com
	// <nil>
	// true
}
