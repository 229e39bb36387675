package branding

import (
	"context"

	"github.com/tenantry/tenantry/audit"
)

// Store persists branding. It holds no rules and never reads the clock nor
// makes IDs: Service computes every value first. Every method is scoped by
// platform — except LookupHost, the routing lookup, which finds a host's
// platform. Every change writes its audit event in the same transaction; a
// call that fails writes nothing. Versioned records are written only if
// the stored version is the one before (ErrStale otherwise).
//
// Implementations: branding/memstore and branding/sqlstore; both pass
// branding/storetest.
type Store interface {
	ThemeStore
	DomainStore
	LoginStore
}

// ThemeStore holds themes and logos.
type ThemeStore interface {
	// GetTheme returns the platform's theme (accountID "") or an account's
	// override, or ErrNotFound.
	GetTheme(ctx context.Context, platformID, accountID string) (Theme, error)
	// PutTheme inserts t when t.Version is 1 (ErrConflict if one exists),
	// otherwise updates it if the stored version is t.Version-1.
	PutTheme(ctx context.Context, t Theme, ev audit.Event) error
	// DeleteTheme removes a theme; ErrNotFound when missing.
	DeleteTheme(ctx context.Context, platformID, accountID string, ev audit.Event) error
	// GetLogo returns the logo, or ErrNotFound.
	GetLogo(ctx context.Context, platformID, accountID string) (Logo, error)
	// PutLogo inserts or replaces the logo.
	PutLogo(ctx context.Context, l Logo, ev audit.Event) error
	// DeleteLogo removes the logo; ErrNotFound when missing.
	DeleteLogo(ctx context.Context, platformID, accountID string, ev audit.Event) error
}

// DomainStore holds domains. A host is unique across all platforms: the
// database refuses a second claim, whichever platform makes it.
type DomainStore interface {
	// InsertDomain adds d; a host already held by any platform is
	// ErrConflict.
	InsertDomain(ctx context.Context, d Domain, ev audit.Event) error
	// GetDomain returns the platform's domain, or ErrNotFound.
	GetDomain(ctx context.Context, platformID, host string) (Domain, error)
	// UpdateDomain writes d's VerifiedAt, Primary and VerificationToken if
	// the stored version is d.Version-1. When d.Primary is set, the
	// platform's other domains lose Primary in the same transaction (their
	// versions bumped), so there is at most one primary per platform —
	// which the database enforces too.
	UpdateDomain(ctx context.Context, d Domain, ev audit.Event) error
	// DeleteDomain removes the domain; ErrNotFound when missing.
	DeleteDomain(ctx context.Context, platformID, host string, ev audit.Event) error
	// Domains lists the platform's domains by host.
	Domains(ctx context.Context, platformID string) ([]Domain, error)
	// LookupHost returns the domain with this host, of whatever platform,
	// and that platform's primary domain ("" when none), in one read; or
	// ErrNotFound.
	LookupHost(ctx context.Context, host string) (Route, error)
}

// Route is where a host leads: its domain and the platform's primary
// domain.
type Route struct {
	Domain Domain
	// PrimaryHost is the platform's verified primary domain, or "".
	PrimaryHost string
}

// LoginStore holds login settings and providers.
type LoginStore interface {
	// GetLoginSettings returns the platform's settings, or ErrNotFound
	// (Service then uses DefaultLoginSettings).
	GetLoginSettings(ctx context.Context, platformID string) (LoginSettings, error)
	// PutLoginSettings inserts s when s.Version is 1 (ErrConflict if they
	// exist), otherwise updates them if the stored version is s.Version-1.
	PutLoginSettings(ctx context.Context, s LoginSettings, ev audit.Event) error
	// InsertProvider adds p; its ID, or its name in any case, already used
	// on the platform is ErrConflict.
	InsertProvider(ctx context.Context, p StoredProvider, ev audit.Event) error
	// GetProvider returns the provider, or ErrNotFound.
	GetProvider(ctx context.Context, platformID, id string) (StoredProvider, error)
	// UpdateProvider writes every field of p but its ID and CreatedAt if
	// the stored version is p.Version-1; a name taken is ErrConflict.
	UpdateProvider(ctx context.Context, p StoredProvider, ev audit.Event) error
	// DeleteProvider removes the provider; ErrNotFound when missing.
	DeleteProvider(ctx context.Context, platformID, id string, ev audit.Event) error
	// Providers lists the platform's providers by name.
	Providers(ctx context.Context, platformID string) ([]StoredProvider, error)
}

// ChangeListener is an optional Store capability: telling every process
// that a platform's domains changed (PostgreSQL LISTEN/NOTIFY in
// branding/sqlstore), so that host routing caches forget them at once.
type ChangeListener interface {
	// ListenChanges calls fn with the platform ID for every domain change
	// any process makes through a Store on the same database, until ctx
	// ends, and with Everything when changes may have been missed (after
	// a lost connection is found again). ready is called once the
	// listener is subscribed.
	ListenChanges(ctx context.Context, ready func(), fn func(platformID string)) error
}
