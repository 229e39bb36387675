package branding

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"strings"
)

// VerificationLabel is the label under a custom domain where its owner
// publishes the TXT record that proves control: the record for
// "shop.example.com" lives at "_tenantry-verify.shop.example.com".
const VerificationLabel = "_tenantry-verify"

// verificationPrefix starts the text of a verification TXT record.
const verificationPrefix = "tenantry-verification="

// VerificationName returns the DNS name at which the verification TXT
// record of host is looked up: VerificationLabel + "." + host. host is
// expected in NormalizeHost's canonical form.
func VerificationName(host string) string { return VerificationLabel + "." + host }

// VerificationRecord returns the text of the TXT record that proves
// control of a domain for the verification token token:
// "tenantry-verification=" + token.
func VerificationRecord(token string) string { return verificationPrefix + token }

// Resolver looks up DNS TXT records. *net.Resolver satisfies it; a test
// can use internal/dnstest's server or a stub.
type Resolver interface {
	// LookupTXT returns the TXT records at name, one string per record.
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// CheckTXT checks that host carries the verification TXT record for token:
// it looks up the TXT records at VerificationName(host) and returns nil
// when one of them, with surrounding spaces trimmed, equals
// VerificationRecord(token) exactly (case included). Records are compared
// in constant time. A TXT record made of several character-strings (each
// at most 255 bytes) counts as their concatenation: *net.Resolver already
// joins them into one string per record, and another Resolver must do the
// same.
//
// The name is looked up fully qualified (with a trailing dot), so that the
// resolver's search domains never apply. host goes through NormalizeHost
// first; an invalid host or an empty token returns an error that
// errors.Is matches to ErrInvalid.
//
// When the name has no TXT record — NXDOMAIN or NODATA, which
// *net.Resolver reports as a *net.DNSError with IsNotFound set — the error
// matches ErrNotVerified and says "no TXT record"; when records exist but
// none matches, it matches ErrNotVerified and says "TXT record does not
// match". Any other resolver error (a timeout, SERVFAIL, a refused or
// unreachable server, a cancelled ctx) is returned wrapped as it is, not
// as ErrNotVerified, so the caller can tell "not yet" from "could not
// tell" and retry later.
func CheckTXT(ctx context.Context, r Resolver, host, token string) error {
	h, err := NormalizeHost(host)
	if err != nil {
		return fmt.Errorf("branding: check TXT: %w", err)
	}
	if strings.TrimSpace(token) == "" {
		return fmt.Errorf("branding: check TXT: %w", invalid("token", "is required"))
	}
	name := VerificationName(h)
	records, err := r.LookupTXT(ctx, name+".")
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return fmt.Errorf("branding: check TXT: %w: no TXT record at %s: %w", ErrNotVerified, name, err)
		}
		return fmt.Errorf("branding: check TXT at %s: %w", name, err)
	}
	if len(records) == 0 {
		return fmt.Errorf("branding: check TXT: %w: no TXT record at %s", ErrNotVerified, name)
	}
	want := []byte(VerificationRecord(token))
	match := 0
	for _, rec := range records {
		// Every record is compared, so the time taken does not say
		// which one matched.
		match |= subtle.ConstantTimeCompare([]byte(strings.TrimSpace(rec)), want)
	}
	if match != 1 {
		return fmt.Errorf("branding: check TXT: %w: TXT record does not match at %s", ErrNotVerified, name)
	}
	return nil
}
