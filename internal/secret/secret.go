// Package secret makes and checks the single-use link secrets of tenantry
// (password links, invitations, impersonation sessions): 256 random bits
// from crypto/rand, handed out once as unpadded base64url text, and stored
// only as the hex SHA-256 of those bits.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
)

// Size is the number of random bytes in a secret (256 bits).
const Size = 32

// TextLength is the length of a secret's text form.
var TextLength = base64.RawURLEncoding.EncodedLen(Size)

// ErrMalformed reports text that cannot be a secret made by New.
var ErrMalformed = errors.New("secret: malformed token")

// New returns a fresh secret's text, to hand out once, and its hash, to
// store.
func New() (token, hash string) {
	var b [Size]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+).
	return base64.RawURLEncoding.EncodeToString(b[:]), hashBytes(b[:])
}

// Hash returns the stored form of a secret's text, or ErrMalformed when the
// text is not exactly what New hands out.
func Hash(token string) (string, error) {
	if len(token) != TextLength {
		return "", ErrMalformed
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != Size {
		return "", ErrMalformed
	}
	return hashBytes(b), nil
}

func hashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
