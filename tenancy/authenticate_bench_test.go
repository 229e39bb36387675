package tenancy_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/memstore"
)

// BenchmarkAuthenticate compares a login with an unknown email to one with
// a known email and a wrong password, with the default argon2id costs:
// the two should take the same time, so that timing reveals nothing about
// which emails have users. Read the ratio of the two ns/op figures.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	svc := tenancy.New(memstore.New(nil), nil)
	host := audit.WithPrincipal(ctx, audit.System("bench"))
	if _, err := svc.CreatePlatform(host, tenancy.CreatePlatformParams{ID: "p", Name: "P"}); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.CreateAccount(host, tenancy.CreateAccountParams{PlatformID: "p", Name: "A", Email: "known@bench.example", Password: "the right password"}); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, email, password string }{
		{"unknown-email", "unknown@bench.example", "some password"},
		{"wrong-password", "known@bench.example", "some password"},
		{"right-password", "known@bench.example", "the right password"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				_, err := svc.Authenticate(ctx, tenancy.AuthenticateParams{PlatformID: "p", Email: tc.email, Password: tc.password})
				if tc.password != "the right password" && !errors.Is(err, tenancy.ErrInvalidCredentials) {
					b.Fatal(err)
				}
			}
		})
	}
}
