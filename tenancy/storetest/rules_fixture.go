package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// Clock is a settable clock for services under test: tests move time
// instead of sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cheapArgon2 keeps password hashing fast in the suite; the default
// parameters are tested once in the tenancy package.
var cheapArgon2 = tenancy.Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}

// testPassword is a password every fixture user has.
const testPassword = "correct horse battery staple"

// platform is a service over the harness with one platform and a user of
// every role.
type platform struct {
	t      *testing.T
	h      Harness
	svc    *tenancy.Service
	clock  *Clock
	id     string
	sys    context.Context
	owner  tenancy.User
	admin  tenancy.User
	oper   tenancy.User
	secure tenancy.User
	// customer is the primary admin of acc.
	customer tenancy.User
	acc      tenancy.Account
	deleted  []tenancy.AccountDeleted
	mu       sync.Mutex
}

// newPlatform makes a platform with an owner, an admin, an operator, a
// secure operator, and an account with its primary admin.
func newPlatform(t *testing.T, h Harness, cfg *tenancy.Config) *platform {
	t.Helper()
	p := &platform{t: t, h: h, clock: NewClock(rulesEpoch), id: "p-" + uuid.NewString()}
	c := tenancy.Config{}
	if cfg != nil {
		c = *cfg
	}
	c.Now = p.clock.Now
	if c.Argon2 == (tenancy.Argon2Params{}) {
		c.Argon2 = cheapArgon2
	}
	c.OnAccountDeleted = func(_ context.Context, d tenancy.AccountDeleted) {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.deleted = append(p.deleted, d)
	}
	p.svc = tenancy.New(h.Store, &c)
	p.sys = audit.WithPrincipal(context.Background(), audit.System("storetest"))
	_, err := p.svc.CreatePlatform(p.sys, tenancy.CreatePlatformParams{ID: p.id, Name: "Platform " + p.id})
	require.NoError(t, err)
	p.owner = p.user(tenancy.RoleOwner)
	p.admin = p.user(tenancy.RoleAdmin)
	p.oper = p.user(tenancy.RoleOperator)
	p.secure = p.user(tenancy.RoleSecureOperator)
	created, err := p.svc.CreateAccount(p.as(p.owner), tenancy.CreateAccountParams{
		PlatformID: p.id, Name: "Acme", Email: "customer-" + uuid.NewString()[:8] + "@acme.example", Password: testPassword,
	})
	require.NoError(t, err)
	p.acc, p.customer = created.Account, created.PrimaryAdmin
	return p
}

// user creates a user with role r and the test password.
func (p *platform) user(r tenancy.Role) tenancy.User {
	p.t.Helper()
	u, err := p.svc.CreateUser(p.sys, tenancy.CreateUserParams{
		PlatformID: p.id, Email: string(r) + "-" + uuid.NewString()[:8] + "@staff.example", Name: "User " + r.String(),
		Role: r, Password: testPassword,
	})
	require.NoError(p.t, err)
	return u.User
}

// as returns a context acting as u.
func (p *platform) as(u tenancy.User) context.Context {
	return audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: p.id, UserID: u.ID})
}

// account creates another account as the owner.
func (p *platform) account(params tenancy.CreateAccountParams) tenancy.CreatedAccount {
	p.t.Helper()
	params.PlatformID = p.id
	if params.Name == "" {
		params.Name = "Account " + uuid.NewString()[:8]
	}
	if params.Email == "" {
		params.Email = "a-" + uuid.NewString()[:8] + "@customer.example"
	}
	if params.Password == "" {
		params.Password = testPassword
	}
	c, err := p.svc.CreateAccount(p.as(p.owner), params)
	require.NoError(p.t, err)
	return c
}

// events returns the platform's audit events, newest first.
func (p *platform) events() []audit.Event {
	p.t.Helper()
	evs, err := p.h.Audit.List(context.Background(), audit.StoreQuery{PlatformID: p.id, Limit: 10000})
	require.NoError(p.t, err)
	return evs
}

// rulesEpoch is where the service-level tests' clocks start.
var rulesEpoch = time.Date(2026, 5, 4, 9, 30, 15, 123456000, time.UTC)
