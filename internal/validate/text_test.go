package validate

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	for _, ok := range []string{"", "acme", "Ünïcödé 🤖", "invoice\u202Egnp.exe", "a\u2028b", `' OR '1'='1`, strings.Repeat("é", 50)} {
		assert.NoError(t, Line(ok, 100), "%q", ok)
		assert.NoError(t, Text(ok, 100), "%q", ok)
	}
	for _, ok := range []string{"line one\nline two", "tab\there", "windows\r\nnewline"} {
		assert.NoError(t, Text(ok, 100), "%q", ok)
		assert.Error(t, Line(ok, 100), "%q", ok)
	}
	for _, bad := range []string{"a\x00b", "\x00", "\x1b[31mred", "bell\a", "del\x7f", "c1\u0085", "\xff\xfe", "abc\xe2\x82", "\xc0\xaf", "\xed\xa0\x80", strings.Repeat("a", 101)} {
		assert.Error(t, Line(bad, 100), "%q", bad)
		assert.Error(t, Text(bad, 100), "%q", bad)
	}
	assert.NoError(t, Line(strings.Repeat("a", 100), 100))
	assert.NoError(t, ID(strings.Repeat("a", MaxIDLength)))
	assert.ErrorContains(t, ID(strings.Repeat("a", MaxIDLength+1)), "at most 128 bytes")
	assert.ErrorContains(t, ID("a\x00b"), "NUL")
	assert.ErrorContains(t, ID("a\nb"), "control")
	assert.ErrorContains(t, ID("\xff"), "UTF-8")
}

func TestTextReasonsAreShort(t *testing.T) {
	for _, s := range []string{strings.Repeat("A", 1<<20), strings.Repeat("\x00", 1<<20), strings.Repeat("\xff", 1<<20), strings.Repeat("é", 1<<19) + "\x00"} {
		for _, err := range []error{Line(s, 1<<21), Text(s, 1<<21), Line(s, 10), ID(s)} {
			if err != nil {
				assert.Less(t, len(err.Error()), 200, "%.80s", err.Error())
			}
		}
	}
}

func TestExcerpt(t *testing.T) {
	assert.Equal(t, `"short"`, Excerpt("short"))
	assert.Equal(t, `"a\x00b"`, Excerpt("a\x00b"))
	long := Excerpt(strings.Repeat("é", 100))
	assert.Equal(t, `"`+strings.Repeat("é", 16)+`"... (200 bytes)`, long)
	// A cut inside a character backs off to its start.
	got := Excerpt("a" + strings.Repeat("é", 100))
	require.True(t, strings.HasPrefix(got, `"a`+strings.Repeat("é", 15)+`"...`), got)
	// Invalid UTF-8 backs off at most three bytes.
	assert.Equal(t, `"`+strings.Repeat(`\x80`, 29)+`"... (40 bytes)`, Excerpt(strings.Repeat("\x80", 40)))
}

// FuzzText checks that what Line, Text and ID accept is bounded, valid
// UTF-8 and free of the control characters each refuses, and that their
// reasons stay short whatever the input.
func FuzzText(f *testing.F) {
	for _, s := range []string{"", "acme", "a\x00b", "a\nb\tc\r", "\xff", "abc\xe2\x82", "\u0085", "\x1b[0m", strings.Repeat("x", 200), "é"} {
		f.Add(s, 64)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 {
			max = -max
		}
		max %= 1 << 16
		short := func(err error) {
			if err != nil && len(err.Error()) > 200 {
				t.Fatalf("reason of %d bytes for an input of %d", len(err.Error()), len(s))
			}
		}
		lineErr, textErr, idErr := Line(s, max), Text(s, max), ID(s)
		short(lineErr)
		short(textErr)
		short(idErr)
		for _, accepted := range []struct {
			err       error
			max       int
			multiline bool
		}{{lineErr, max, false}, {textErr, max, true}, {idErr, MaxIDLength, false}} {
			if accepted.err != nil {
				continue
			}
			if len(s) > accepted.max || !utf8.ValidString(s) {
				t.Fatalf("accepted %q (%d bytes, max %d)", s, len(s), accepted.max)
			}
			for _, r := range s {
				if unicode.IsControl(r) && !(accepted.multiline && strings.ContainsRune("\t\n\r", r)) {
					t.Fatalf("accepted %q holding %U", s, r)
				}
			}
		}
		if lineErr == nil && textErr != nil {
			t.Fatalf("Line accepted %q that Text refused: %v", s, textErr)
		}
		if e := Excerpt(s); len(e) > 4*excerptLength+40 {
			t.Fatalf("excerpt of %d bytes", len(e))
		}
	})
}

func TestIDsAndIDList(t *testing.T) {
	field, err := IDs("platform_id", "p-1", "account_id", "a\x00", "user_id", "\xff")
	assert.Equal(t, "account_id", field)
	assert.ErrorContains(t, err, "NUL")
	field, err = IDs("platform_id", "p-1", "account_id", "")
	assert.Equal(t, "", field)
	assert.NoError(t, err)
	assert.NoError(t, IDList([]string{"a", "b"}))
	assert.ErrorContains(t, IDList([]string{"a", strings.Repeat("b", MaxIDLength+1)}), "[1] must be at most 128 bytes")
}
