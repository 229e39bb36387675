package tenancy

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. Hashes carry the
// parameters they were made with, so raising them later keeps old hashes
// valid; a login with an older hash re-hashes the password.
type Argon2Params struct {
	// MemoryKiB is the memory cost in KiB.
	MemoryKiB uint32
	// Iterations is the time cost (passes over memory).
	Iterations uint32
	// Parallelism is the number of lanes.
	Parallelism uint8
}

// DefaultArgon2 are OWASP's recommended argon2id parameters: 19 MiB, 2
// passes, 1 lane.
var DefaultArgon2 = Argon2Params{MemoryKiB: 19 * 1024, Iterations: 2, Parallelism: 1}

const (
	argonSaltLen = 16
	argonKeyLen  = 32
)

// hashPassword encodes an argon2id hash in the PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func hashPassword(password string, p Argon2Params) string {
	salt := make([]byte, argonSaltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Iterations, p.Parallelism, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadHash = errors.New("tenancy: unrecognised password hash")

// decodeHash parses a PHC argon2id string.
func decodeHash(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Iterations, &p.Parallelism); err != nil {
		return p, nil, nil, errBadHash
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > 4<<20 || p.Iterations == 0 || p.Iterations > 64 || p.Parallelism == 0 {
		return p, nil, nil, errBadHash
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil {
		return p, nil, nil, errBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

// verifyPassword reports whether password matches the encoded hash, in time
// independent of where they differ, and whether the hash was made with
// parameters other than want (so it should be re-hashed).
func verifyPassword(password, encoded string, want Argon2Params) (ok, stale bool) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, false
	}
	got := argon2.IDKey([]byte(password), salt, p.Iterations, p.MemoryKiB, p.Parallelism, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	return ok, p != want
}

// checkPassword applies the password policy: length in characters between
// the configured bounds, valid UTF-8, and not found by the breached-password
// check.
func (s *Service) checkPassword(ctx context.Context, field, password string) error {
	if !utf8.ValidString(password) {
		return invalid(field, "must be valid UTF-8 text")
	}
	n := utf8.RuneCountInString(password)
	if n < s.cfg.MinPasswordLength {
		return invalid(field, fmt.Sprintf("must be at least %d characters", s.cfg.MinPasswordLength))
	}
	if n > s.cfg.MaxPasswordLength {
		return invalid(field, fmt.Sprintf("must be at most %d characters", s.cfg.MaxPasswordLength))
	}
	if s.cfg.BreachedPassword != nil {
		breached, err := s.cfg.BreachedPassword(ctx, password)
		if err != nil {
			return fmt.Errorf("breached-password check: %w", err)
		}
		if breached {
			return invalid(field, "appears in a list of breached passwords; choose another")
		}
	}
	return nil
}
