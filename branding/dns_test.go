package branding_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/dnstest"
)

func TestVerificationNames(t *testing.T) {
	assert.Equal(t, "_tenantry-verify.shop.example.com", branding.VerificationName("shop.example.com"))
	assert.Equal(t, "tenantry-verification=abc123", branding.VerificationRecord("abc123"))
	var _ branding.Resolver = net.DefaultResolver
}

func TestCheckTXT(t *testing.T) {
	srv := dnstest.Start(t)
	r := srv.Resolver()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const token = "k3Zq9v0Yp2Xw"
	name := branding.VerificationName("shop.example.com")

	// No record at all: NXDOMAIN.
	err := branding.CheckTXT(ctx, r, "shop.example.com", token)
	require.ErrorIs(t, err, branding.ErrNotVerified)
	assert.Contains(t, err.Error(), "no TXT record")
	var dnsErr *net.DNSError
	assert.ErrorAs(t, err, &dnsErr, "the resolver's error stays wrapped")

	// The name exists but has no TXT record (NODATA).
	srv.SetTXT(name)
	err = branding.CheckTXT(ctx, r, "shop.example.com", token)
	require.ErrorIs(t, err, branding.ErrNotVerified)
	assert.Contains(t, err.Error(), "no TXT record")

	// A wrong record, or the right token under a wrong prefix or case.
	for _, wrong := range []string{
		"tenantry-verification=wrong",
		"tenantry-verification=" + token + "x",
		"tenantry-verification=" + strings.ToLower(token),
		"TENANTRY-VERIFICATION=" + token,
		token,
		"v=spf1 -all",
	} {
		srv.SetTXT(name, wrong)
		err = branding.CheckTXT(ctx, r, "shop.example.com", token)
		require.ErrorIs(t, err, branding.ErrNotVerified, wrong)
		assert.Contains(t, err.Error(), "TXT record does not match", wrong)
	}

	// The record at the host itself, not under the label, does not count.
	srv.Remove(name)
	srv.SetTXT("shop.example.com", branding.VerificationRecord(token))
	err = branding.CheckTXT(ctx, r, "shop.example.com", token)
	require.ErrorIs(t, err, branding.ErrNotVerified)

	// The right record, alone or among others, with spaces around it.
	srv.SetTXT(name, branding.VerificationRecord(token))
	require.NoError(t, branding.CheckTXT(ctx, r, "shop.example.com", token))
	srv.SetTXT(name, "v=spf1 -all", "tenantry-verification=other", "  "+branding.VerificationRecord(token)+" ")
	require.NoError(t, branding.CheckTXT(ctx, r, "shop.example.com", token))

	// The host is normalised first.
	require.NoError(t, branding.CheckTXT(ctx, r, " Shop.Example.COM. ", token))

	// A long token: the record is split into several strings, joined back.
	long := strings.Repeat("t", 300)
	srv.SetTXT(name, branding.VerificationRecord(long))
	require.NoError(t, branding.CheckTXT(ctx, r, "shop.example.com", long))

	// Unicode host: looked up in its punycode form.
	srv.SetTXT(branding.VerificationName("xn--bcher-kva.example"), branding.VerificationRecord(token))
	require.NoError(t, branding.CheckTXT(ctx, r, "bücher.example", token))

	// SERVFAIL: a resolver error, not ErrNotVerified, so the caller retries.
	srv.SetTXT(name, branding.VerificationRecord(token))
	srv.Fail(name, dns.RcodeServerFailure)
	err = branding.CheckTXT(ctx, r, "shop.example.com", token)
	require.Error(t, err)
	assert.NotErrorIs(t, err, branding.ErrNotVerified)
	require.ErrorAs(t, err, &dnsErr)
	assert.False(t, dnsErr.IsNotFound)
}

func TestCheckTXTInvalidInput(t *testing.T) {
	var asked []string
	r := stubResolver{records: []string{branding.VerificationRecord("")}, asked: &asked}
	err := branding.CheckTXT(context.Background(), r, "example.com", "")
	assert.ErrorIs(t, err, branding.ErrInvalid)
	assert.NotErrorIs(t, err, branding.ErrNotVerified)
	err = branding.CheckTXT(context.Background(), r, "localhost", "tok")
	assert.ErrorIs(t, err, branding.ErrInvalid)
	err = branding.CheckTXT(context.Background(), r, "example.com", "  ")
	assert.ErrorIs(t, err, branding.ErrInvalid)
	assert.Empty(t, asked, "nothing looked up")
}

type stubResolver struct {
	records []string
	err     error
	asked   *[]string
}

func (s stubResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	if s.asked != nil {
		*s.asked = append(*s.asked, name)
	}
	return s.records, s.err
}

func TestCheckTXTResolverErrors(t *testing.T) {
	ctx := context.Background()
	var asked []string
	ok := stubResolver{records: []string{branding.VerificationRecord("tok")}, asked: &asked}
	require.NoError(t, branding.CheckTXT(ctx, ok, "example.com", "tok"))
	assert.Equal(t, []string{"_tenantry-verify.example.com."}, asked, "looked up fully qualified")

	err := branding.CheckTXT(ctx, stubResolver{}, "example.com", "tok")
	assert.ErrorIs(t, err, branding.ErrNotVerified)
	assert.Contains(t, err.Error(), "no TXT record")

	notFound := &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}
	err = branding.CheckTXT(ctx, stubResolver{err: notFound}, "example.com", "tok")
	assert.ErrorIs(t, err, branding.ErrNotVerified)
	assert.ErrorIs(t, err, notFound)

	for _, cause := range []error{
		&net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true},
		&net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true},
		context.DeadlineExceeded,
		errors.New("boom"),
	} {
		err := branding.CheckTXT(ctx, stubResolver{err: cause}, "example.com", "tok")
		assert.ErrorIs(t, err, cause)
		assert.NotErrorIs(t, err, branding.ErrNotVerified, "%v", cause)
	}
}
