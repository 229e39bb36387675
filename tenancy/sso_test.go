package tenancy_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/tenancy"
)

func TestSSOLinkRoundTrip(t *testing.T) {
	secret := bytes.Repeat([]byte{9}, 32)
	exp := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tok := tenancy.SignSSOLink(secret, tenancy.SSOLink{AccountUID: "abcd1234", Email: "Ann@Example.com", Expires: exp, Nonce: "0123456789abcdef"})
	l, body, sig, err := tenancy.ParseSSOLink(tok)
	require.NoError(t, err)
	assert.Equal(t, tenancy.SSOLink{AccountUID: "abcd1234", Email: "Ann@Example.com", Expires: exp, Nonce: "0123456789abcdef"}, l)
	assert.Equal(t, tok, body+"."+sig)
	// Every link gets its own nonce when none is given.
	a := tenancy.SignSSOLink(secret, tenancy.SSOLink{AccountUID: "abcd1234", Expires: exp})
	b := tenancy.SignSSOLink(secret, tenancy.SSOLink{AccountUID: "abcd1234", Expires: exp})
	assert.NotEqual(t, a, b)
	for _, bad := range []string{"", "v1", "v2.a.b.1.0123456789abcdef." + strings.Repeat("A", 43), tok + ".x", strings.Replace(tok, ".", "..", 1),
		"v1.abc.!!.1.0123456789abcdef." + strings.Repeat("A", 43), "v1.abc..01.0123456789abcdef." + strings.Repeat("A", 43)} {
		_, _, _, err := tenancy.ParseSSOLink(bad)
		assert.Error(t, err, bad)
	}
}

// FuzzParseSSOLink: whatever arrives in a login URL, parsing either refuses
// it or yields a link that signs back to the same body.
func FuzzParseSSOLink(f *testing.F) {
	secret := bytes.Repeat([]byte{9}, 32)
	f.Add(tenancy.SignSSOLink(secret, tenancy.SSOLink{AccountUID: "abcd1234", Email: "a@b.example", Expires: time.Unix(1800000000, 0)}))
	f.Add("v1.a.b.c.d.e")
	f.Add("v1.abc..1.0123456789abcdef." + strings.Repeat("A", 43))
	f.Fuzz(func(t *testing.T, token string) {
		l, body, sig, err := tenancy.ParseSSOLink(token)
		if err != nil {
			return
		}
		if body+"."+sig != token {
			t.Fatalf("parts do not rebuild the token %q", token)
		}
		again := tenancy.SignSSOLink(secret, l)
		_, body2, _, err := tenancy.ParseSSOLink(again)
		if err != nil || body2 != body {
			t.Fatalf("link %+v does not sign back to %q (got %q, %v)", l, body, body2, err)
		}
	})
}
