package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// An owner creates a customer account directly; its primary admin logs in;
// the account is disabled and the login is refused with the reason.
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc := tenancy.New(memstore.New(nil), &tenancy.Config{Now: func() time.Time { return now }})

	// The host provisions the platform and its first owner as itself.
	host := audit.WithPrincipal(ctx, audit.System("provisioning"))
	platform, _ := svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "acme-bots", Name: "Acme Bots"})
	owner, _ := svc.CreateUser(host, tenancy.CreateUserParams{
		PlatformID: platform.ID, Email: "Owner@Acme.example", Name: "Olive Owner",
		Role: tenancy.RoleOwner, Password: "owner passphrase",
	})

	// The owner's requests carry the owner as principal.
	asOwner := audit.WithPrincipal(ctx, audit.Principal{PlatformID: platform.ID, UserID: owner.User.ID})
	created, err := svc.CreateAccount(asOwner, tenancy.CreateAccountParams{
		PlatformID: platform.ID, Name: "Joe's Pizza", Email: "joe@pizza.example",
		Password: "initial password", Nickname: "joes-pizza", TimeZone: "Europe/Rome",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", created.Account.Name, created.Account.Nickname, created.Account.Status)

	login, err := svc.Authenticate(ctx, tenancy.AuthenticateParams{
		PlatformID: platform.ID, Email: "JOE@pizza.example", Password: "initial password",
	})
	fmt.Println("login:", login.User.Email, len(login.Accounts), err)

	_, _ = svc.DisableAccount(asOwner, platform.ID, created.Account.ID)
	_, err = svc.Authenticate(ctx, tenancy.AuthenticateParams{
		PlatformID: platform.ID, Email: "joe@pizza.example", Password: "initial password",
	})
	fmt.Println("after disable:", errors.Is(err, tenancy.ErrAccountDisabled))

	_, err = svc.CreateAccount(asOwner, tenancy.CreateAccountParams{
		PlatformID: platform.ID, Name: "Copycat", Email: "cat@copy.example", Password: "initial password", Nickname: "Joes Pizza",
	})
	fmt.Println(err)
	// Output:
	// created: Joe's Pizza joes-pizza active
	// login: joe@pizza.example 1 <nil>
	// after disable: true
	// tenancy: create account: invalid nickname: must be lowercase
}
