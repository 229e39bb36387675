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
	// maxSearchLength bounds a listing's search text, in bytes.
	maxSearchLength = 200
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
			return nil, invalid("tags", fmt.Sprintf("tag %s is longer than %d characters", validate.Excerpt(t), MaxTagLength))
		case validate.Line(t, MaxTagLength*utf8.UTFMax) != nil || strings.ContainsAny(t, ","):
			return nil, invalid("tags", "tag "+validate.Excerpt(t)+" holds a comma, a control character or invalid UTF-8")
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

// checkText trims a free-text field that may span lines and checks it
// (validate.Text: valid UTF-8, at most max bytes, no control characters
// but tab and line breaks).
func checkText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if err := validate.Text(s, max); err != nil {
		return "", invalid(field, err.Error())
	}
	return s, nil
}

// checkLine trims a single-line text field and checks it (validate.Line:
// valid UTF-8, at most max bytes, no control characters).
func checkLine(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if err := validate.Line(s, max); err != nil {
		return "", invalid(field, err.Error())
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
	if c.Phone, err = checkLine("contact.phone", c.Phone, 40); err != nil {
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
