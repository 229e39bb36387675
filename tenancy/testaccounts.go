package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/tenantry/tenantry/audit"
)

// TestTimeLeft is how long a test account's trial still runs at now: zero
// once expired, and zero for a regular account (check IsTest).
func (a Account) TestTimeLeft(now time.Time) time.Duration {
	if !a.IsTest() || !now.Before(a.TestExpiresAt) {
		return 0
	}
	return a.TestExpiresAt.Sub(now)
}

// ExtendTest moves a test account's expiry to until (which must be in the
// future), also reopening an expired trial. Staff who may manage the
// account may.
func (s *Service) ExtendTest(ctx context.Context, platformID, accountID string, until time.Time) (Account, error) {
	const op = "tenancy: extend test: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	if !until.After(s.cfg.Now()) {
		return Account{}, fmt.Errorf(op, invalid("until", "must be in the future"))
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	acc, err := s.changeAccount(ctx, platformID, accountID, "account.extend_test", func(acc *Account) error {
		if err := a.mayManageAccount(*acc); err != nil {
			return err
		}
		if !acc.IsTest() {
			return fmt.Errorf("%w: not a test account", ErrConflict)
		}
		acc.TestExpiresAt = until.UTC().Truncate(time.Microsecond)
		return nil
	})
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	return acc, nil
}

// ConvertTest turns a test account into a regular one, keeping all its data.
// It takes Config.TestConversion (one bot slot by default) from the
// platform's pool in the same transaction: ErrQuotaExceeded when there is
// no free slot, and nothing changes. An expired trial converts too.
func (s *Service) ConvertTest(ctx context.Context, platformID, accountID string) (Account, error) {
	const op = "tenancy: convert test: %w"
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	a, err := s.actorFor(ctx, platformID)
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	var out Account
	err = retryStale(func() error {
		acc, err := s.store.GetAccount(ctx, platformID, accountID)
		if err != nil {
			return err
		}
		if err := a.mayManageAccount(acc); err != nil {
			return err
		}
		if !acc.IsTest() {
			return fmt.Errorf("%w: not a test account", ErrConflict)
		}
		ev := s.event(ctx, platformID, "account.convert_test")
		ev.AccountID, ev.TargetType, ev.TargetID = acc.ID, "account", acc.ID
		ev.Changes = []audit.Change{{Field: "test_expires_at", Before: timeText(acc.TestExpiresAt)},
			{Field: s.cfg.TestConversion.Resource, After: fmt.Sprintf("%+d", s.cfg.TestConversion.N)}}
		acc.TestExpiresAt = time.Time{}
		acc.Version++
		acc.UpdatedAt = s.now()
		out, err = s.store.ConvertTestAccount(ctx, ConvertTestAccount{
			Account: acc, Resource: s.cfg.TestConversion.Resource, Units: s.cfg.TestConversion.N, Event: ev})
		return err
	})
	if err != nil {
		return Account{}, fmt.Errorf(op, err)
	}
	return out, nil
}
