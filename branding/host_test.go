package branding_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/branding"
)

// hostileHosts are refused by NormalizeHost; they also seed the fuzzers.
var hostileHosts = []string{
	"", "   ", ".", "..", "。",
	"example.com:443", "example.com:", "u@example.com", "u:p@example.com",
	"https://example.com", "http://example.com/", "example.com/path", "x/y",
	"example.com?q", "example.com#f", `example.com\`, `evil.example\@good.example`,
	"good.example%2F@evil", "%00", "exa%6dple.com", "example.com%00",
	"127.0.0.1", "127.0.0.1.", "10.0.0.1:80", "127.1", "0x7f.0.0.1", "1.2.3.0x4",
	"example.123", "::1", "[::1]", "[::1]:443", "2001:db8::1", "[2001:db8::1]",
	"::ffff:127.0.0.1", "fe80::1%eth0", "１２７.０.０.１",
	"localhost", "localhost.", "com", "xn--bcher-kva",
	strings.Repeat("a", 64) + ".com",
	strings.Repeat("a.", 127) + "com", // 257 bytes
	strings.Repeat(strings.Repeat("a", 63)+".", 4) + "com",
	"a_b.example.com", "_dmarc.example.com", "*.example.com", "a*.example.com",
	"example..com", ".example.com", "example.com..", "example.com.。",
	"-example.com", "example-.com", "example.-com",
	"exa mple.com", "example.com\r\nX-Evil: 1", "ex\tample.com",
	"example\x00.com", "\x00", "example.com\x7f",
	"\u202eexample.com", "moc.elpmaxe\u202e", "exa\u200bmple.com", "a\u200db.com",
	"exa\u00admple.com", "\ufeffexample.com",
	"xn--zz.com", "xn--.com", "xn--a.com", "xn--bcher-kva.xn--zz",
	"ex\xffample.com", "\xc0\xaf.example.com",
	"example．com：443",   // full-width colon maps to ":"
	"u＠example.com",     // full-width at maps to "@"
	"example.com\u05d0", // Latin and Hebrew in one label: the Bidi rule refuses it
}

func TestNormalizeHostValid(t *testing.T) {
	good := map[string]string{
		"Example.COM.":                   "example.com",
		"example.com":                    "example.com",
		"  shop.example.com  ":           "shop.example.com",
		"bücher.example":                 "xn--bcher-kva.example",
		"BÜCHER.example.":                "xn--bcher-kva.example",
		"xn--bcher-kva.example":          "xn--bcher-kva.example",
		"a-b.co.uk":                      "a-b.co.uk",
		"1password.com":                  "1password.com",
		"a.b.c.d.example.org":            "a.b.c.d.example.org",
		"example。com":                    "example.com",      // ideographic full stop: IDNA maps it to "."
		"example．com":                    "example.com",      // full-width full stop
		"example.com。":                   "example.com",      // the one trailing dot, written as U+3002
		"ｅｘａｍｐｌｅ.com":                    "example.com",      // full-width letters map to ASCII
		"аpple.com":                      "xn--pple-43d.com", // Cyrillic "а": accepted as IDNA does, shown as punycode
		"例え.テスト":                         "xn--r8jz45g.xn--zckzah",
		"exa\u2044mple.com":              "xn--example-3d7c.com", // fraction slash: IDNA-valid, looks like "/"
		"example.com\n":                  "example.com",          // surrounding white space is trimmed
		strings.Repeat("a", 63) + ".com": strings.Repeat("a", 63) + ".com",
	}
	for in, want := range good {
		got, err := branding.NormalizeHost(in)
		if assert.NoError(t, err, "%q", in) {
			assert.Equal(t, want, got, "%q", in)
			again, err := branding.NormalizeHost(got)
			assert.NoError(t, err)
			assert.Equal(t, got, again, "idempotent")
		}
	}
	// Exactly 253 bytes is the limit.
	h := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "a" // 4*63 + 1 = 253
	require.Len(t, h, 253)
	got, err := branding.NormalizeHost(h)
	require.NoError(t, err)
	assert.Equal(t, h, got)
	_, err = branding.NormalizeHost(h + "a")
	assert.Error(t, err)
}

func TestNormalizeHostHostile(t *testing.T) {
	for _, in := range hostileHosts {
		got, err := branding.NormalizeHost(in)
		if !assert.Error(t, err, "%q accepted as %q", in, got) {
			continue
		}
		assert.True(t, errors.Is(err, branding.ErrInvalid), "%q: %v", in, err)
		var ie *branding.InvalidError
		if assert.ErrorAs(t, err, &ie) {
			assert.Equal(t, "host", ie.Field)
			assert.NotEmpty(t, ie.Reason)
		}
		assert.Empty(t, got)
	}
}

func TestNormalizeHostReasons(t *testing.T) {
	reasons := map[string]string{
		"":                    "required",
		"example.com:443":     "port",
		"u@example.com":       "user info",
		"https://example.com": "without scheme or path",
		"127.0.0.1":           "IP address",
		"１２７.０.０.１":           "IP address",
		"localhost":           "two labels",
		"*.example.com":       "wildcard",
		"a_b.example.com":     "underscores",
		"example.com..":       "empty label",
		"\u202eexample.com":   "formatting character",
	}
	for in, want := range reasons {
		_, err := branding.NormalizeHost(in)
		if assert.Error(t, err, "%q", in) {
			assert.Contains(t, err.Error(), want, "%q", in)
		}
	}
}

func request(host string) *http.Request {
	r, _ := http.NewRequest(http.MethodGet, "http://placeholder.invalid/", nil)
	r.Host = host
	return r
}

func TestRequestHost(t *testing.T) {
	good := map[string]string{
		"example.com":             "example.com",
		"Example.COM":             "example.com",
		"example.com:8080":        "example.com",
		"EXAMPLE.com.:443":        "example.com",
		"example.com.":            "example.com",
		"bücher.example":          "xn--bcher-kva.example",
		"xn--bcher-kva.example:1": "xn--bcher-kva.example",
		"localhost":               "localhost",
		"LOCALHOST.:3000":         "localhost",
		"127.0.0.1":               "127.0.0.1",
		"127.0.0.1:8080":          "127.0.0.1",
		"127.0.0.1.":              "127.0.0.1",
		"[::1]":                   "::1",
		"[::1]:80":                "::1",
		"[2001:DB8:0::1]:443":     "2001:db8::1",
		"[::ffff:127.0.0.1]":      "::ffff:127.0.0.1",
		"shop.example.com:65535":  "shop.example.com",
	}
	for in, want := range good {
		got, ok := branding.RequestHost(request(in))
		assert.True(t, ok, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	bad := []string{
		"", ":80", "example.com:", "example.com:http", "example.com:65536", "example.com:123456",
		"example.com:80:80", "example.com..", "localhost..", "::1", "::1:80", "[::1", "[::1]x",
		"[::1]:", "[127.0.0.1]", "[fe80::1%25eth0]", "[fe80::1%eth0]:80",
		"u@example.com", "u:p@example.com:80", `evil.example\@good.example`, `example.com\`,
		"exa mple.com", " example.com", "example.com ", "example.com\t", "example.com\x00",
		"example.com\r\n", "com", "example", "127.1", "0x7f.0.0.1", "1.2.3.4.5",
		"*.example.com", "a_b.example.com", "good.example%2F@evil", "%00", "example.com/x",
		"\u202eexample.com", "xn--zz.com", strings.Repeat("a", 64) + ".com",
	}
	for _, in := range bad {
		got, ok := branding.RequestHost(request(in))
		assert.False(t, ok, "%q accepted as %q", in, got)
		assert.Empty(t, got, "%q", in)
	}
	_, ok := branding.RequestHost(nil)
	assert.False(t, ok)
}

func TestRequestHostIgnoresForwardedHeaders(t *testing.T) {
	r := request("platform.example.com")
	r.Header.Set("X-Forwarded-Host", "victim.example.com")
	r.Header.Set("Forwarded", "host=victim.example.com")
	got, ok := branding.RequestHost(r)
	assert.True(t, ok)
	assert.Equal(t, "platform.example.com", got)
}

func FuzzNormalizeHost(f *testing.F) {
	for _, s := range hostileHosts {
		f.Add(s)
	}
	for _, s := range []string{"Example.COM.", "bücher.example", "a-b.co.uk", "example。com", "аpple.com", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := branding.NormalizeHost(raw)
		if err != nil {
			if !errors.Is(err, branding.ErrInvalid) {
				t.Fatalf("%q: error %v does not match ErrInvalid", raw, err)
			}
			if out != "" {
				t.Fatalf("%q: error %v with output %q", raw, err, out)
			}
			return
		}
		checkCanonicalHost(t, raw, out)
		again, err := branding.NormalizeHost(out)
		if err != nil || again != out {
			t.Fatalf("%q -> %q not idempotent: %q, %v", raw, out, again, err)
		}
		got, ok := branding.RequestHost(request(out))
		if !ok || got != out {
			t.Fatalf("%q -> %q: RequestHost gives %q, %v", raw, out, got, ok)
		}
	})
}

// checkCanonicalHost fails unless out is a canonical multi-label host name.
func checkCanonicalHost(t *testing.T, raw, out string) {
	t.Helper()
	if len(out) == 0 || len(out) > 253 {
		t.Fatalf("%q -> %q: bad length %d", raw, out, len(out))
	}
	for i := 0; i < len(out); i++ {
		c := out[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			t.Fatalf("%q -> %q: byte %q not allowed", raw, out, c)
		}
	}
	labels := strings.Split(out, ".")
	if len(labels) < 2 {
		t.Fatalf("%q -> %q: single label", raw, out)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			t.Fatalf("%q -> %q: bad label %q", raw, out, l)
		}
	}
}

func FuzzRequestHost(f *testing.F) {
	for _, s := range hostileHosts {
		f.Add(s)
	}
	for _, s := range []string{"example.com:8080", "[::1]:80", "LOCALHOST.", "127.0.0.1:1", "Bücher.example.:443"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		out, ok := branding.RequestHost(request(host))
		if !ok {
			if out != "" {
				t.Fatalf("%q: not ok with output %q", host, out)
			}
			return
		}
		if strings.ContainsAny(host, "@\\ \t\r\n\x00") {
			t.Fatalf("%q accepted as %q", host, out)
		}
		// Feeding the answer back gives it again (IPv6 needs its brackets).
		back := out
		if strings.Contains(out, ":") {
			back = "[" + out + "]"
		}
		if again, ok := branding.RequestHost(request(back)); !ok || again != out {
			t.Fatalf("%q -> %q -> %q, %v", host, out, again, ok)
		}
		for i := 0; i < len(out); i++ {
			c := out[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == ':') {
				t.Fatalf("%q -> %q: byte %q not allowed", host, out, c)
			}
		}
		if out != "localhost" && !strings.Contains(out, ":") && !isIPv4(out) {
			checkCanonicalHost(t, host, out)
			if n, err := branding.NormalizeHost(out); err != nil || n != out {
				t.Fatalf("%q -> %q: NormalizeHost gives %q, %v", host, out, n, err)
			}
		}
	})
}

func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
