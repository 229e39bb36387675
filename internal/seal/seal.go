// Package seal encrypts secrets kept at rest (accounts' SSO secrets, OAuth
// client secrets) with a key the host gives: XChaCha20-Poly1305 from
// golang.org/x/crypto, a fresh random nonce per seal, and associated data
// that binds each sealed value to the record it belongs to, so a sealed
// value copied to another record does not open.
package seal

import (
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the key length in bytes.
const KeySize = chacha20poly1305.KeySize

var (
	// ErrNoKey reports a missing or wrongly sized key.
	ErrNoKey = fmt.Errorf("seal: the key must be %d bytes", KeySize)
	// ErrOpen reports a sealed value that does not open with this key and
	// associated data (tampered, moved, or sealed under another key).
	ErrOpen = errors.New("seal: cannot open sealed value")
)

// Seal encrypts plaintext under key, bound to ad.
func Seal(key, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, ErrNoKey
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, ad), nil
}

// Open decrypts a value made by Seal with the same key and ad.
func Open(key, sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, ErrNoKey
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	nonce, box := sealed[:aead.NonceSize()], sealed[aead.NonceSize():]
	out, err := aead.Open(nil, nonce, box, ad)
	if err != nil {
		return nil, ErrOpen
	}
	return out, nil
}
