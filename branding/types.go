package branding

import "time"

// Logo is a platform's (or an account's) logo, checked by CheckLogo.
type Logo struct {
	PlatformID string
	// AccountID is empty for the platform's own logo.
	AccountID   string
	ContentType string
	Data        []byte
	// SHA256 is the hex digest of Data, for ETags and cache busting.
	SHA256    string
	UpdatedAt time.Time
}

// Domain is a host name that leads to a platform.
type Domain struct {
	PlatformID string
	// Host is canonical (NormalizeHost): lower-case ASCII, no trailing dot.
	// A host belongs to one platform only, verified or not.
	Host string
	// Default marks the platform's own host on the product's domain
	// (reseller.product.example), added by the host application: it needs
	// no verification, and requests for it are redirected to the verified
	// primary domain when there is one.
	Default bool
	// VerificationToken is what the TXT record at VerificationName(Host)
	// must hold (as VerificationRecord(token)). It is public by nature.
	VerificationToken string
	// VerifiedAt is when the TXT record was found; zero until then.
	VerifiedAt time.Time
	// Primary marks the verified domain requests are redirected to; at
	// most one per platform.
	Primary   bool
	CreatedAt time.Time
	Version   int64
}

// Verified reports whether the domain may serve the platform.
func (d Domain) Verified() bool { return d.Default || !d.VerifiedAt.IsZero() }

// LoginSettings are a platform's login methods other than its OAuth
// providers.
type LoginSettings struct {
	PlatformID string
	// Password enables email-and-password login.
	Password bool
	// SelfRegistration lets anyone sign up; off by default on white-label
	// platforms, where only created or invited people get in.
	SelfRegistration bool
	Version          int64
	UpdatedAt        time.Time
}

// DefaultLoginSettings are a platform's settings until changed: password
// login on, self-registration off.
func DefaultLoginSettings(platformID string) LoginSettings {
	return LoginSettings{PlatformID: platformID, Password: true}
}

// Provider is an OAuth 2.0 or OpenID Connect login provider of a platform.
type Provider struct {
	PlatformID string
	ID         string
	// Name is shown on the login button ("Google", "Okta"); unique on the
	// platform, case-insensitively.
	Name     string
	ClientID string
	// ClientSecret is the secret in clear, as the Service returns it for
	// an OAuth round trip; stores only ever hold it sealed.
	ClientSecret string `json:"-"`
	AuthURL      string
	TokenURL     string
	// UserInfoURL is where the host reads the user's email after the
	// exchange (OpenID Connect userinfo, or the provider's API).
	UserInfoURL string
	// IssuerURL is the OpenID Connect issuer, when the provider is one.
	IssuerURL string
	Scopes    []string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// StoredProvider is a Provider as stores hold it: the client secret sealed
// (XChaCha20-Poly1305 under the host's key), never in clear.
type StoredProvider struct {
	Provider
	// SealedSecret is the client secret encrypted at rest.
	SealedSecret []byte
}
