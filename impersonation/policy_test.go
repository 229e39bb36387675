package impersonation_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/impersonation"
)

var update = flag.Bool("update", false, "rewrite testdata/policy.golden from the model")

var (
	roles = []impersonation.Role{
		impersonation.RoleOwner, impersonation.RoleAdmin, impersonation.RoleOperator,
		impersonation.RoleSecureOperator, impersonation.RoleRegular,
	}
	states = []string{"active", "disabled", "locked", "expired_test", "deleted", "secure"}
	modes  = []impersonation.Mode{impersonation.AsClient, impersonation.AsPartner, impersonation.AsStaff}
)

// expected is the policy written as the product states it, one rule per
// line, in the order the refusals take precedence. It is the model the
// Service is checked against; testdata/policy.golden is its rendering, for
// review.
func expected(actor, target impersonation.Role, state string) error {
	switch {
	case !actor.IsStaff(): // only owners, admins and operators impersonate
		return impersonation.ErrActorNotStaff
	case state == "deleted":
		return impersonation.ErrAccountDeleted
	case state == "secure" && actor != impersonation.RoleSecureOperator: // HIPAA
		return impersonation.ErrSecureAccount
	case state == "locked":
		return impersonation.ErrAccountLocked
	case state == "disabled":
		return impersonation.ErrAccountDisabled
	case state == "expired_test":
		return impersonation.ErrTestExpired
	case target.IsStaff(): // never an owner, admin or operator
		return impersonation.ErrTargetStaff
	}
	return nil
}

// policyFixture adds one account per target role and state, whose primary
// user and team member both have that role.
func policyFixture(t *testing.T) *fixture {
	f := newFixture(t, nil)
	for _, target := range roles {
		for _, state := range states {
			acc := impersonation.Account{ID: "acc-" + target.String() + "-" + state, Name: "Acme " + state}
			acc.PrimaryUserID = "client-" + target.String() + "-" + state
			member := "member-" + target.String() + "-" + state
			switch state {
			case "disabled":
				acc.Disabled = true
			case "locked":
				acc.Locked = true
			case "expired_test":
				acc.TestExpiresAt = start.Add(-time.Hour)
			case "deleted":
				acc.Deleted = true
			case "secure":
				acc.Secure = true
			}
			f.dir.putAccount(pid, acc)
			for _, id := range []string{acc.PrimaryUserID, member} {
				f.dir.putUser(pid, impersonation.User{ID: id, Email: id + "@example.com", Role: target, Active: true})
				f.dir.addMember(pid, acc.ID, id)
			}
		}
	}
	f.dir.putUser(pid, impersonation.User{ID: "regular", Email: "someone@example.com", Active: true})
	return f
}

// TestPolicyTable starts a session for every actor role, target role,
// account state and mode, and checks the Service against the model:
// allowed, or refused for exactly the model's reason.
func TestPolicyTable(t *testing.T) {
	f := policyFixture(t)
	var golden strings.Builder
	for _, actor := range roles {
		actorID := string(actor)
		if actor == impersonation.RoleRegular {
			actorID = "regular"
		}
		for _, target := range roles {
			for _, state := range states {
				for _, mode := range modes {
					p := impersonation.StartParams{PlatformID: pid, AccountID: "acc-" + target.String() + "-" + state, Mode: mode}
					if mode == impersonation.AsStaff {
						p.UserID = "member-" + target.String() + "-" + state
					}
					want := expected(actor, target, state)
					_, err := f.svc.Start(as(actorID), p)
					name := fmt.Sprintf("actor=%s target=%s state=%s mode=%s", actor, target, state, mode)
					if want == nil {
						require.NoError(t, err, name)
						fmt.Fprintf(&golden, "%s -> allowed\n", name)
						continue
					}
					require.ErrorIs(t, err, want, name)
					require.ErrorIs(t, err, impersonation.ErrForbidden, name)
					for _, other := range refusals {
						if other != want {
							require.NotErrorIs(t, err, other, name)
						}
					}
					fmt.Fprintf(&golden, "%s -> %s\n", name, want)
				}
			}
		}
	}
	const path = "testdata/policy.golden"
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(golden.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), golden.String(), "the policy changed: review it, then go test -run TestPolicyTable -update")
	require.Equal(t, len(roles)*len(roles)*len(states)*len(modes), strings.Count(golden.String(), "\n"))
}

var refusals = []error{
	impersonation.ErrNested, impersonation.ErrActorNotStaff, impersonation.ErrSelf,
	impersonation.ErrTargetStaff, impersonation.ErrTargetInactive, impersonation.ErrNotMember,
	impersonation.ErrAccountDeleted, impersonation.ErrAccountLocked, impersonation.ErrAccountDisabled,
	impersonation.ErrTestExpired, impersonation.ErrSecureAccount, impersonation.ErrNotAssigned,
}

// TestPolicyRules covers the rules the table does not: oneself, nesting,
// inactive targets, membership, assignment, reasons, the principal, and
// the host's own rule.
func TestPolicyRules(t *testing.T) {
	client := impersonation.StartParams{PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient}
	staff := func(user string) impersonation.StartParams {
		return impersonation.StartParams{PlatformID: pid, AccountID: "acc", Mode: impersonation.AsStaff, UserID: user}
	}
	t.Run("Oneself", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.addMember(pid, "acc", "operator") // staff who is also on the team
		_, err := f.svc.Start(as("operator"), staff("operator"))
		require.ErrorIs(t, err, impersonation.ErrSelf)
	})
	t.Run("Nested", func(t *testing.T) {
		f := newFixture(t, nil)
		st := f.startAs(t, "admin", client)
		ctx := impersonation.WithSession(as("admin"), st.Session)
		_, err := f.svc.Start(ctx, staff("member"))
		require.ErrorIs(t, err, impersonation.ErrNested)
	})
	t.Run("TargetInactive", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.updateUser(pid, "member", func(u *impersonation.User) { u.Active = false })
		_, err := f.svc.Start(as("admin"), staff("member"))
		require.ErrorIs(t, err, impersonation.ErrTargetInactive)
		_, err = f.svc.Start(as("admin"), staff("ghost"))
		require.ErrorIs(t, err, impersonation.ErrNotMember)
	})
	t.Run("NotMember", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.putUser(pid, impersonation.User{ID: "stranger", Email: "s@example.com", Active: true})
		_, err := f.svc.Start(as("admin"), staff("stranger"))
		require.ErrorIs(t, err, impersonation.ErrNotMember)
	})
	t.Run("ActorInactive", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.updateUser(pid, "admin", func(u *impersonation.User) { u.Active = false })
		_, err := f.svc.Start(as("admin"), client)
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
		_, err = f.svc.Start(as("nobody"), client)
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
	})
	t.Run("AccountMissing", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.svc.Start(as("admin"), impersonation.StartParams{PlatformID: pid, AccountID: "nope", Mode: impersonation.AsClient})
		require.ErrorIs(t, err, impersonation.ErrAccountDeleted)
	})
	t.Run("AssignedOnly", func(t *testing.T) {
		f := newFixture(t, &impersonation.Config{AssignedOnly: true})
		_, err := f.svc.Start(as("operator"), client)
		require.ErrorIs(t, err, impersonation.ErrNotAssigned)
		f.dir.assign(pid, "acc", "operator")
		f.startAs(t, "operator", client)
		f.startAs(t, "admin", client) // owners and admins are not restricted
		f.startAs(t, "owner", client)
	})
	t.Run("ReasonAndTicket", func(t *testing.T) {
		f := newFixture(t, &impersonation.Config{RequireReason: true, RequireTicket: true})
		var inv *impersonation.InvalidError
		_, err := f.svc.Start(as("admin"), client)
		require.ErrorAs(t, err, &inv)
		require.Equal(t, "reason", inv.Field)
		p := client
		p.Reason = "customer asked for help with the widget"
		_, err = f.svc.Start(as("admin"), p)
		require.ErrorAs(t, err, &inv)
		require.Equal(t, "ticket", inv.Field)
		p.Ticket = "T-1234"
		st := f.startAs(t, "admin", p)
		require.Equal(t, "T-1234", st.Session.Ticket)
	})
	t.Run("Invalid", func(t *testing.T) {
		f := newFixture(t, nil)
		cases := map[string]impersonation.StartParams{
			"platform_id": {AccountID: "acc", Mode: impersonation.AsClient},
			"account_id":  {PlatformID: pid, Mode: impersonation.AsClient},
			"mode":        {PlatformID: pid, AccountID: "acc", Mode: "god"},
			"user_id":     {PlatformID: pid, AccountID: "acc", Mode: impersonation.AsStaff},
			"duration":    {PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient, Duration: -time.Second},
			"reason":      {PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient, Reason: "a\r\nInjected: yes"},
			"ticket":      {PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient, Ticket: strings.Repeat("x", 201)},
		}
		cases["user_id (client)"] = impersonation.StartParams{PlatformID: pid, AccountID: "acc", Mode: impersonation.AsClient, UserID: "member"}
		for field, p := range cases {
			_, err := f.svc.Start(as("admin"), p)
			var inv *impersonation.InvalidError
			require.ErrorAs(t, err, &inv, field)
			require.Equal(t, strings.Fields(field)[0], inv.Field)
		}
		require.Empty(t, f.events(t), "invalid input writes nothing")
	})
	t.Run("Principal", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.svc.Start(t.Context(), client)
		require.ErrorIs(t, err, impersonation.ErrForbidden)
		other := as("admin")
		other = withPlatform(other, "p2")
		_, err = f.svc.Start(other, client)
		require.ErrorIs(t, err, impersonation.ErrForbidden)
		_, err = f.svc.Start(systemCtx(), client)
		require.ErrorIs(t, err, impersonation.ErrActorNotStaff)
	})
	t.Run("HostRule", func(t *testing.T) {
		noPartners := errors.New("partner view is disabled on this platform")
		f := newFixture(t, &impersonation.Config{Authorize: func(_ context.Context, a impersonation.Attempt) error {
			if a.Mode == impersonation.AsPartner {
				return noPartners
			}
			return nil
		}})
		p := client
		p.Mode = impersonation.AsPartner
		_, err := f.svc.Start(as("admin"), p)
		require.ErrorIs(t, err, noPartners)
		require.ErrorIs(t, err, impersonation.ErrForbidden)
		f.startAs(t, "admin", client)
	})
	t.Run("RefusalsRecorded", func(t *testing.T) {
		f := newFixture(t, nil)
		f.dir.updateAccount(pid, "acc", func(a *impersonation.Account) { a.Locked = true })
		_, err := f.svc.Start(as("admin"), client)
		require.ErrorIs(t, err, impersonation.ErrAccountLocked)
		evs := f.events(t)
		require.Len(t, evs, 1)
		require.Equal(t, "impersonation.deny", evs[0].Action)
		require.Equal(t, "admin", evs[0].ActorID)
		require.Equal(t, "acc", evs[0].AccountID)
		require.Contains(t, evs[0].Reason, "account locked")
	})
	t.Run("Allowed", func(t *testing.T) {
		f := newFixture(t, nil)
		require.NoError(t, f.svc.Allowed(as("admin"), client))
		require.ErrorIs(t, f.svc.Allowed(as("member"), client), impersonation.ErrActorNotStaff)
		require.Empty(t, f.events(t), "Allowed records nothing")
	})
}
