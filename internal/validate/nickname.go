package validate

import (
	"errors"
	"fmt"
)

// Nickname limits.
const (
	MinNicknameLength = 3
	MaxNicknameLength = 63
)

// reservedNicknames are slugs that would shadow the host's own routes.
var reservedNicknames = map[string]bool{
	"admin": true, "api": true, "app": true, "assets": true, "auth": true, "login": true,
	"logout": true, "oauth": true, "owner": true, "portal": true, "settings": true,
	"signup": true, "static": true, "support": true, "www": true, "help": true,
	"invite": true, "invitations": true, "new": true, "null": true, "undefined": true,
}

// Nickname checks a nickname: a URL-safe slug of 3 to 63 characters, made of
// lowercase ASCII letters, digits and single hyphens, starting with a letter
// or digit and not ending with a hyphen, and not a reserved word such as
// "admin" or "api". Nicknames are not rewritten: what is stored is what the
// caller sent, so an invalid one is refused rather than silently changed.
func Nickname(s string) error {
	if len(s) < MinNicknameLength || len(s) > MaxNicknameLength {
		return fmt.Errorf("must be %d to %d characters", MinNicknameLength, MaxNicknameLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(s)-1 || s[i-1] == '-' {
				return errors.New("hyphens go between letters or digits, one at a time")
			}
		case c >= 'A' && c <= 'Z':
			return errors.New("must be lowercase")
		default:
			return errors.New("may hold only a-z, 0-9 and hyphens")
		}
	}
	if reservedNicknames[s] {
		return fmt.Errorf("%q is reserved", s)
	}
	return nil
}
