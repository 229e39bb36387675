package validate

import (
	"errors"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on hosts without a zoneinfo database.

	"golang.org/x/text/language"
)

// TimeZone checks an IANA time zone name ("Europe/Paris", "UTC"). The empty
// string is allowed and means unset.
func TimeZone(s string) error {
	if s == "" {
		return nil
	}
	if s == "Local" || strings.ContainsAny(s, " \\") || strings.HasPrefix(s, "/") || strings.Contains(s, "..") {
		return errors.New("is not an IANA time zone name")
	}
	if _, err := time.LoadLocation(s); err != nil {
		return errors.New("is not an IANA time zone name")
	}
	return nil
}

// Language returns the canonical BCP 47 form of a language tag ("en",
// "pt-BR"). The empty string is allowed and means unset.
func Language(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	tag, err := language.Parse(s)
	if err != nil || len(s) > 35 {
		return "", errors.New("is not a BCP 47 language tag")
	}
	return tag.String(), nil
}
