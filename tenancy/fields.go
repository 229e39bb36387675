package tenancy

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/validate"
)

// Field limits.
const (
	MaxTags        = 50
	MaxTagLength   = 50
	MaxNoteLength  = 10000
	MaxSites       = 100
	MaxURLLength   = 2048
	maxShortLength = 500
)

// normalizeTags trims each tag, drops duplicates and sorts them.
func normalizeTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, invalid("tags", fmt.Sprintf("at most %d tags", MaxTags))
	}
	var out []string
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			return nil, invalid("tags", "a tag is empty")
		case utf8.RuneCountInString(t) > MaxTagLength:
			return nil, invalid("tags", fmt.Sprintf("tag %q is longer than %d characters", t, MaxTagLength))
		case strings.ContainsFunc(t, isControl) || strings.ContainsAny(t, ","):
			return nil, invalid("tags", fmt.Sprintf("tag %q holds a comma or a control character", t))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out, nil
}

// checkWebURL checks an absolute http(s) URL with a host, as links shown to
// users must be (never javascript: or data:).
func checkWebURL(field, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if len(raw) > MaxURLLength || strings.ContainsFunc(raw, isControl) {
		return "", invalid(field, "is not a valid URL")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", invalid(field, "must be an http or https URL with a host and no user info")
	}
	if _, err := validate.Domain(u.Hostname()); err != nil {
		return "", invalid(field, "host "+err.Error())
	}
	return u.String(), nil
}

func normalizeSites(sites []string) ([]string, error) {
	if len(sites) > MaxSites {
		return nil, invalid("sites", fmt.Sprintf("at most %d sites", MaxSites))
	}
	var out []string
	for _, raw := range sites {
		u, err := checkWebURL("sites", raw)
		if err != nil {
			return nil, err
		}
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// checkText trims a free-text field and bounds its length.
func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > max {
		return "", invalid(field, fmt.Sprintf("must be at most %d bytes", max))
	}
	if !utf8.ValidString(s) {
		return "", invalid(field, "must be valid UTF-8 text")
	}
	return s, nil
}

func checkNickname(n string) error {
	if n == "" {
		return nil
	}
	if err := validate.Nickname(n); err != nil {
		return invalid("nickname", err.Error())
	}
	return nil
}

func checkContact(c Contact) (Contact, error) {
	var err error
	if c.Address, err = checkText("contact.address", c.Address, maxShortLength); err != nil {
		return c, err
	}
	if c.Phone, err = checkText("contact.phone", c.Phone, 40); err != nil {
		return c, err
	}
	if strings.ContainsFunc(c.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+-() .", r) }) {
		return c, invalid("contact.phone", "may hold only digits, spaces and + - ( ) .")
	}
	if c.Website, err = checkWebURL("contact.website", c.Website); err != nil {
		return c, err
	}
	return c, nil
}

func checkLocale(language, timeZone string) (string, error) {
	lang, err := validate.Language(language)
	if err != nil {
		return "", invalid("language", err.Error())
	}
	if err := validate.TimeZone(timeZone); err != nil {
		return "", invalid("time_zone", err.Error())
	}
	return lang, nil
}
