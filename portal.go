package tenantry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	auditsql "github.com/tenantry/tenantry/audit/sqlstore"
	"github.com/tenantry/tenantry/branding"
	brandingsql "github.com/tenantry/tenantry/branding/sqlstore"
	"github.com/tenantry/tenantry/impersonation"
	impersonationsql "github.com/tenantry/tenantry/impersonation/sqlstore"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/invites"
	invitessql "github.com/tenantry/tenantry/invites/sqlstore"
	"github.com/tenantry/tenantry/licensing"
	licensingsql "github.com/tenantry/tenantry/licensing/sqlstore"
	"github.com/tenantry/tenantry/tenancy"
	tenancysql "github.com/tenantry/tenantry/tenancy/sqlstore"
)

// Config tunes Open. A nil *Config means all defaults. The per-package
// configs are optional; Open sets their clock and wires their hooks and
// rules, keeping what the host set (its own hooks are called after the
// façade's).
type Config struct {
	// Now is every service's clock. Defaults to time.Now.
	Now func() time.Time
	// SecretKey (32 bytes) seals secrets at rest: accounts' SSO secrets and
	// login providers' OAuth client secrets. Keep it out of the database.
	// Without it, SSO and OAuth providers are unavailable.
	SecretKey []byte
	// Features is the host product's feature catalog (licensing).
	Features []licensing.Feature
	// Mailer sends invitations (invites/smtp); LinkURL builds their accept
	// links. Without a Mailer, invitations return their token to deliver.
	Mailer  invites.Mailer
	LinkURL func(inv invites.Invitation, token string) string

	Tenancy       *tenancy.Config
	Licensing     *licensing.Config
	Invites       *invites.Config
	Impersonation *impersonation.Config
	Branding      *branding.Config
	Audit         *audit.Config

	// Logger receives warnings (a gate invalidation that could not be
	// sent). Defaults to silent.
	Logger *slog.Logger
}

// Portal is every tenantry service wired on one database, with the
// cascades between them:
//
//   - an account disabled, locked or deleted ends its impersonation
//     sessions, revokes its pending invitations and is refused by the
//     licensing gate at once (in every process listening, see Listen);
//     a deleted one also gives its licenses back to the platform,
//     unassigned, and loses its branding overrides and logo;
//   - a user disabled, deleted or whose role changes loses the sessions
//     they are in, as actor or subject;
//   - an accepted invitation creates the customer account, the team
//     membership (in the seat the invitation held), the manager's access
//     or the staff role;
//   - the gate combines license, plan, overrides and account state;
//   - every change reaches one audit trail, with actor and subject.
//
// Each change and its cascade are one database transaction: the
// packages' stores on db join one unit of work (tenancy.Config.Atomic,
// invites.Config.Atomic), so a lock and the end of the account's
// sessions, or an acceptance and what it grants, commit together or not
// at all. Only the in-memory caches (the gate, permissions) hear of a
// change after its commit.
//
// Who may do what follows the platform roles of tenancy: owners and
// admins manage licenses, plans, credits and the white label; staff invite
// customers and team members (so do an account's primary admin and its
// members with the "team" permission, for their account); only owners
// invite staff. System principals (audit.System) may do everything: give
// one to the host's own metering and billing code (debiting credits for a
// customer's broadcast, counting activity), which acts for the product,
// not for the customer signed in.
type Portal struct {
	DB            *sqlx.DB
	Audit         *audit.Service
	Tenancy       *tenancy.Service
	Licensing     *licensing.Service
	Invites       *invites.Service
	Impersonation *impersonation.Service
	Branding      *branding.Service
	// Router finds a request's platform from its host (branding).
	Router *branding.Router

	tenancyStore tenancy.Store
	// unit runs the cascades and invitation acceptance as one transaction
	// across the packages' stores.
	unit sqlkit.DB
	now  func() time.Time
	log  *slog.Logger
}

// Open migrates every package's tables on db (SQLite or PostgreSQL, see
// OpenSQLite and OpenPostgres) and returns the wired Portal.
func Open(ctx context.Context, db *sqlx.DB, cfg *Config) (*Portal, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	for _, m := range []func(context.Context, *sqlx.DB) error{
		auditsql.Migrate, tenancysql.Migrate, licensingsql.Migrate, invitessql.Migrate,
		impersonationsql.Migrate, brandingsql.Migrate,
	} {
		if err := m(ctx, db); err != nil {
			return nil, fmt.Errorf("tenantry: open: migrate: %w", err)
		}
	}
	p := &Portal{DB: db, now: c.Now, log: c.Logger}
	if err := p.wire(db, c); err != nil {
		return nil, fmt.Errorf("tenantry: open: %w", err)
	}
	return p, nil
}

// wire builds the stores and services and connects them.
func (p *Portal) wire(db *sqlx.DB, c Config) error {
	as, err := auditsql.New(db)
	if err != nil {
		return err
	}
	ts, err := tenancysql.New(db)
	if err != nil {
		return err
	}
	ls, err := licensingsql.New(db)
	if err != nil {
		return err
	}
	is, err := invitessql.New(db)
	if err != nil {
		return err
	}
	ims, err := impersonationsql.New(db)
	if err != nil {
		return err
	}
	bs, err := brandingsql.New(db)
	if err != nil {
		return err
	}
	p.tenancyStore = ts
	if p.unit, err = sqlkit.Wrap(db); err != nil {
		return err
	}
	p.Audit = audit.New(as, withNow(c.Audit, c.Now, func(a *audit.Config, now func() time.Time) { a.Now = now }))
	p.Tenancy = tenancy.New(ts, p.tenancyConfig(c))
	p.Licensing = licensing.New(ls, p.licensingConfig(c))
	p.Invites = invites.New(is, p.invitesConfig(c))
	p.Impersonation = impersonation.New(ims, ImpersonationDirectory(ts), withNow(c.Impersonation, c.Now, func(i *impersonation.Config, now func() time.Time) { i.Now = now }))
	bc := withNow(c.Branding, c.Now, func(b *branding.Config, now func() time.Time) { b.Now = now })
	if bc.SecretKey == nil {
		bc.SecretKey = c.SecretKey
	}
	if bc.Authorize == nil {
		bc.Authorize = func(ctx context.Context, a branding.Action) error {
			if err := p.requireRole(ctx, a.PlatformID, tenancy.RoleOwner, tenancy.RoleAdmin); err != nil {
				return err
			}
			if a.Name == "branding.theme.set" || a.Name == "branding.logo.set" {
				return p.requireAccount(ctx, a.PlatformID, a.AccountID) // resets and removals clean up after a deletion
			}
			return nil
		}
	}
	p.Branding = branding.New(bs, bc)
	p.Router = p.Branding.NewRouter(nil)
	return nil
}

// withNow copies a package config (or makes one) and sets its clock.
func withNow[C any](cfg *C, now func() time.Time, set func(*C, func() time.Time)) *C {
	var out C
	if cfg != nil {
		out = *cfg
	}
	set(&out, now)
	return &out
}

// Listen keeps this process's caches in step with every other process on
// the same database (PostgreSQL LISTEN/NOTIFY): the licensing gate and the
// host router. It returns when ctx ends; ready is called once both listen.
// Run it in a goroutine.
func (p *Portal) Listen(ctx context.Context, ready func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	readied := make(chan struct{}, 2)
	for _, listen := range []func(context.Context, func()) error{p.Licensing.Gate().Listen, p.Router.Listen} {
		wg.Go(func() {
			err := listen(ctx, func() { readied <- struct{}{} })
			if err != nil && !errors.Is(err, context.Canceled) {
				errs <- err
				cancel()
			}
		})
	}
	wg.Go(func() {
		for range 2 {
			select {
			case <-readied:
			case <-ctx.Done():
				return
			}
		}
		if ready != nil {
			ready()
		}
	})
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return fmt.Errorf("tenantry: listen: %w", err)
	}
	return ctx.Err()
}

// system is the principal the cascades act as.
func system(ctx context.Context) context.Context {
	return audit.WithPrincipal(context.WithoutCancel(ctx), audit.System("tenantry"))
}
