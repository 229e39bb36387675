package impersonation_test

import (
	"context"
	"fmt"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/impersonation/memstore"
)

// people is the host's view of its users and accounts. With the tenantry
// façade, tenancy plays this part.
type people struct {
	users    map[string]impersonation.User
	accounts map[string]impersonation.Account
}

func (p people) User(_ context.Context, _, id string) (impersonation.User, error) {
	if u, ok := p.users[id]; ok {
		return u, nil
	}
	return impersonation.User{}, impersonation.ErrNotFound
}

func (p people) Account(_ context.Context, _, id string) (impersonation.Account, error) {
	if a, ok := p.accounts[id]; ok {
		return a, nil
	}
	return impersonation.Account{}, impersonation.ErrNotFound
}

func (p people) IsMember(_ context.Context, _, accountID, userID string) (bool, error) {
	return p.accounts[accountID].PrimaryUserID == userID, nil
}

func (p people) IsAssigned(context.Context, string, string, string) (bool, error) { return false, nil }

// An operator logs in as a customer, acts (recorded for both), is refused
// a password change, and exits.
func Example() {
	dir := people{
		users: map[string]impersonation.User{
			"op":  {ID: "op", Email: "op@reseller.example", Role: impersonation.RoleOperator, Active: true},
			"cus": {ID: "cus", Email: "customer@example.com", Active: true},
			"adm": {ID: "adm", Email: "admin@reseller.example", Role: impersonation.RoleAdmin, Active: true},
		},
		accounts: map[string]impersonation.Account{
			"acme": {ID: "acme", Name: "Acme", PrimaryUserID: "cus"},
		},
	}
	svc := impersonation.New(memstore.New(nil), dir, nil)
	operator := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p", UserID: "op"})

	st, err := svc.Start(operator, impersonation.StartParams{
		PlatformID: "p", AccountID: "acme", Mode: impersonation.AsClient, Reason: "widget setup",
	})
	if err != nil {
		panic(err)
	}

	// Each request: the token (from the cookie) resolves to the session,
	// checked again; its principal is the customer, with the operator
	// acting.
	sess, err := svc.Resolve(context.Background(), "p", st.Token)
	if err != nil {
		panic(err)
	}
	ctx := impersonation.WithSession(context.Background(), sess)
	p, _ := audit.PrincipalFrom(ctx)
	ev := audit.FromContext(ctx, "p", "bot.update")
	fmt.Println("rights of:", p.UserID, "| recorded actor:", ev.ActorID, "on behalf of:", ev.OnBehalfOfID)
	fmt.Println("change password:", svc.Guard(ctx, impersonation.ActionChangePassword) != nil)

	// Admins are never impersonated.
	dir.accounts["staffco"] = impersonation.Account{ID: "staffco", PrimaryUserID: "adm"}
	_, err = svc.Start(operator, impersonation.StartParams{PlatformID: "p", AccountID: "staffco", Mode: impersonation.AsClient})
	fmt.Println("log in as an admin:", err)

	ended, _ := svc.Exit(context.Background(), "p", st.Token)
	_, err = svc.Resolve(context.Background(), "p", st.Token)
	fmt.Println("exit:", ended.EndReason, "| token afterwards:", err)
	// Output:
	// rights of: cus | recorded actor: op on behalf of: cus
	// change password: true
	// log in as an admin: impersonation: start: forbidden: target is platform staff
	// exit: exit | token afterwards: impersonation: resolve: impersonation session ended (exit)
}
