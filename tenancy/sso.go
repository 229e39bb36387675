package tenancy

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry/internal/seal"
	"github.com/tenantry/tenantry/internal/validate"
)

// SSO login links let a reseller's own system send its users straight into
// an account. The reseller signs a link with the account's SSO secret; the
// host calls VerifySSOLink with it and, on success, starts a session for the
// user it returns. A link names the account (by UID) and optionally the
// user (by email; the primary admin otherwise), expires within minutes, and
// works once.
//
// The token format, for resellers who sign in another language:
//
//	v1.<uid>.<email, base64url>.<expiry, Unix seconds>.<nonce>.<signature>
//
// where signature is the unpadded base64url HMAC-SHA256, keyed with the
// secret, of everything before the last dot, and nonce is 16 to 64
// characters of [A-Za-z0-9_-], unique per link.

// SSOLink is what a signed login link says.
type SSOLink struct {
	// AccountUID is the account's API UID.
	AccountUID string
	// Email names the user to log in; empty means the primary admin.
	Email string
	// Expires is when the link stops working (at most
	// Config.SSOLinkMaxAge ahead of the verifier's clock).
	Expires time.Time
	// Nonce makes every link unique; SignSSOLink makes one when empty.
	Nonce string
}

const ssoVersion = "v1"

// SignSSOLink returns the signed token of l under secret, as the reseller's
// system makes it.
func SignSSOLink(secret []byte, l SSOLink) string {
	if l.Nonce == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		l.Nonce = base64.RawURLEncoding.EncodeToString(b[:])
	}
	body := strings.Join([]string{ssoVersion, l.AccountUID, base64.RawURLEncoding.EncodeToString([]byte(l.Email)),
		strconv.FormatInt(l.Expires.Unix(), 10), l.Nonce}, ".")
	return body + "." + ssoSignature(secret, body)
}

func ssoSignature(secret []byte, body string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errSSOToken = errors.New("malformed SSO link")

// ParseSSOLink splits a token into its link and the signed body and
// signature, checking only its form.
func ParseSSOLink(token string) (l SSOLink, body, sig string, err error) {
	if len(token) > 1024 {
		return SSOLink{}, "", "", errSSOToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 6 || parts[0] != ssoVersion {
		return SSOLink{}, "", "", errSSOToken
	}
	email, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil {
		return SSOLink{}, "", "", errSSOToken
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || exp <= 0 || parts[3] != strconv.FormatInt(exp, 10) {
		return SSOLink{}, "", "", errSSOToken
	}
	if !urlSafe(parts[1], 1, 64) || !urlSafe(parts[4], 16, 64) || !urlSafe(parts[5], 43, 43) {
		return SSOLink{}, "", "", errSSOToken
	}
	l = SSOLink{AccountUID: parts[1], Email: string(email), Expires: time.Unix(exp, 0).UTC(), Nonce: parts[4]}
	return l, strings.Join(parts[:5], "."), parts[5], nil
}

func urlSafe(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// RotateSSOSecret gives an account a new SSO secret (32 random bytes) and
// returns it; links signed with the old one stop working. Staff who may
// manage the account may. Needs Config.SecretKey, which encrypts the secret
// at rest.
func (s *Service) RotateSSOSecret(ctx context.Context, platformID, accountID string) ([]byte, error) {
	const op = "tenancy: rotate sso secret: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	if _, err := s.manageableAccount(ctx, platformID, accountID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sealed, err := seal.Seal(s.cfg.SecretKey, secret, ssoAD(platformID, accountID))
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	ev := s.event(ctx, platformID, "account.rotate_sso_secret")
	ev.AccountID, ev.TargetType, ev.TargetID = accountID, "account", accountID
	if err := s.store.SetSSOSecret(ctx, SetSSOSecret{PlatformID: platformID, AccountID: accountID, Sealed: sealed, Now: s.now(), Event: ev}); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return secret, nil
}

// SSOSecret reveals an account's SSO secret to staff who may manage the
// account (the reseller console shows it), or ErrNotFound when it has none.
func (s *Service) SSOSecret(ctx context.Context, platformID, accountID string) ([]byte, error) {
	const op = "tenancy: sso secret: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	if _, err := s.manageableAccount(ctx, platformID, accountID); err != nil {
		return nil, fmt.Errorf(op, err)
	}
	secret, err := s.ssoSecret(ctx, platformID, accountID)
	if err != nil {
		return nil, fmt.Errorf(op, err)
	}
	return secret, nil
}

func (s *Service) ssoSecret(ctx context.Context, platformID, accountID string) ([]byte, error) {
	sealed, err := s.store.SSOSecret(ctx, platformID, accountID)
	if err != nil {
		return nil, err
	}
	return seal.Open(s.cfg.SecretKey, sealed, ssoAD(platformID, accountID))
}

func ssoAD(platformID, accountID string) []byte {
	return []byte("tenantry/sso/" + platformID + "/" + accountID)
}

// VerifySSOLink checks a signed login link and returns who may log in:
// the user and the account. A malformed link, an unknown account, a wrong
// signature, or a user who is not a member are all ErrInvalidCredentials
// (nothing tells which); a link past its expiry, or expiring further ahead
// than Config.SSOLinkMaxAge, is ErrExpired; a link used before is
// ErrConflict. Then the account must be usable (ErrAccountLocked,
// ErrAccountDisabled, ErrTestExpired) and the user active (ErrUserDisabled).
// It needs no principal.
func (s *Service) VerifySSOLink(ctx context.Context, platformID, token string) (Login, error) {
	const op = "tenancy: verify sso link: %w"
	if err := checkIDs("platform_id", platformID); err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	l, body, sig, err := ParseSSOLink(token)
	if err != nil {
		return Login{}, fmt.Errorf(op, fmt.Errorf("%w: %w", ErrInvalidCredentials, err))
	}
	if validate.ID(l.AccountUID) != nil {
		return Login{}, fmt.Errorf(op, fmt.Errorf("%w: malformed account UID", ErrInvalidCredentials))
	}
	acc, err := s.store.GetAccountByUID(ctx, platformID, l.AccountUID)
	if err != nil {
		return Login{}, fmt.Errorf(op, ssoRefusal(err))
	}
	secret, err := s.ssoSecret(ctx, platformID, acc.ID)
	if err != nil {
		return Login{}, fmt.Errorf(op, ssoRefusal(err))
	}
	if !hmac.Equal([]byte(sig), []byte(ssoSignature(secret, body))) {
		return Login{}, fmt.Errorf(op, fmt.Errorf("%w: bad signature", ErrInvalidCredentials))
	}
	now := s.cfg.Now()
	if !now.Before(l.Expires) || l.Expires.After(now.Add(s.cfg.SSOLinkMaxAge)) {
		return Login{}, fmt.Errorf(op, fmt.Errorf("%w: link expired or expiring too far ahead", ErrExpired))
	}
	nonce := sha256.Sum256([]byte(l.Nonce))
	if err := s.store.UseSSONonce(ctx, platformID, hex.EncodeToString(nonce[:]), l.Expires); err != nil {
		return Login{}, fmt.Errorf(op, fmt.Errorf("link already used: %w", err))
	}
	u, err := s.ssoUser(ctx, acc, l.Email)
	if err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	if err := acc.Usable(now); err != nil {
		return Login{}, fmt.Errorf(op, err)
	}
	return Login{User: u, Accounts: []Account{acc}}, nil
}

// ssoRefusal hides why a link's account or secret was not found.
func ssoRefusal(err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, seal.ErrOpen) || errors.Is(err, seal.ErrNoKey) {
		return fmt.Errorf("%w: unknown account or no secret", ErrInvalidCredentials)
	}
	return err
}

// ssoUser finds the member a link logs in: by email, or the primary admin.
func (s *Service) ssoUser(ctx context.Context, acc Account, email string) (User, error) {
	var u User
	var err error
	if email == "" {
		u, err = s.store.GetUser(ctx, acc.PlatformID, acc.PrimaryUserID)
	} else if e, nerr := NormalizeEmail(email); nerr != nil {
		err = ErrNotFound
	} else {
		u, err = s.store.GetUserByEmail(ctx, acc.PlatformID, e)
	}
	if err != nil {
		return User{}, ssoRefusal(err)
	}
	if _, err := s.member(ctx, acc.PlatformID, acc.ID, u.ID); err != nil {
		return User{}, ssoRefusal(err)
	}
	if u.Status != UserActive {
		return User{}, ErrUserDisabled
	}
	return u, nil
}
