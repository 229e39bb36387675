package branding

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/validate"
)

// LoginSettings returns the platform's login settings, or
// DefaultLoginSettings when it never changed them.
func (s *Service) LoginSettings(ctx context.Context, platformID string) (LoginSettings, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return LoginSettings{}, fmt.Errorf("branding: login settings: %w", err)
	}
	ls, err := s.store.GetLoginSettings(ctx, platformID)
	if errors.Is(err, ErrNotFound) {
		return DefaultLoginSettings(platformID), nil
	}
	if err != nil {
		return LoginSettings{}, fmt.Errorf("branding: login settings: %w", err)
	}
	return ls, nil
}

// SetLoginSettings saves ls. When ls.Version is set it must be the stored
// version (ErrStale otherwise). A platform must keep a way in: turning
// password login off needs an enabled provider.
func (s *Service) SetLoginSettings(ctx context.Context, ls LoginSettings) (LoginSettings, error) {
	const op = "branding: set login settings: %w"
	ev, err := s.authorize(ctx, "branding.login.set", ls.PlatformID, "")
	if err != nil {
		return LoginSettings{}, fmt.Errorf(op, err)
	}
	cur, err := s.store.GetLoginSettings(ctx, ls.PlatformID)
	stored := err == nil
	switch {
	case errors.Is(err, ErrNotFound):
		cur = DefaultLoginSettings(ls.PlatformID)
	case err != nil:
		return LoginSettings{}, fmt.Errorf(op, err)
	}
	if ls.Version != 0 && ls.Version != cur.Version {
		return LoginSettings{}, fmt.Errorf(op, fmt.Errorf("%w: the login settings were changed since they were loaded", ErrStale))
	}
	if !ls.Password {
		ps, err := s.store.Providers(ctx, ls.PlatformID)
		if err != nil {
			return LoginSettings{}, fmt.Errorf(op, err)
		}
		if !anyEnabled(ps) {
			return LoginSettings{}, fmt.Errorf(op, invalid("password", "cannot turn password login off without an enabled login provider"))
		}
	}
	ls.Version, ls.UpdatedAt = 1, s.now()
	if stored {
		ls.Version = cur.Version + 1
	}
	ev.TargetType, ev.TargetID = "login_settings", ls.PlatformID
	ev.Changes = boolChanges(
		[3]any{"password", cur.Password, ls.Password},
		[3]any{"self_registration", cur.SelfRegistration, ls.SelfRegistration},
	)
	if err := s.store.PutLoginSettings(ctx, ls, ev); err != nil {
		return LoginSettings{}, fmt.Errorf(op, err)
	}
	return ls, nil
}

func anyEnabled(ps []StoredProvider) bool {
	for _, p := range ps {
		if p.Enabled {
			return true
		}
	}
	return false
}

func boolChanges(fields ...[3]any) []audit.Change {
	var out []audit.Change
	for _, f := range fields {
		if f[1] != f[2] {
			out = append(out, audit.Change{Field: f[0].(string), Before: fmt.Sprint(f[1]), After: fmt.Sprint(f[2])})
		}
	}
	return out
}

// AddProvider adds an OAuth 2.0 / OpenID Connect login provider. Its
// client secret is sealed with Config.SecretKey before it reaches the
// Store; the result carries no secret.
func (s *Service) AddProvider(ctx context.Context, p Provider) (Provider, error) {
	const op = "branding: add provider: %w"
	ev, err := s.authorize(ctx, "branding.provider.add", p.PlatformID, "")
	if err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	if err := CheckProvider(p); err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	p.ID = s.cfg.NewID()
	p.CreatedAt, p.UpdatedAt, p.Version = s.now(), s.now(), 1
	sp, err := s.sealProvider(p)
	if err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	ev.TargetType, ev.TargetID = "login_provider", p.ID
	ev.Changes = []audit.Change{{Field: "name", After: p.Name}, {Field: "client_secret", After: "(set)"}}
	if err := s.store.InsertProvider(ctx, sp, ev); err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	return withoutSecret(p), nil
}

// UpdateProvider changes a provider's settings. An empty ClientSecret
// keeps the stored one. When p.Version is set it must be the stored
// version (ErrStale otherwise).
func (s *Service) UpdateProvider(ctx context.Context, p Provider) (Provider, error) {
	const op = "branding: update provider: %w"
	ev, err := s.authorize(ctx, "branding.provider.update", p.PlatformID, "")
	if err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	cur, err := s.provider(ctx, p.PlatformID, p.ID)
	if err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	if p.Version != 0 && p.Version != cur.Version {
		return Provider{}, fmt.Errorf(op, fmt.Errorf("%w: the provider was changed since it was loaded", ErrStale))
	}
	secretChanged := p.ClientSecret != "" && p.ClientSecret != cur.ClientSecret
	if p.ClientSecret == "" {
		p.ClientSecret = cur.ClientSecret
	}
	if err := CheckProvider(p); err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	p.CreatedAt, p.UpdatedAt, p.Version = cur.CreatedAt, s.now(), cur.Version+1
	sp, err := s.sealProvider(p)
	if err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	ev.TargetType, ev.TargetID = "login_provider", p.ID
	ev.Changes = providerChanges(cur, p, secretChanged)
	if err := s.store.UpdateProvider(ctx, sp, ev); err != nil {
		return Provider{}, fmt.Errorf(op, err)
	}
	return withoutSecret(p), nil
}

func providerChanges(a, b Provider, secretChanged bool) []audit.Change {
	var out []audit.Change
	for _, f := range [][3]string{
		{"name", a.Name, b.Name}, {"client_id", a.ClientID, b.ClientID},
		{"auth_url", a.AuthURL, b.AuthURL}, {"token_url", a.TokenURL, b.TokenURL},
		{"userinfo_url", a.UserInfoURL, b.UserInfoURL}, {"issuer_url", a.IssuerURL, b.IssuerURL},
		{"scopes", strings.Join(a.Scopes, " "), strings.Join(b.Scopes, " ")},
		{"enabled", fmt.Sprint(a.Enabled), fmt.Sprint(b.Enabled)},
	} {
		if f[1] != f[2] {
			out = append(out, audit.Change{Field: f[0], Before: f[1], After: f[2]})
		}
	}
	if secretChanged {
		out = append(out, audit.Change{Field: "client_secret", After: "(changed)"})
	}
	return out
}

// RemoveProvider deletes a provider.
func (s *Service) RemoveProvider(ctx context.Context, platformID, id string) error {
	const op = "branding: remove provider: %w"
	ev, err := s.authorize(ctx, "branding.provider.remove", platformID, "")
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if err := checkIDs("id", id); err != nil {
		return fmt.Errorf(op, err)
	}
	ev.TargetType, ev.TargetID = "login_provider", id
	if err := s.store.DeleteProvider(ctx, platformID, id, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// Providers lists the platform's providers by name, without their
// secrets (for the login page and the settings page).
func (s *Service) Providers(ctx context.Context, platformID string) ([]Provider, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("branding: providers: %w", err)
	}
	sps, err := s.store.Providers(ctx, platformID)
	if err != nil {
		return nil, fmt.Errorf("branding: providers: %w", err)
	}
	out := make([]Provider, len(sps))
	for i, sp := range sps {
		out[i] = withoutSecret(sp.Provider)
	}
	return out, nil
}

// OAuth2Config returns the golang.org/x/oauth2 configuration of an enabled
// provider, its client secret opened with Config.SecretKey, for a callback
// at redirectURL. Use it with BeginLogin and CompleteLogin; keep it in
// memory only.
func (s *Service) OAuth2Config(ctx context.Context, platformID, providerID, redirectURL string) (*oauth2.Config, error) {
	const op = "branding: oauth2 config: %w"
	if err := validate.Line(redirectURL, MaxProviderURLLength); err != nil {
		return nil, fmt.Errorf(op, invalid("redirect_url", err.Error()))
	}
	p, err := s.provider(ctx, platformID, providerID)
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	if !p.Enabled {
		return nil, fmt.Errorf(op, fmt.Errorf("%w: provider %s is disabled", ErrForbidden, p.Name))
	}
	return p.OAuth2Config(redirectURL), nil
}

// provider reads a provider and opens its secret.
func (s *Service) provider(ctx context.Context, platformID, id string) (Provider, error) {
	if err := checkIDs("platform_id", platformID, "provider_id", id); err != nil {
		return Provider{}, err
	}
	sp, err := s.store.GetProvider(ctx, platformID, id)
	if err != nil {
		return Provider{}, err
	}
	if err := checkSecretKey(s.cfg.SecretKey); err != nil {
		return Provider{}, err
	}
	plain, err := seal.Open(s.cfg.SecretKey, sp.SealedSecret, providerAD(sp.PlatformID, sp.ID))
	if err != nil {
		return Provider{}, fmt.Errorf("open client secret (wrong Config.SecretKey?): %w", err)
	}
	p := sp.Provider
	p.ClientSecret = string(plain)
	return p, nil
}

// sealProvider seals p's client secret for the Store.
func (s *Service) sealProvider(p Provider) (StoredProvider, error) {
	if err := checkSecretKey(s.cfg.SecretKey); err != nil {
		return StoredProvider{}, err
	}
	sealed, err := seal.Seal(s.cfg.SecretKey, []byte(p.ClientSecret), providerAD(p.PlatformID, p.ID))
	if err != nil {
		return StoredProvider{}, err
	}
	return StoredProvider{Provider: withoutSecret(p), SealedSecret: sealed}, nil
}

func checkSecretKey(key []byte) error {
	if len(key) != 32 {
		return errors.New("branding: Config.SecretKey must be 32 bytes to seal OAuth client secrets")
	}
	return nil
}

// providerAD binds a sealed secret to its provider: a secret copied to
// another row does not open.
func providerAD(platformID, id string) []byte {
	return []byte("tenantry/branding/provider\x00" + platformID + "\x00" + id)
}

func withoutSecret(p Provider) Provider {
	p.ClientSecret = ""
	return p
}
