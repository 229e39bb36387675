package secret

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewAndHash(t *testing.T) {
	tok, h := New()
	assert.Len(t, tok, TextLength)
	assert.Len(t, h, 64)
	got, err := Hash(tok)
	require.NoError(t, err)
	assert.Equal(t, h, got)
	assert.NotContains(t, h, tok)

	tok2, h2 := New()
	assert.NotEqual(t, tok, tok2)
	assert.NotEqual(t, h, h2)
}

func TestHashRejectsMalformed(t *testing.T) {
	tok, _ := New()
	for _, bad := range []string{"", "short", tok + "A", tok[:len(tok)-1], strings.Repeat("!", TextLength), tok[:len(tok)-1] + "="} {
		_, err := Hash(bad)
		assert.ErrorIs(t, err, ErrMalformed, "%q", bad)
	}
}

// FuzzHash checks that only the canonical text of 32 bytes is accepted.
func FuzzHash(f *testing.F) {
	tok, _ := New()
	f.Add(tok)
	f.Add("")
	f.Add(strings.Repeat("A", TextLength))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Hash(s)
		if err != nil {
			return
		}
		if len(s) != TextLength || len(h) != 64 {
			t.Fatalf("accepted %q", s)
		}
	})
}
