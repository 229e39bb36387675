package branding

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/validate"
)

// Limits on a theme's texts, in bytes.
const (
	maxProductName = 100
	maxSenderName  = 100
)

// Theme returns the platform's theme: the stored one, or an empty theme
// (every colour the default) when none was saved.
func (s *Service) Theme(ctx context.Context, platformID string) (Theme, error) {
	t, err := s.theme(ctx, platformID, "")
	if err != nil {
		return Theme{}, fmt.Errorf("branding: theme: %w", err)
	}
	return t, nil
}

// AccountTheme returns what an account looks like: its own overrides
// merged over its platform's theme.
func (s *Service) AccountTheme(ctx context.Context, platformID, accountID string) (Theme, error) {
	const op = "branding: account theme: %w"
	p, err := s.theme(ctx, platformID, "")
	if err != nil {
		return Theme{}, fmt.Errorf(op, err)
	}
	if accountID == "" {
		return p, nil
	}
	a, err := s.theme(ctx, platformID, accountID)
	if err != nil {
		return Theme{}, fmt.Errorf(op, err)
	}
	return MergeTheme(p, a), nil
}

// theme reads a stored theme, or the empty one.
func (s *Service) theme(ctx context.Context, platformID, accountID string) (Theme, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Theme{}, err
	}
	t, err := s.store.GetTheme(ctx, platformID, accountID)
	if errors.Is(err, ErrNotFound) {
		return Theme{PlatformID: platformID, AccountID: accountID}, nil
	}
	return t, err
}

// ThemeSaved is a saved theme and the contrast issues found in it (under
// ContrastWarn; empty when every pair passes).
type ThemeSaved struct {
	Theme  Theme
	Issues []ContrastIssue
}

// SetTheme saves t as the platform's theme (t.AccountID empty) or as an
// account's overrides. Colours are checked and made canonical, texts
// checked, the logo link must be http(s), and the contrast policy applies.
// When t.Version is set it must be the stored version (the one the form
// was loaded with): ErrStale otherwise, so that two editors do not
// silently overwrite each other.
func (s *Service) SetTheme(ctx context.Context, t Theme) (ThemeSaved, error) {
	const op = "branding: set theme: %w"
	ev, err := s.authorize(ctx, "branding.theme.set", t.PlatformID, t.AccountID)
	if err != nil {
		return ThemeSaved{}, fmt.Errorf(op, err)
	}
	if err := s.checkTheme(&t); err != nil {
		return ThemeSaved{}, fmt.Errorf(op, err)
	}
	var issues []ContrastIssue
	if s.cfg.Contrast != ContrastOff {
		colors := t.Colors
		if t.AccountID != "" { // judge what the account will show
			p, err := s.theme(ctx, t.PlatformID, "")
			if err != nil {
				return ThemeSaved{}, fmt.Errorf(op, err)
			}
			colors = MergeTheme(p, t).Colors
		}
		issues = CheckContrast(colors, s.cfg.MinContrast)
		if len(issues) > 0 && s.cfg.Contrast == ContrastRefuse {
			return ThemeSaved{Issues: issues}, fmt.Errorf(op, fmt.Errorf("%w: %s", ErrLowContrast, issues[0]))
		}
	}
	cur, err := s.store.GetTheme(ctx, t.PlatformID, t.AccountID)
	switch {
	case errors.Is(err, ErrNotFound):
		cur = Theme{}
	case err != nil:
		return ThemeSaved{}, fmt.Errorf(op, err)
	}
	if t.Version != 0 && t.Version != cur.Version {
		return ThemeSaved{}, fmt.Errorf(op, fmt.Errorf("%w: the theme was changed since it was loaded", ErrStale))
	}
	t.Version, t.UpdatedAt = cur.Version+1, s.now()
	ev.TargetType, ev.TargetID = "theme", themeTarget(t)
	ev.Changes = themeChanges(cur, t)
	if err := s.store.PutTheme(ctx, t, ev); err != nil {
		return ThemeSaved{}, fmt.Errorf(op, err)
	}
	return ThemeSaved{Theme: t, Issues: issues}, nil
}

func themeTarget(t Theme) string {
	if t.AccountID == "" {
		return t.PlatformID
	}
	return t.AccountID
}

// checkTheme validates t's fields and makes them canonical in place.
func (s *Service) checkTheme(t *Theme) error {
	colors, err := NormalizeColors(t.Colors)
	if err != nil {
		return err
	}
	t.Colors = colors
	if t.ProductName, err = checkLine("product_name", t.ProductName, maxProductName); err != nil {
		return err
	}
	if t.EmailSenderName, err = checkLine("email_sender_name", t.EmailSenderName, maxSenderName); err != nil {
		return err
	}
	if t.SupportEmail = strings.TrimSpace(t.SupportEmail); t.SupportEmail != "" {
		if t.SupportEmail, err = validate.Email(t.SupportEmail); err != nil {
			return invalid("support_email", err.Error())
		}
	}
	if t.LogoLinkURL = strings.TrimSpace(t.LogoLinkURL); t.LogoLinkURL != "" {
		if t.LogoLinkURL, err = CheckLogoURL("logo_link_url", t.LogoLinkURL); err != nil {
			return err
		}
	}
	return nil
}

// checkLine checks a one-line text shown in pages and email headers: valid
// UTF-8, no control characters (no header injection), at most max bytes.
func checkLine(field, v string, max int) (string, error) {
	v = strings.TrimSpace(v)
	switch {
	case len(v) > max:
		return "", invalid(field, fmt.Sprintf("longer than %d bytes", max))
	case !utf8.ValidString(v):
		return "", invalid(field, "not valid UTF-8")
	case strings.ContainsFunc(v, func(r rune) bool {
		return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029'
	}):
		return "", invalid(field, "contains control characters")
	}
	return v, nil
}

// themeChanges lists the fields that differ between two themes.
func themeChanges(a, b Theme) []audit.Change {
	var out []audit.Change
	add := func(field, x, y string) {
		if x != y {
			out = append(out, audit.Change{Field: field, Before: x, After: y})
		}
	}
	for _, f := range colorAreas {
		add("colors."+f.name, *f.field(&a.Colors), *f.field(&b.Colors))
	}
	add("product_name", a.ProductName, b.ProductName)
	add("support_email", a.SupportEmail, b.SupportEmail)
	add("email_sender_name", a.EmailSenderName, b.EmailSenderName)
	add("logo_link_url", a.LogoLinkURL, b.LogoLinkURL)
	return out
}

// ResetTheme removes the platform's theme (back to the defaults) or an
// account's overrides (back to the platform's).
func (s *Service) ResetTheme(ctx context.Context, platformID, accountID string) error {
	const op = "branding: reset theme: %w"
	ev, err := s.authorize(ctx, "branding.theme.reset", platformID, accountID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	ev.TargetType, ev.TargetID = "theme", themeTarget(Theme{PlatformID: platformID, AccountID: accountID})
	if err := s.store.DeleteTheme(ctx, platformID, accountID, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}

// SetLogo checks data (CheckLogo: type from the bytes, size, no active
// content) and saves it as the platform's logo (accountID empty) or an
// account's.
func (s *Service) SetLogo(ctx context.Context, platformID, accountID string, data []byte) (Logo, error) {
	const op = "branding: set logo: %w"
	ev, err := s.authorize(ctx, "branding.logo.set", platformID, accountID)
	if err != nil {
		return Logo{}, fmt.Errorf(op, err)
	}
	img, err := CheckLogo(data, s.cfg.MaxLogoBytes)
	if err != nil {
		return Logo{}, fmt.Errorf(op, err)
	}
	sum := sha256.Sum256(img.Data)
	l := Logo{
		PlatformID: platformID, AccountID: accountID, ContentType: img.ContentType,
		Data: img.Data, SHA256: hex.EncodeToString(sum[:]), UpdatedAt: s.now(),
	}
	ev.TargetType, ev.TargetID = "logo", themeTarget(Theme{PlatformID: platformID, AccountID: accountID})
	ev.Changes = []audit.Change{{Field: "logo", After: fmt.Sprintf("%s, %d bytes, sha256 %s", l.ContentType, len(l.Data), l.SHA256[:12])}}
	if err := s.store.PutLogo(ctx, l, ev); err != nil {
		return Logo{}, fmt.Errorf(op, err)
	}
	return l, nil
}

// Logo returns the logo an account shows: its own, else its platform's
// (accountID empty asks for the platform's). ErrNotFound when neither has
// one.
func (s *Service) Logo(ctx context.Context, platformID, accountID string) (Logo, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Logo{}, fmt.Errorf("branding: logo: %w", err)
	}
	if accountID != "" {
		l, err := s.store.GetLogo(ctx, platformID, accountID)
		if !errors.Is(err, ErrNotFound) {
			if err != nil {
				return Logo{}, fmt.Errorf("branding: logo: %w", err)
			}
			return l, nil
		}
	}
	l, err := s.store.GetLogo(ctx, platformID, "")
	if err != nil {
		return Logo{}, fmt.Errorf("branding: logo: %w", err)
	}
	return l, nil
}

// RemoveLogo removes the platform's or an account's logo.
func (s *Service) RemoveLogo(ctx context.Context, platformID, accountID string) error {
	const op = "branding: remove logo: %w"
	ev, err := s.authorize(ctx, "branding.logo.remove", platformID, accountID)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	ev.TargetType, ev.TargetID = "logo", themeTarget(Theme{PlatformID: platformID, AccountID: accountID})
	if err := s.store.DeleteLogo(ctx, platformID, accountID, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	return nil
}
