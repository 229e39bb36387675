package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/tenancy"
)

// qSetSecret returns a request storing sealed as the account's SSO secret.
func (e *env) qSetSecret(accountID string, sealed []byte) tenancy.SetSSOSecret {
	ev := e.event("account.sso_rotate")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "account", accountID
	return tenancy.SetSSOSecret{
		PlatformID: e.pid, AccountID: accountID, Sealed: sealed,
		Now: at(time.Duration(e.next())*time.Second + 66*time.Microsecond), Event: ev,
	}
}

// qSealed returns 72 bytes (nonce, ciphertext and tag of a sealed 32-byte
// secret) derived from seed, zero and high bytes included.
func qSealed(seed byte) []byte {
	out := make([]byte, 72)
	for i := range out {
		out[i] = byte(i*37) ^ seed
	}
	out[5], out[6] = 0x00, 0xff
	return out
}

// testQSSOSecret: SetSSOSecret stores and replaces an account's sealed
// secret byte for byte; SSOSecret is ErrNotFound while there is none.
func testQSSOSecret(t *testing.T, h Harness) {
	e := setup(t, h)
	acc, _ := e.account()
	other, _ := e.account()

	_, err := e.s.SSOSecret(e.ctx, e.pid, acc.ID)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "no secret yet")

	r := e.qSetSecret(acc.ID, qSealed(1))
	require.NoError(t, e.s.SetSSOSecret(e.ctx, r))
	e.requireEvent(r.Event)
	got, err := e.s.SSOSecret(e.ctx, e.pid, acc.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(1), got)
	_, err = e.s.SSOSecret(e.ctx, e.pid, other.ID)
	require.ErrorIs(t, err, tenancy.ErrNotFound, "another account has none")

	// The caller's slice is copied in, and the returned one out.
	sealed := qSealed(2)
	r = e.qSetSecret(acc.ID, sealed)
	require.NoError(t, e.s.SetSSOSecret(e.ctx, r))
	e.requireEvent(r.Event)
	sealed[0] ^= 0xff
	got, err = e.s.SSOSecret(e.ctx, e.pid, acc.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(2), got, "rotated: the new secret replaces the old")
	got[1] ^= 0xff
	got, err = e.s.SSOSecret(e.ctx, e.pid, acc.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(2), got)

	require.NoError(t, e.s.SetSSOSecret(e.ctx, e.qSetSecret(other.ID, qSealed(3))))
	got, err = e.s.SSOSecret(e.ctx, e.pid, acc.ID)
	require.NoError(t, err)
	require.Equal(t, qSealed(2), got, "each account has its own")

	// A missing account.
	missing := newID()
	r = e.qSetSecret(missing, qSealed(4))
	require.ErrorIs(t, e.s.SetSSOSecret(e.ctx, r), tenancy.ErrNotFound)
	e.requireNoEvent(r.Event.ID)
	_, err = e.s.SSOSecret(e.ctx, e.pid, missing)
	require.ErrorIs(t, err, tenancy.ErrNotFound)
}

// testQSSONonce: a nonce is spent once; the same hash on another platform
// is another nonce.
func testQSSONonce(t *testing.T, h Harness) {
	e := setup(t, h)
	o := e.other()
	n1, n2 := newHash(), newHash()
	exp := at(10 * time.Minute)

	require.NoError(t, e.s.UseSSONonce(e.ctx, e.pid, n1, exp))
	require.ErrorIs(t, e.s.UseSSONonce(e.ctx, e.pid, n1, exp), tenancy.ErrConflict, "a link works once")
	require.ErrorIs(t, e.s.UseSSONonce(e.ctx, e.pid, n1, exp.Add(time.Hour)), tenancy.ErrConflict, "whatever its expiry")
	require.NoError(t, e.s.UseSSONonce(e.ctx, e.pid, n2, exp))
	require.NoError(t, o.s.UseSSONonce(o.ctx, o.pid, n1, exp), "nonces are per platform")
	require.ErrorIs(t, o.s.UseSSONonce(o.ctx, o.pid, n1, exp), tenancy.ErrConflict)
}

// testQRaceSSONonce: 32 calls spend one nonce at once; one succeeds.
func testQRaceSSONonce(t *testing.T, h Harness) {
	e := setup(t, h)
	n := newHash()
	errs := conformance.Race(racers, func(i int) error {
		return e.s.UseSSONonce(e.ctx, e.pid, n, at(10*time.Minute+time.Duration(i)*time.Microsecond))
	})
	conformance.OneWinner(t, errs, tenancy.ErrConflict)
	require.ErrorIs(t, e.s.UseSSONonce(e.ctx, e.pid, n, at(time.Hour)), tenancy.ErrConflict)
}

// testQSSOPurge: PurgeSSONonces deletes at most limit nonces that expired
// before the cutoff (and none at or after it), and says how many. The
// nonces expire decades before the suite's other ones (see q_fixture.go).
func testQSSOPurge(t *testing.T, h Harness) {
	e := setup(t, h)
	o := e.other()
	cutoff := time.Date(1990, time.January, 1, 0, 0, 0, 123456000, time.UTC)
	var old, kept []string
	for i := range 5 {
		n := newHash()
		x := e
		if i%2 == 1 {
			x = o // purging is not per platform
		}
		require.NoError(t, x.s.UseSSONonce(x.ctx, x.pid, n, cutoff.Add(-time.Duration(i+1)*24*time.Hour)))
		old = append(old, n)
	}
	atCutoff, justAfter, later := newHash(), newHash(), newHash()
	require.NoError(t, e.s.UseSSONonce(e.ctx, e.pid, atCutoff, cutoff))
	require.NoError(t, e.s.UseSSONonce(e.ctx, e.pid, justAfter, cutoff.Add(time.Microsecond)))
	require.NoError(t, e.s.UseSSONonce(e.ctx, e.pid, later, at(time.Hour)))
	kept = append(kept, atCutoff, justAfter, later)

	n, err := e.s.PurgeSSONonces(e.ctx, cutoff, 2)
	require.NoError(t, err)
	require.Equal(t, 2, n, "at most limit, and limit when there are more")
	total := n
	for range 10 {
		n, err = e.s.PurgeSSONonces(e.ctx, cutoff, 2)
		require.NoError(t, err)
		require.LessOrEqual(t, n, 2)
		total += n
		if n == 0 {
			break
		}
	}
	require.Zero(t, n, "purged to the end")
	require.Equal(t, len(old), total, "exactly the nonces that expired before the cutoff")

	// The purged ones are forgotten (a new use records them again), the
	// others still spent.
	for i, nonce := range old {
		x := e
		if i%2 == 1 {
			x = o
		}
		require.NoError(t, x.s.UseSSONonce(x.ctx, x.pid, nonce, cutoff.Add(-time.Hour)), "purged nonce %d", i)
	}
	for i, nonce := range kept {
		require.ErrorIs(t, e.s.UseSSONonce(e.ctx, e.pid, nonce, at(time.Hour)), tenancy.ErrConflict, "kept nonce %d", i)
	}

	// Tidy up, with a large limit.
	n, err = e.s.PurgeSSONonces(e.ctx, cutoff, 1000)
	require.NoError(t, err)
	require.Equal(t, len(old), n)
}
