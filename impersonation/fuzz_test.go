package impersonation_test

import (
	"errors"
	"testing"

	"github.com/tenantry/tenantry/impersonation"
)

// FuzzResolveToken feeds arbitrary tokens (from cookies and headers, so
// from anyone) to Resolve: it never panics, never finds a session but the
// one whose token it is, and refuses the rest as not found.
func FuzzResolveToken(f *testing.F) {
	fx := newFixture(&testing.T{}, nil)
	st, err := fx.svc.Start(as("admin"), client)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{"", st.Token, st.Session.TokenHash, st.Token + "=", st.Token[:42] + "\x00",
		"' OR 1=1 --", "%00", "\r\nSet-Cookie: x=y", string(make([]byte, 4096))} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, token string) {
		sess, err := fx.svc.Resolve(t.Context(), pid, token)
		if token == st.Token {
			if err != nil || sess.ID != st.Session.ID {
				t.Fatalf("the real token did not resolve: %v", err)
			}
			return
		}
		if !errors.Is(err, impersonation.ErrNotFound) {
			t.Fatalf("token %q: err = %v, want ErrNotFound", token, err)
		}
	})
}
