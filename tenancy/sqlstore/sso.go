package sqlstore

import (
	"context"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// SetSSOSecret stores the account's sealed SSO secret with r.Event,
// replacing the previous one (an UPSERT). tenancy.ErrNotFound when the
// account is missing.
func (s *Store) SetSSOSecret(ctx context.Context, r tenancy.SetSSOSecret) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Insert(secretsTable).Columns("platform_id", "account_id", "sealed", "updated_at").
			Values(r.PlatformID, r.AccountID, orBytes(r.Sealed), s.tm(r.Now)).
			Suffix("ON CONFLICT (platform_id, account_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at")
		if err := sqlkit.Exec(ctx, tx, up); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	return fail("set sso secret", err)
}

// orBytes stores a nil secret as an empty one (the column is NOT NULL).
func orBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// SSOSecret returns the account's sealed SSO secret, or tenancy.ErrNotFound
// when it has none.
func (s *Store) SSOSecret(ctx context.Context, platformID, accountID string) ([]byte, error) {
	var sealed []byte
	sel := s.base.Builder().Select("sealed").From(secretsTable).Where(sq.Eq{"platform_id": platformID, "account_id": accountID})
	if err := sqlkit.Get(ctx, s.base.DB, &sealed, sel); err != nil {
		return nil, fail("sso secret", err)
	}
	return sealed, nil
}

// UseSSONonce records the nonce hash as spent until expiresAt with one
// INSERT; the primary key makes a second use tenancy.ErrConflict, however
// many calls race.
func (s *Store) UseSSONonce(ctx context.Context, platformID, nonceHash string, expiresAt time.Time) error {
	ins := s.base.Builder().Insert(noncesTable).Columns("platform_id", "nonce_hash", "expires_at").
		Values(platformID, nonceHash, s.tm(expiresAt))
	q, args, err := ins.ToSql()
	if err == nil {
		_, err = s.base.DB.ExecContext(ctx, q, args...)
	}
	return fail("use sso nonce", err)
}

// PurgeSSONonces deletes at most limit spent nonces of any platform that
// expired before cutoff, oldest first, in one bounded statement, and
// returns how many.
func (s *Store) PurgeSSONonces(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	oldest := s.base.Builder().Select("platform_id", "nonce_hash").From(noncesTable).
		Where(sq.Lt{"expires_at": s.tm(cutoff)}).OrderBy("expires_at").Limit(uint64(max(limit, 0)))
	del := s.base.Builder().Delete(noncesTable).Where(oldest.Prefix("(platform_id, nonce_hash) IN (").Suffix(")"))
	q, args, err := del.ToSql()
	if err != nil {
		return 0, fail("purge sso nonces", err)
	}
	res, err := s.base.DB.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fail("purge sso nonces", err)
	}
	n, err := res.RowsAffected()
	return int(n), fail("purge sso nonces", err)
}
