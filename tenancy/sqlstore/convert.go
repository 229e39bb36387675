package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/tenancy"
)

// ConvertTestAccount writes r.Account under its version guard (as
// UpdateAccount does) and, in the same transaction, adds r.Units to its
// allocation of r.Resource, drawn from the pool (nothing when r.Units is
// zero), with r.Event. It returns the account as stored.
// tenancy.ErrQuotaExceeded when the pool lacks room, tenancy.ErrStale when
// the account's version moved, tenancy.ErrNotFound when it is gone.
func (s *Store) ConvertTestAccount(ctx context.Context, r tenancy.ConvertTestAccount) (tenancy.Account, error) {
	a := r.Account
	var out tenancy.Account
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.updateAccount(ctx, tx, a); err != nil {
			return err
		}
		if r.Units != 0 {
			adj := tenancy.AdjustAllocation{PlatformID: a.PlatformID, AccountID: a.ID,
				Resource: r.Resource, Delta: r.Units, Now: firstTime(a.UpdatedAt, r.Event.At)}
			if _, err := s.adjust(ctx, tx, adj); err != nil {
				return err
			}
		}
		var err error
		if out, err = s.getAccount(ctx, tx, sq.Eq{"platform_id": a.PlatformID, "id": a.ID}); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	if err != nil {
		return tenancy.Account{}, fail("convert test account", err)
	}
	return out, nil
}
