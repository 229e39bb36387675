package seal

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := Seal(key, []byte("the secret"), []byte("p1/a1"))
	require.NoError(t, err)
	assert.NotContains(t, string(s), "the secret")
	out, err := Open(key, s, []byte("p1/a1"))
	require.NoError(t, err)
	assert.Equal(t, "the secret", string(out))

	s2, _ := Seal(key, []byte("the secret"), []byte("p1/a1"))
	assert.NotEqual(t, s, s2, "fresh nonce per seal")

	_, err = Open(key, s, []byte("p1/a2"))
	assert.ErrorIs(t, err, ErrOpen, "bound to its record")
	_, err = Open(bytes.Repeat([]byte{8}, KeySize), s, []byte("p1/a1"))
	assert.ErrorIs(t, err, ErrOpen)
	tampered := bytes.Clone(s)
	tampered[len(tampered)-1] ^= 1
	_, err = Open(key, tampered, []byte("p1/a1"))
	assert.ErrorIs(t, err, ErrOpen)
	_, err = Open(key, s[:10], []byte("p1/a1"))
	assert.ErrorIs(t, err, ErrOpen)
	_, err = Seal([]byte("short"), []byte("x"), nil)
	assert.ErrorIs(t, err, ErrNoKey)
}
