package sqlstore

import (
	"strings"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// The tables.
const (
	themesTable    = "tenantry_branding_themes"
	logosTable     = "tenantry_branding_logos"
	domainsTable   = "tenantry_branding_domains"
	loginTable     = "tenantry_branding_login"
	providersTable = "tenantry_branding_providers"
)

// themeColumns lists every theme column, in the order of themeRow.
var themeColumns = []string{
	"platform_id", "account_id",
	"color_sidebar", "color_sidebar_text", "color_button", "color_button_text", "color_status",
	"color_status_text", "color_toggle", "color_toggle_text", "color_link", "color_link_text",
	"color_background", "color_text",
	"product_name", "support_email", "email_sender_name", "logo_link_url", "version", "updated_at",
}

type themeRow struct {
	PlatformID       string      `db:"platform_id"`
	AccountID        string      `db:"account_id"`
	ColorSidebar     string      `db:"color_sidebar"`
	ColorSidebarText string      `db:"color_sidebar_text"`
	ColorButton      string      `db:"color_button"`
	ColorButtonText  string      `db:"color_button_text"`
	ColorStatus      string      `db:"color_status"`
	ColorStatusText  string      `db:"color_status_text"`
	ColorToggle      string      `db:"color_toggle"`
	ColorToggleText  string      `db:"color_toggle_text"`
	ColorLink        string      `db:"color_link"`
	ColorLinkText    string      `db:"color_link_text"`
	ColorBackground  string      `db:"color_background"`
	ColorText        string      `db:"color_text"`
	ProductName      string      `db:"product_name"`
	SupportEmail     string      `db:"support_email"`
	EmailSenderName  string      `db:"email_sender_name"`
	LogoLinkURL      string      `db:"logo_link_url"`
	Version          int64       `db:"version"`
	UpdatedAt        sqlkit.Time `db:"updated_at"`
}

// theme converts the row.
func (r themeRow) theme() branding.Theme {
	return branding.Theme{
		PlatformID: r.PlatformID, AccountID: r.AccountID,
		Colors: branding.Colors{
			Sidebar: r.ColorSidebar, SidebarText: r.ColorSidebarText, Button: r.ColorButton,
			ButtonText: r.ColorButtonText, Status: r.ColorStatus, StatusText: r.ColorStatusText,
			Toggle: r.ColorToggle, ToggleText: r.ColorToggleText, Link: r.ColorLink,
			LinkText: r.ColorLinkText, Background: r.ColorBackground, Text: r.ColorText,
		},
		ProductName: r.ProductName, SupportEmail: r.SupportEmail, EmailSenderName: r.EmailSenderName,
		LogoLinkURL: r.LogoLinkURL, Version: r.Version, UpdatedAt: r.UpdatedAt.Time,
	}
}

// themeSet returns the columns of t a PutTheme writes, key columns aside.
func (s *Store) themeSet(t branding.Theme) map[string]any {
	c := t.Colors
	return map[string]any{
		"color_sidebar": c.Sidebar, "color_sidebar_text": c.SidebarText, "color_button": c.Button,
		"color_button_text": c.ButtonText, "color_status": c.Status, "color_status_text": c.StatusText,
		"color_toggle": c.Toggle, "color_toggle_text": c.ToggleText, "color_link": c.Link,
		"color_link_text": c.LinkText, "color_background": c.Background, "color_text": c.Text,
		"product_name": t.ProductName, "support_email": t.SupportEmail, "email_sender_name": t.EmailSenderName,
		"logo_link_url": t.LogoLinkURL, "version": t.Version, "updated_at": s.tm(t.UpdatedAt),
	}
}

// logoColumns lists every logo column, in the order of logoRow.
var logoColumns = []string{"platform_id", "account_id", "content_type", "data", "sha256", "updated_at"}

type logoRow struct {
	PlatformID  string      `db:"platform_id"`
	AccountID   string      `db:"account_id"`
	ContentType string      `db:"content_type"`
	Data        []byte      `db:"data"`
	SHA256      string      `db:"sha256"`
	UpdatedAt   sqlkit.Time `db:"updated_at"`
}

// logo converts the row; empty data is nil.
func (r logoRow) logo() branding.Logo {
	return branding.Logo{
		PlatformID: r.PlatformID, AccountID: r.AccountID, ContentType: r.ContentType,
		Data: nilIfEmpty(r.Data), SHA256: r.SHA256, UpdatedAt: r.UpdatedAt.Time,
	}
}

// domainColumns lists every domain column, in the order of domainRow and
// its dest.
var domainColumns = []string{
	"platform_id", "host", "is_default", "verification_token", "verified_at", "is_primary", "created_at", "version",
}

// domainRow is one scanned domain. Booleans scan into bool from BOOLEAN
// (PostgreSQL) and from INTEGER 0/1 (SQLite) alike.
type domainRow struct {
	PlatformID        string      `db:"platform_id"`
	Host              string      `db:"host"`
	Default           bool        `db:"is_default"`
	VerificationToken string      `db:"verification_token"`
	VerifiedAt        sqlkit.Time `db:"verified_at"`
	Primary           bool        `db:"is_primary"`
	CreatedAt         sqlkit.Time `db:"created_at"`
	Version           int64       `db:"version"`
}

// dest returns pointers to r's fields in domainColumns order, for Scan.
func (r *domainRow) dest() []any {
	return []any{
		&r.PlatformID, &r.Host, &r.Default, &r.VerificationToken, &r.VerifiedAt, &r.Primary, &r.CreatedAt, &r.Version,
	}
}

// domain converts the row.
func (r domainRow) domain() branding.Domain {
	return branding.Domain{
		PlatformID: r.PlatformID, Host: r.Host, Default: r.Default, VerificationToken: r.VerificationToken,
		VerifiedAt: r.VerifiedAt.Time, Primary: r.Primary, CreatedAt: r.CreatedAt.Time, Version: r.Version,
	}
}

// domainValues returns d's row in domainColumns order; a zero VerifiedAt
// is NULL.
func (s *Store) domainValues(d branding.Domain) []any {
	return []any{
		d.PlatformID, d.Host, d.Default, d.VerificationToken, s.tmNull(d.VerifiedAt), d.Primary,
		s.tm(d.CreatedAt), d.Version,
	}
}

// loginColumns lists every login settings column, in the order of
// loginRow.
var loginColumns = []string{"platform_id", "password", "self_registration", "version", "updated_at"}

type loginRow struct {
	PlatformID       string      `db:"platform_id"`
	Password         bool        `db:"password"`
	SelfRegistration bool        `db:"self_registration"`
	Version          int64       `db:"version"`
	UpdatedAt        sqlkit.Time `db:"updated_at"`
}

// settings converts the row.
func (r loginRow) settings() branding.LoginSettings {
	return branding.LoginSettings{
		PlatformID: r.PlatformID, Password: r.Password, SelfRegistration: r.SelfRegistration,
		Version: r.Version, UpdatedAt: r.UpdatedAt.Time,
	}
}

// providerColumns lists every provider column, in the order of
// providerRow.
var providerColumns = []string{
	"platform_id", "id", "name", "name_key", "client_id", "sealed_secret", "auth_url", "token_url",
	"userinfo_url", "issuer_url", "scopes", "enabled", "created_at", "updated_at", "version",
}

type providerRow struct {
	PlatformID   string                `db:"platform_id"`
	ID           string                `db:"id"`
	Name         string                `db:"name"`
	NameKey      string                `db:"name_key"`
	ClientID     string                `db:"client_id"`
	SealedSecret []byte                `db:"sealed_secret"`
	AuthURL      string                `db:"auth_url"`
	TokenURL     string                `db:"token_url"`
	UserInfoURL  string                `db:"userinfo_url"`
	IssuerURL    string                `db:"issuer_url"`
	Scopes       sqlkit.JSON[[]string] `db:"scopes"`
	Enabled      bool                  `db:"enabled"`
	CreatedAt    sqlkit.Time           `db:"created_at"`
	UpdatedAt    sqlkit.Time           `db:"updated_at"`
	Version      int64                 `db:"version"`
}

// provider converts the row; empty scopes and an empty sealed secret are
// nil, and ClientSecret is always "" (the store never holds it in clear).
func (r providerRow) provider() branding.StoredProvider {
	scopes := r.Scopes.V
	if len(scopes) == 0 {
		scopes = nil
	}
	return branding.StoredProvider{
		Provider: branding.Provider{
			PlatformID: r.PlatformID, ID: r.ID, Name: r.Name, ClientID: r.ClientID, AuthURL: r.AuthURL,
			TokenURL: r.TokenURL, UserInfoURL: r.UserInfoURL, IssuerURL: r.IssuerURL, Scopes: scopes,
			Enabled: r.Enabled, CreatedAt: r.CreatedAt.Time, UpdatedAt: r.UpdatedAt.Time, Version: r.Version,
		},
		SealedSecret: nilIfEmpty(r.SealedSecret),
	}
}

// providerSet returns the columns of p an UpdateProvider writes: all but
// the key and created_at. p.ClientSecret is never written.
func (s *Store) providerSet(p branding.StoredProvider) map[string]any {
	return map[string]any{
		"name": p.Name, "name_key": nameKey(p.Name), "client_id": p.ClientID,
		"sealed_secret": notNil(p.SealedSecret), "auth_url": p.AuthURL, "token_url": p.TokenURL,
		"userinfo_url": p.UserInfoURL, "issuer_url": p.IssuerURL, "scopes": scopesJSON(p.Scopes),
		"enabled": p.Enabled, "updated_at": s.tm(p.UpdatedAt), "version": p.Version,
	}
}

// providerValues returns p's row in providerColumns order. p.ClientSecret
// is never written.
func (s *Store) providerValues(p branding.StoredProvider) []any {
	return []any{
		p.PlatformID, p.ID, p.Name, nameKey(p.Name), p.ClientID, notNil(p.SealedSecret), p.AuthURL,
		p.TokenURL, p.UserInfoURL, p.IssuerURL, scopesJSON(p.Scopes), p.Enabled, s.tm(p.CreatedAt),
		s.tm(p.UpdatedAt), p.Version,
	}
}

// scopesJSON encodes scopes as a JSON array, "[]" for none.
func scopesJSON(scopes []string) sqlkit.JSON[[]string] {
	if scopes == nil {
		scopes = []string{}
	}
	return sqlkit.JSON[[]string]{V: scopes}
}

// nameKey is the key of a provider name's case-insensitive uniqueness
// and order: the name lower-cased (strings.ToLower), as memstore compares
// names.
func nameKey(name string) string { return strings.ToLower(name) }

// notNil returns b, or an empty slice for nil, for the NOT NULL byte
// columns.
func notNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// nilIfEmpty returns b, or nil when it is empty, so that bytes read back
// compare equal to what was written.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}
