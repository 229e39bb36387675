package tenantry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/internal/faulttest"
	"github.com/tenantry/tenantry/internal/testclock"
	"github.com/tenantry/tenantry/invites"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/tenancy"
)

// faultEnv is a Portal on a faulty handle (internal/dbtest) and its plain
// twin. Every faultFixture is a new platform on it, made at the same instant
// (the clock never moves), so that the states of two fixtures compare
// equal once their IDs are masked.
type faultEnv struct {
	p *tenantry.Portal
	d *faulttest.DB
}

func newFaultEnv(t *testing.T, db *sqlx.DB, c *dbtest.Counter) *faultEnv {
	t.Helper()
	if db.DriverName() == "pgx" {
		// Hundreds of fixtures commit thousands of times: do not wait for
		// each to reach the disk (the test database is dropped after).
		var name string
		require.NoError(t, db.Get(&name, `SELECT current_database()`))
		db.MustExec(`ALTER DATABASE "` + name + `" SET synchronous_commit = off`)
		db.SetMaxIdleConns(0) // connections opened from now on take it
		db.SetMaxIdleConns(2)
	}
	clock := testclock.New(time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	e := &faultEnv{}
	p, err := tenantry.Open(t.Context(), db, &tenantry.Config{
		Now:       clock.Now,
		SecretKey: []byte("0123456789abcdef0123456789abcdef"),
		Features:  []licensing.Feature{{Key: "live_chat", Name: "Live chat"}},
		Tenancy: &tenancy.Config{
			Argon2: tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1},
			NewUID: audit.NewUUIDv7, // masked like every ID
		},
		Licensing: &licensing.Config{NewNumber: func() string { return "LIC-" + audit.NewUUIDv7() }},
		Branding:  &branding.Config{Resolver: faultTXT{e}},
	})
	require.NoError(t, err)
	e.p = p
	e.d = faulttest.Open(t, db, c)
	return e
}

// faultTXT publishes every claimed domain's verification record.
type faultTXT struct{ e *faultEnv }

func (r faultTXT) LookupTXT(ctx context.Context, name string) ([]string, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(name, branding.VerificationLabel+"."), ".")
	var tok string
	err := r.e.d.Plain.GetContext(ctx, &tok, r.e.d.Plain.Rebind(`SELECT verification_token FROM tenantry_branding_domains WHERE host = ?`), host)
	if err != nil {
		return nil, err
	}
	return []string{branding.VerificationRecord(tok)}, nil
}

// faultFixture is one platform: an owner, an operator, pools of bot slots and
// team seats, and a client account "Acme".
type faultFixture struct {
	e     *faultEnv
	pid   string
	owner string
	op    string
	acc   tenancy.Account
}

func (e *faultEnv) faultFixture(t *testing.T) *faultFixture {
	t.Helper()
	f := &faultFixture{e: e}
	plat, err := e.p.Tenancy.CreatePlatform(faultSys(), tenancy.CreatePlatformParams{Name: "Reseller"})
	require.NoError(t, err)
	f.pid = plat.ID
	f.owner = f.user(t, "owner@reseller.example", tenancy.RoleOwner).ID
	f.op = f.user(t, "operator@reseller.example", tenancy.RoleOperator).ID
	_, err = e.p.Tenancy.SetPool(f.as(f.owner), f.pid, tenancy.ResourceBotSlots, 5)
	require.NoError(t, err)
	_, err = e.p.Tenancy.SetPool(f.as(f.owner), f.pid, tenancy.ResourceTeamMembers, 100)
	require.NoError(t, err)
	f.acc = f.account(t, "Acme", "client@acme.example", time.Time{})
	return f
}

func (f *faultFixture) user(t *testing.T, email string, role tenancy.Role) tenancy.User {
	t.Helper()
	c, err := f.e.p.Tenancy.CreateUser(faultSys(), tenancy.CreateUserParams{PlatformID: f.pid, Email: email, Name: email, Role: role})
	require.NoError(t, err)
	return c.User
}

func (f *faultFixture) account(t *testing.T, name, email string, testUntil time.Time) tenancy.Account {
	t.Helper()
	c, err := f.e.p.Tenancy.CreateAccount(f.as(f.owner), tenancy.CreateAccountParams{
		PlatformID: f.pid, Name: name, Email: email, Tags: []string{"vip"}, TestUntil: testUntil})
	require.NoError(t, err)
	return c.Account
}

func (f *faultFixture) as(userID string) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: f.pid, UserID: userID})
}

// openSessionAndInvitation gives the fixture's account what its closing
// must end: the operator impersonating its client, and a pending
// team-member invitation holding a seat.
func (f *faultFixture) openSessionAndInvitation(t *testing.T) {
	p := f.e.p
	require.NoError(t, p.Tenancy.AssignAccounts(f.as(f.owner), f.pid, f.op, []string{f.acc.ID}))
	_, err := p.Impersonation.Start(f.as(f.op), impersonation.StartParams{PlatformID: f.pid, AccountID: f.acc.ID, Mode: impersonation.AsClient})
	require.NoError(t, err)
	_, err = p.Invites.Create(f.as(f.op), invites.CreateParams{PlatformID: f.pid, Kind: invites.KindTeamMember, Email: "new@acme.example", AccountID: f.acc.ID})
	require.NoError(t, err)
}

func (f *faultFixture) now() time.Time { return time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC) }

func faultSys() context.Context {
	return audit.WithPrincipal(context.Background(), audit.System("test"))
}

// faultResult discards an operation's result.
func faultResult[T any](_ T, err error) error { return err }

// faultOps are the multi-statement operations, each with its faultFixture.
func faultOps(e *faultEnv) []faulttest.Op {
	return []faulttest.Op{
		{Name: "CreateFromTemplate", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			tmpl := f.account(t, "Template", "template@reseller.example", time.Time{})
			_, err := e.p.Tenancy.SetTemplate(f.as(f.owner), f.pid, tmpl.ID, true)
			require.NoError(t, err)
			_, err = e.p.Tenancy.Allocate(f.as(f.owner), f.pid, tmpl.ID, tenancy.ResourceBotSlots, 1)
			require.NoError(t, err)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.CreateFromTemplate(f.as(f.owner), tenancy.CreateFromTemplateParams{
					PlatformID: f.pid, TemplateID: tmpl.ID, Accounts: []tenancy.NewFromTemplate{
						{Name: "One", Email: "one@clients.example", Nickname: "one"},
						{Name: "Two", Email: "two@clients.example", Nickname: "two"},
						{Name: "Three", Email: "three@clients.example"},
					}}))
			}}
		}},
		{Name: "CreateAccount", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.CreateAccount(f.as(f.op), tenancy.CreateAccountParams{
					PlatformID: f.pid, Name: "Beta", Email: "admin@beta.example", Nickname: "beta", Tags: []string{"new", "vip"}}))
			}}
		}},
		{Name: "DeleteAccount", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			agent := f.user(t, "agent@acme.example", tenancy.RoleNone)
			_, err := e.p.Tenancy.AddMember(f.as(f.owner), tenancy.AddMemberParams{PlatformID: f.pid, AccountID: f.acc.ID, UserID: agent.ID, Permissions: []string{tenancy.PermLiveChat}})
			require.NoError(t, err)
			_, err = e.p.Tenancy.Allocate(f.as(f.owner), f.pid, f.acc.ID, tenancy.ResourceBotSlots, 2)
			require.NoError(t, err)
			f.openSessionAndInvitation(t)
			_, err = e.p.Licensing.CreatePlan(f.as(f.owner), licensing.PlanParams{PlatformID: f.pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
			require.NoError(t, err)
			_, err = e.p.Licensing.Issue(f.as(f.owner), licensing.IssueParams{PlatformID: f.pid, PlanID: "pro", AccountID: f.acc.ID, EndsAt: f.now().Add(365 * 24 * time.Hour)})
			require.NoError(t, err)
			_, err = e.p.Branding.SetTheme(f.as(f.owner), branding.Theme{PlatformID: f.pid, AccountID: f.acc.ID, ProductName: "Acme Bot"})
			require.NoError(t, err)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.DeleteAccount(f.as(f.owner), f.pid, f.acc.ID))
			}}
		}},
		{Name: "LockAccount", New: func(t *testing.T) faulttest.Case {
			// The lock, the end of the account's impersonation session and
			// the revocation of its pending invitation (its held seat given
			// back) commit as one.
			f := e.faultFixture(t)
			f.openSessionAndInvitation(t)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.LockAccount(f.as(f.owner), f.pid, f.acc.ID))
			}}
		}},
		{Name: "InviteTeamMember", New: func(t *testing.T) faulttest.Case {
			// The seat held in tenancy's quota and the invitation commit as
			// one.
			f := e.faultFixture(t)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Invites.Create(f.as(f.owner), invites.CreateParams{PlatformID: f.pid, Kind: invites.KindTeamMember, Email: "new@acme.example", AccountID: f.acc.ID}))
			}}
		}},
		{Name: "ConvertTest", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			trial := f.account(t, "Trial", "trial@clients.example", f.now().Add(24*time.Hour))
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.ConvertTest(f.as(f.op), f.pid, trial.ID))
			}}
		}},
		{Name: "AddMember", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			agent := f.user(t, "agent@acme.example", tenancy.RoleNone)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Tenancy.AddMember(f.as(f.op), tenancy.AddMemberParams{
					PlatformID: f.pid, AccountID: f.acc.ID, UserID: agent.ID, Permissions: []string{tenancy.PermLiveChat}}))
			}}
		}},
		{Name: "AcceptAccountInvitation", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			c, err := e.p.Invites.Create(f.as(f.op), invites.CreateParams{PlatformID: f.pid, Kind: invites.KindAccount, Email: "founder@newco.example", AccountName: "NewCo"})
			require.NoError(t, err)
			u := f.user(t, "founder@newco.example", tenancy.RoleNone)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Invites.Accept(f.as(u.ID), invites.AcceptParams{PlatformID: f.pid, Token: c.Token, UserID: u.ID, UserEmail: u.Email}))
			}}
		}},
		{Name: "AcceptTeamInvitation", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			c, err := e.p.Invites.Create(f.as(f.op), invites.CreateParams{PlatformID: f.pid, Kind: invites.KindTeamMember, Email: "agent@acme.example", AccountID: f.acc.ID, Permissions: []string{tenancy.PermLiveChat}})
			require.NoError(t, err)
			u := f.user(t, "agent@acme.example", tenancy.RoleNone)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Invites.Accept(f.as(u.ID), invites.AcceptParams{PlatformID: f.pid, Token: c.Token, UserID: u.ID, UserEmail: u.Email}))
			}}
		}},
		{Name: "MoveLicense", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			beta := f.account(t, "Beta", "admin@beta.example", time.Time{})
			_, err := e.p.Licensing.CreatePlan(f.as(f.owner), licensing.PlanParams{PlatformID: f.pid, ID: "pro", Name: "Pro", Features: []string{"live_chat"}})
			require.NoError(t, err)
			l, err := e.p.Licensing.Issue(f.as(f.owner), licensing.IssueParams{PlatformID: f.pid, PlanID: "pro", AccountID: f.acc.ID, EndsAt: f.now().Add(365 * 24 * time.Hour)})
			require.NoError(t, err)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Licensing.Move(f.as(f.owner), f.pid, l.ID, beta.ID))
			}}
		}},
		{Name: "DebitCredits", Idempotent: true, New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			_, err := e.p.Licensing.GrantCredits(f.as(f.owner), licensing.CreditParams{PlatformID: f.pid, AccountID: f.acc.ID, Kind: licensing.CreditSMS, Amount: 100})
			require.NoError(t, err)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Licensing.DebitCredits(f.as(f.owner), licensing.CreditParams{
					PlatformID: f.pid, AccountID: f.acc.ID, Kind: licensing.CreditSMS, Amount: 30, IdempotencyKey: "msg-1", Reason: "campaign"}))
			}}
		}},
		{Name: "StartImpersonation", New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Impersonation.Start(f.as(f.op), impersonation.StartParams{
					PlatformID: f.pid, AccountID: f.acc.ID, Mode: impersonation.AsClient, Reason: "support ticket"}))
			}}
		}},
		{Name: "EndAccountSessions", Idempotent: true, New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			for _, actor := range []string{f.op, f.owner} {
				_, err := e.p.Impersonation.Start(f.as(actor), impersonation.StartParams{PlatformID: f.pid, AccountID: f.acc.ID, Mode: impersonation.AsClient})
				require.NoError(t, err)
			}
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Impersonation.EndAccount(f.as(f.owner), f.pid, f.acc.ID))
			}}
		}},
		{Name: "MakePrimaryDomain", Idempotent: true, New: func(t *testing.T) faulttest.Case {
			f := e.faultFixture(t)
			// Hosts are unique across platforms: each faultFixture's carry its
			// platform ID, which the state masks.
			hosts := []string{"www." + f.pid + ".example", "app." + f.pid + ".example"}
			for _, h := range hosts {
				_, err := e.p.Branding.AddDomain(f.as(f.owner), f.pid, h)
				require.NoError(t, err)
				_, err = e.p.Branding.VerifyDomain(f.as(f.owner), f.pid, h)
				require.NoError(t, err)
			}
			_, err := e.p.Branding.MakePrimary(f.as(f.owner), f.pid, hosts[0])
			require.NoError(t, err)
			return faulttest.Case{PlatformID: f.pid, Run: func(context.Context) error {
				return faultResult(e.p.Branding.MakePrimary(f.as(f.owner), f.pid, hosts[1]))
			}}
		}},
	}
}

// TestFaultInjection runs every multi-statement operation failing at each
// of its statements and commits in turn, on SQLite and PostgreSQL, and
// checks each run left it all done or not done at all, the invariants
// whole, and a retry reaching the state of a clean run (see
// internal/faulttest.Run).
func TestFaultInjection(t *testing.T) {
	ops := faultOps(nil)
	for i := range ops {
		name := ops[i].Name
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dbtest.Each(t, func(t *testing.T, db *sqlx.DB, c *dbtest.Counter) {
				e := newFaultEnv(t, db, c)
				var op faulttest.Op
				for _, o := range faultOps(e) {
					if o.Name == name {
						op = o
					}
				}
				res := faulttest.Run(t, e.d, op)
				t.Logf("%s on %s: %s", name, db.DriverName(), res)
			})
		})
	}
}
