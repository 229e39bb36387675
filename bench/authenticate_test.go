package bench

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// BenchmarkAuthenticate compares a login with an unknown email (tenantry
// side) to one with a known email and a wrong password (baseline), with
// the default argon2id costs, on the real tenancy store, in one loop (see
// ratio): the two should take the same time (x-baseline about 1), so that
// timing reveals nothing about which emails have users. Not a row of the
// issue's table; kept beside the other hot paths. SQLite only: the
// argon2id hash is the whole cost.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	db := testdb.SQLite(b)
	svc := tenancy.New(testdb.Store(b, db, sqlstore.Migrate, sqlstore.New), nil)
	host := audit.WithPrincipal(ctx, audit.System("bench"))
	if _, err := svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p", Name: "P"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p", Name: "A",
		Email: "known@bench.example", Password: "the right password"}); err != nil {
		b.Fatal(err)
	}
	login := func(email string) func() error {
		return func() error {
			_, err := svc.Authenticate(ctx, tenancy.AuthenticateParams{PlatformID: "p", Email: email, Password: "some password"})
			if !errors.Is(err, tenancy.ErrInvalidCredentials) {
				return fmt.Errorf("login as %s: %v, want invalid credentials", email, err)
			}
			return nil
		}
	}
	if _, err := svc.Authenticate(ctx, tenancy.AuthenticateParams{PlatformID: "p", Email: "known@bench.example",
		Password: "the right password"}); err != nil {
		b.Fatalf("the right password is refused: %v", err)
	}
	// The first unknown email makes the Service's decoy hash, once per
	// process: make it before timing.
	if err := login("unknown@bench.example")(); err != nil {
		b.Fatal(err)
	}
	ratio(b, login("unknown@bench.example"), login("known@bench.example"))
}
