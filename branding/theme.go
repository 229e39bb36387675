package branding

import "time"

// Theme is a platform's look and its texts. An account may override any
// field (Service.AccountTheme merges an account's theme over its
// platform's); an empty field means "inherit".
type Theme struct {
	PlatformID string
	// AccountID is empty for the platform's own theme.
	AccountID string
	// Colors are the colour scheme, by area. Values are canonical
	// lower-case "#rrggbb" (ParseColor accepts more forms).
	Colors Colors
	// ProductName replaces the host product's name everywhere.
	ProductName string
	// SupportEmail is where customers write for help.
	SupportEmail string
	// EmailSenderName is the display name of the platform's emails.
	EmailSenderName string
	// LogoLinkURL is where the logo leads (http or https only).
	LogoLinkURL string
	Version     int64
	UpdatedAt   time.Time
}

// Colors is the colour scheme of the key areas of the dashboard: each area
// a background with the text colour drawn on it. Empty means the default
// (or, in an account's theme, the platform's).
type Colors struct {
	Sidebar     string
	SidebarText string
	Button      string
	ButtonText  string
	Status      string
	StatusText  string
	Toggle      string
	ToggleText  string
	// Link is the colour of links, drawn on Background; LinkText is the
	// text drawn on a Link-coloured fill (a selected tab, a link button).
	Link       string
	LinkText   string
	Background string
	Text       string
}
