package branding

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tenantry/tenantry/internal/validate"
)

// maxHostInput bounds the raw input, in bytes, before any IDNA work: a host
// name is at most 253 bytes in ASCII, and a Unicode form longer than four
// times that cannot map to one.
const maxHostInput = 4 * 253

// NormalizeHost returns the canonical form of a host name that a platform
// adds as a custom domain: surrounding white space (as unicode.IsSpace
// defines it) trimmed, one trailing dot removed, Unicode converted to its
// ASCII (punycode) form with the IDNA lookup profile of UTS 46
// (non-transitional, STD3 rules, Bidi rule, DNS length checks),
// lower-cased. Two hosts are the same domain exactly when their canonical
// forms are equal, and NormalizeHost of a canonical form returns it
// unchanged. The result holds only a-z, 0-9, dots and hyphens,
// has at least two labels of 1 to 63 bytes each, at most 253 bytes in all,
// and no label starts or ends with a hyphen.
//
// It refuses, with an error that errors.Is matches to ErrInvalid and that
// names the field "host": an empty host; a port ("example.com:443"); user
// info ("u@example.com"); a scheme, path, query, fragment or backslash
// ("https://x", "x/y"); percent-encoding; an IP literal, IPv4 or IPv6, and
// any name whose last label is numeric (as WHATWG URL parsing would read
// "127.1" or "0x7f.1" as an IPv4 address); a single label ("localhost",
// "com"); empty labels (".x.com", "x..com", two trailing dots); labels over
// 63 bytes or a name over 253; underscores and wildcards; control, space
// and invisible formatting characters (bidi overrides such as U+202E,
// zero-width joiners, soft hyphens), refused even where IDNA would map
// them away; invalid UTF-8; and punycode labels that do not decode to a
// valid IDNA label ("xn--zz").
//
// What IDNA maps is accepted as IDNA maps it: full-width letters and the
// ideographic and full-width full stops ("example。com") become their
// ASCII equivalents ("example.com"), as browsers resolve them; a trailing
// "。" counts as the one trailing dot. Mixed-script and whole-script
// confusables ("аpple.com" with a Cyrillic "а") are accepted as far as
// IDNA accepts them, and come out as punycode ("xn--pple-43d.com"): this
// function does not judge look-alikes. Show the returned ASCII form to
// people who approve domains; ownership itself is proven by CheckTXT.
func NormalizeHost(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", invalid("host", "is required")
	}
	if len(s) > maxHostInput {
		return "", invalid("host", "is too long")
	}
	if !utf8.ValidString(s) {
		return "", invalid("host", "is not valid UTF-8 text")
	}
	if reason := hostCharReason(s); reason != "" {
		return "", invalid("host", reason)
	}
	s = trimOneDot(s)
	if s == "" || trimOneDot(s) != s {
		return "", invalid("host", "has an empty label")
	}
	a, err := validate.Domain(s)
	if err != nil {
		// validate.Domain's reasons start with "domain ...".
		return "", invalid("host", strings.TrimPrefix(err.Error(), "domain "))
	}
	last := a[strings.LastIndexByte(a, '.')+1:]
	switch {
	case !strings.Contains(a, "."):
		return "", invalid("host", "must have at least two labels (example.com)")
	case isNumericLabel(last):
		// Covers IP addresses written with full-width digits too.
		return "", invalid("host", "must be a host name, not an IP address")
	}
	return a, nil
}

// hostCharReason says why s holds a character a host name never has, or
// returns "" when none is found. It checks the ASCII punctuation that would
// make the text a URL or an authority rather than a host, so that the
// error names the mistake, and the invisible characters that IDNA would
// otherwise silently map away.
func hostCharReason(s string) string {
	if strings.Contains(s, "://") {
		return "must be a bare host name, without scheme or path"
	}
	for _, r := range s {
		switch {
		case r == '@':
			return "must not include user info (@)"
		case r == '/' || r == '\\' || r == '?' || r == '#':
			return "must be a bare host name, without scheme or path"
		case r == '%':
			return "must not be percent-encoded"
		case r == '[' || r == ']':
			return "must be a host name, not an IP address"
		case r == ':':
			return "must not include a port or be an IPv6 address"
		case r == '*':
			return "must not be a wildcard"
		case r == '_':
			return "must not contain underscores"
		case unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
			return "has a control, space or formatting character"
		}
	}
	return ""
}

// trimOneDot removes one trailing full stop: "." or one of the Unicode
// full stops that UTS 46 maps to it.
func trimOneDot(s string) string {
	for _, dot := range [...]string{".", "\u3002", "\uff0e", "\uff61"} {
		if strings.HasSuffix(s, dot) {
			return s[:len(s)-len(dot)]
		}
	}
	return s
}

// isNumericLabel reports whether an ASCII label would make a WHATWG URL
// parser read the whole host as an IPv4 address: all decimal digits, or a
// "0x" hexadecimal number.
func isNumericLabel(label string) bool {
	if h, ok := strings.CutPrefix(label, "0x"); ok {
		label = h
		if label == "" {
			return true
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(label); i++ {
		if label[i] < '0' || label[i] > '9' {
			return false
		}
	}
	return label != ""
}

// RequestHost returns the host a request was sent to, in the form routing
// compares: r.Host with its port removed ("host:8080", "[::1]:80"),
// lower-cased, one trailing dot removed, Unicode converted to ASCII
// (punycode) — that is, NormalizeHost's canonical form, so a request for a
// custom domain finds the domain as stored. It also accepts "localhost"
// and IP literals, which routing may map as default hosts: an IPv4 address
// comes back in dotted-decimal form ("127.0.0.1"), an IPv6 address without
// brackets in its canonical RFC 5952 form ("::1"), never with a zone.
//
// It returns ("", false) when the host is unusable: empty; with user info
// (@), a backslash, a space or a control character anywhere in r.Host; a
// port that is not a decimal number up to 65535; an IPv6 address without
// brackets or an IPv4 address inside them; or a name NormalizeHost refuses.
//
// It never consults X-Forwarded-Host or Forwarded, which any client can
// send: a host deployed behind a reverse proxy either has the proxy pass
// the original Host header through, so that it arrives in r.Host, or
// rewrites r.Host itself in a middleware that trusts only its own proxy.
func RequestHost(r *http.Request) (string, bool) {
	if r == nil {
		return "", false
	}
	hp := r.Host
	if hp == "" || len(hp) > maxHostInput || !utf8.ValidString(hp) {
		return "", false
	}
	for _, c := range hp {
		if c == '@' || c == '\\' || unicode.IsControl(c) || unicode.IsSpace(c) {
			return "", false
		}
	}
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 || !validPort(hp[end+1:]) {
			return "", false
		}
		addr, err := netip.ParseAddr(hp[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
		return addr.String(), true
	}
	host := hp
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		if !validPort(hp[i:]) {
			return "", false
		}
		host = hp[:i]
	}
	if strings.ContainsAny(host, ":[]") {
		return "", false
	}
	host = strings.ToLower(host)
	// Only one trailing dot may go: trim it here for localhost and IP
	// addresses, and leave it to NormalizeHost for names, which trims one.
	bare := strings.TrimSuffix(host, ".")
	if bare == "localhost" {
		return bare, true
	}
	if addr, err := netip.ParseAddr(bare); err == nil && addr.Is4() {
		return addr.String(), true
	}
	out, err := NormalizeHost(host)
	if err != nil {
		return "", false
	}
	return out, true
}

// validPort reports whether p is empty (no port) or ":" followed by a
// decimal port number from 0 to 65535.
func validPort(p string) bool {
	if p == "" {
		return true
	}
	digits, ok := strings.CutPrefix(p, ":")
	if !ok || digits == "" || len(digits) > 5 {
		return false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return false
		}
	}
	n, err := strconv.Atoi(digits)
	return err == nil && n <= 65535
}
