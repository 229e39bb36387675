package tenancy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashPasswordDefaults(t *testing.T) {
	h := hashPassword("correct horse battery staple", DefaultArgon2)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"), h)
	ok, stale := verifyPassword("correct horse battery staple", h, DefaultArgon2)
	assert.True(t, ok)
	assert.False(t, stale)
	ok, _ = verifyPassword("correct horse battery stapLe", h, DefaultArgon2)
	assert.False(t, ok)
	assert.NotEqual(t, h, hashPassword("correct horse battery staple", DefaultArgon2), "salted")
}

func TestVerifyPasswordStaleParams(t *testing.T) {
	old := Argon2Params{MemoryKiB: 64, Iterations: 1, Parallelism: 1}
	h := hashPassword("a long enough password", old)
	ok, stale := verifyPassword("a long enough password", h, DefaultArgon2)
	assert.True(t, ok, "old hashes stay valid")
	assert.True(t, stale, "and are flagged for re-hashing")
}

func TestDecodeHashRejectsGarbage(t *testing.T) {
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		_, _, _, err := decodeHash(bad)
		assert.ErrorIs(t, err, errBadHash, bad)
		ok, _ := verifyPassword("x", bad, DefaultArgon2)
		assert.False(t, ok)
	}
}

func TestPasswordPolicy(t *testing.T) {
	s := New(nil, &Config{MinPasswordLength: 10, MaxPasswordLength: 20, BreachedPassword: func(_ context.Context, pw string) (bool, error) {
		if pw == "fail the check" {
			return false, errors.New("service down")
		}
		return pw == "password123456", nil
	}})
	ctx := context.Background()
	require.NoError(t, s.checkPassword(ctx, "password", "ten chars!"))
	require.NoError(t, s.checkPassword(ctx, "password", "ééééééééééé"), "characters, not bytes")
	var ie *InvalidError
	err := s.checkPassword(ctx, "password", "nine char")
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "password", ie.Field)
	require.ErrorIs(t, s.checkPassword(ctx, "password", strings.Repeat("x", 21)), ErrInvalid)
	require.ErrorIs(t, s.checkPassword(ctx, "password", "password123456"), ErrInvalid)
	require.ErrorIs(t, s.checkPassword(ctx, "password", "\xff\xfe invalid utf8"), ErrInvalid)
	err = s.checkPassword(ctx, "password", "fail the check")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrInvalid)

	d := New(nil, nil)
	require.ErrorIs(t, d.checkPassword(ctx, "password", "seven77"), ErrInvalid)
	require.NoError(t, d.checkPassword(ctx, "password", "eight888"))
	require.NoError(t, d.checkPassword(ctx, "password", strings.Repeat("a long passphrase ", 25)))
}

func TestRoles(t *testing.T) {
	for _, r := range []Role{RoleOwner, RoleAdmin, RoleOperator, RoleSecureOperator} {
		assert.True(t, r.Valid())
		assert.True(t, r.IsStaff())
	}
	assert.True(t, RoleNone.Valid())
	assert.False(t, RoleNone.IsStaff())
	assert.False(t, Role("root").Valid())
	assert.Equal(t, "regular", RoleNone.String())
}
