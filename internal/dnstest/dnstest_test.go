package dnstest

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookup(t *testing.T, r *net.Resolver, name string) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.LookupTXT(ctx, name)
}

func TestServer(t *testing.T) {
	s := Start(t)
	r := s.Resolver()
	require.NotEmpty(t, s.Addr())

	s.SetTXT("_x.Example.COM", "one", "two words")
	got, err := lookup(t, r, "_x.example.com.")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"one", "two words"}, got)

	// Without the trailing dot, upper case: same record.
	got, err = lookup(t, r, "_X.EXAMPLE.COM")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"one", "two words"}, got)

	// Unknown name: NXDOMAIN.
	_, err = lookup(t, r, "nothing.example.com.")
	var dnsErr *net.DNSError
	require.ErrorAs(t, err, &dnsErr)
	assert.True(t, dnsErr.IsNotFound, "%v", err)

	// Known name without TXT: not found either, but not NXDOMAIN on the wire.
	s.SetTXT("empty.example.com")
	_, err = lookup(t, r, "empty.example.com.")
	require.ErrorAs(t, err, &dnsErr)
	assert.True(t, dnsErr.IsNotFound, "%v", err)

	// SERVFAIL: a temporary error, not "not found".
	s.Fail("_x.example.com", dns.RcodeServerFailure)
	_, err = lookup(t, r, "_x.example.com.")
	require.ErrorAs(t, err, &dnsErr)
	assert.False(t, dnsErr.IsNotFound, "%v", err)

	// SetTXT clears the failure; Remove forgets the name.
	s.SetTXT("_x.example.com", "back")
	got, err = lookup(t, r, "_x.example.com.")
	require.NoError(t, err)
	assert.Equal(t, []string{"back"}, got)
	s.Remove("_x.example.com.")
	_, err = lookup(t, r, "_x.example.com.")
	require.ErrorAs(t, err, &dnsErr)
	assert.True(t, dnsErr.IsNotFound, "%v", err)
}

func TestLongAndManyValues(t *testing.T) {
	s := Start(t)
	r := s.Resolver()
	long := strings.Repeat("abcdefghij", 60) + `"quoted\back` + "\x01"
	s.SetTXT("long.example.com", long)
	got, err := lookup(t, r, "long.example.com.")
	require.NoError(t, err)
	assert.Equal(t, []string{long}, got, "strings of one record are joined")

	// More than fits a UDP answer: truncated, retried over TCP.
	var many []string
	for i := range 40 {
		many = append(many, strings.Repeat(string(rune('a'+i%26)), 200))
	}
	s.SetTXT("many.example.com", many...)
	got, err = lookup(t, r, "many.example.com.")
	require.NoError(t, err)
	assert.ElementsMatch(t, many, got)
}

func TestTCP(t *testing.T) {
	s := Start(t)
	s.SetTXT("tcp.example.com", "over tcp")
	c := &dns.Client{Net: "tcp", Timeout: 5 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion("tcp.example.com.", dns.TypeTXT)
	in, _, err := c.Exchange(m, s.Addr())
	require.NoError(t, err)
	require.Len(t, in.Answer, 1)
	assert.Equal(t, []string{"over tcp"}, in.Answer[0].(*dns.TXT).Txt)
}

func TestConcurrent(t *testing.T) {
	s := Start(t)
	r := s.Resolver()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "c" + string(rune('a'+i)) + ".example.com"
			for range 10 {
				s.SetTXT(name, "v")
				got, err := lookup(t, r, name+".")
				if !assert.NoError(t, err) {
					return
				}
				assert.Equal(t, []string{"v"}, got)
				s.Remove(name)
			}
		}()
	}
	wg.Wait()
}
