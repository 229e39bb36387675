package validate

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxEmailLength is the longest address accepted, in bytes (RFC 5321 path
// limit less the angle brackets).
const MaxEmailLength = 254

var emailProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// Email returns the canonical form of an email address: surrounding spaces
// trimmed, the local part lowercased, the domain lowercased and in its ASCII
// (punycode) form. Two addresses are the same account exactly when their
// canonical forms are equal.
//
// It accepts only a bare address ("name@example.com"): no display name, no
// comments, no quoted local part, no IP literal. The local part must be
// printable ASCII from the RFC 5322 dot-atom set, so look-alike Unicode
// letters cannot pose as another address; the domain may be Unicode (IDNA)
// and must have at least two labels.
func Email(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("is required")
	}
	if !utf8.ValidString(s) {
		return "", errors.New("is not valid UTF-8 text")
	}
	if len(s) > 4*MaxEmailLength {
		return "", errors.New("is too long")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "", errors.New("must contain @")
	}
	local, domain := s[:at], s[at+1:]
	if err := checkLocal(local); err != nil {
		return "", err
	}
	d, err := Domain(domain)
	if err != nil {
		return "", err
	}
	if !strings.Contains(d, ".") {
		return "", errors.New("domain must have a dot (name@example.com)")
	}
	out := strings.ToLower(local) + "@" + d
	if len(out) > MaxEmailLength {
		return "", errors.New("is too long")
	}
	return out, nil
}

func checkLocal(local string) error {
	if local == "" {
		return errors.New("has nothing before @")
	}
	if len(local) > 64 {
		return errors.New("part before @ is longer than 64 characters")
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return errors.New("part before @ has a misplaced dot")
	}
	for i := 0; i < len(local); i++ {
		if !isAtext(local[i]) && local[i] != '.' {
			return errors.New("part before @ has a character that is not allowed")
		}
	}
	return nil
}

// isAtext reports whether c is in the RFC 5322 atext set.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// Domain returns the canonical ASCII form of a DNS name: lowercased,
// IDNA-mapped to punycode, without a trailing dot. Labels are letters,
// digits and hyphens, 1 to 63 bytes, the whole at most 253 bytes.
func Domain(s string) (string, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if s == "" {
		return "", errors.New("domain is required")
	}
	if !utf8.ValidString(s) {
		return "", errors.New("domain is not valid UTF-8 text")
	}
	if strings.ContainsAny(s, " \t\r\n/\\:@[]") {
		return "", errors.New("domain has a character that is not allowed")
	}
	a, err := emailProfile.ToASCII(s)
	if err != nil {
		return "", errors.New("domain is not a valid host name")
	}
	a = strings.ToLower(a)
	// The ASCII form must itself be canonical (a punycode label that does
	// not decode back, for instance, is refused), so that normalising twice
	// gives the same answer.
	if again, err := emailProfile.ToASCII(a); err != nil || again != a {
		return "", errors.New("domain is not a valid host name")
	}
	if len(a) > 253 {
		return "", errors.New("domain is too long")
	}
	for _, label := range strings.Split(a, ".") {
		if label == "" || len(label) > 63 {
			return "", errors.New("domain has an empty or too long label")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", errors.New("domain has a character that is not allowed")
			}
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "", errors.New("domain label starts or ends with a hyphen")
		}
	}
	return a, nil
}
