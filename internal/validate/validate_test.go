package validate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEmail(t *testing.T) {
	good := map[string]string{
		"Ann@Example.COM":              "ann@example.com",
		"  bob.smith+tag@example.org ": "bob.smith+tag@example.org",
		"x@bücher.example":             "x@xn--bcher-kva.example",
		"o'neil@sub.example.co.uk.":    "o'neil@sub.example.co.uk",
	}
	for in, want := range good {
		got, err := Email(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	bad := []string{
		"", "plain", "@example.com", "ann@", "ann@localhost", "Ann <ann@example.com>",
		"ann@@example.com", ".ann@example.com", "ann.@example.com", "a..b@example.com",
		"ann@exa mple.com", "ann@example.com\r\nBcc: x@evil.example", "\"quoted\"@example.com",
		"аnn@example.com", // Cyrillic а
		"ann@[127.0.0.1]", "ann@-example.com", strings.Repeat("a", 65) + "@example.com",
		"ann@" + strings.Repeat("a", 64) + ".com",
		"0@a.\xbc000000", "0@a.xn--000000-9z78a", // found by FuzzEmail: not idempotent before
	}
	for _, in := range bad {
		_, err := Email(in)
		assert.Error(t, err, "%q", in)
	}
}

func TestNickname(t *testing.T) {
	for _, ok := range []string{"acme", "acme-corp", "a1b", "123", strings.Repeat("a", 63)} {
		assert.NoError(t, Nickname(ok), ok)
	}
	for _, bad := range []string{"", "ab", "Acme", "acme corp", "acme--corp", "-acme", "acme-", "acmé", "admin", "a_b", strings.Repeat("a", 64), strings.Repeat("a", 200)} {
		assert.Error(t, Nickname(bad), "%q", bad)
	}
}

func TestTimeZoneAndLanguage(t *testing.T) {
	assert.NoError(t, TimeZone(""))
	assert.NoError(t, TimeZone("Europe/Paris"))
	assert.NoError(t, TimeZone("UTC"))
	for _, bad := range []string{"Mars/Olympus", "Local", "../etc/passwd", "/etc/localtime", "Europe/ Paris"} {
		assert.Error(t, TimeZone(bad), bad)
	}
	got, err := Language("pt-br")
	require.NoError(t, err)
	assert.Equal(t, "pt-BR", got)
	_, err = Language("not a tag")
	assert.Error(t, err)
}

// FuzzEmail checks that a canonical address is stable, bounded and free of
// anything that could break a mail header or a URL.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"ann@example.com", "ANN@Example.COM", "x@bücher.example", "a@b", "a\r\n@b.c", "\"a\"@b.c", "a@xn--bcher-kva.example."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Email(s)
		if err != nil {
			return
		}
		again, err := Email(got)
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, got, again, err)
		}
		if len(got) > MaxEmailLength || strings.Count(got, "@") != 1 {
			t.Fatalf("bad canonical form %q", got)
		}
		for _, c := range []byte(got) {
			if c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\' || c == ',' || c == ';' {
				t.Fatalf("canonical form %q holds byte %q", got, c)
			}
		}
		if got != strings.ToLower(got) {
			t.Fatalf("canonical form %q is not lowercase", got)
		}
	})
}

// FuzzNickname checks that an accepted nickname is a URL-safe slug.
func FuzzNickname(f *testing.F) {
	for _, s := range []string{"acme", "Acme", "a-b", "a--b", "ab", "admin", "acmé", "a/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if Nickname(s) != nil {
			return
		}
		if len(s) < MinNicknameLength || len(s) > MaxNicknameLength {
			t.Fatalf("accepted %q of length %d", s, len(s))
		}
		for _, c := range []byte(s) {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Fatalf("accepted %q with byte %q", s, c)
			}
		}
		if strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
			t.Fatalf("accepted %q with misplaced hyphen", s)
		}
	})
}
