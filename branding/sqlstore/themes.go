package sqlstore

import (
	"context"
	"fmt"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// themeRecord names the theme of an account ("" for the platform's).
func themeRecord(platformID, accountID string) record {
	return record{
		table: themesTable,
		key:   sq.Eq{"platform_id": platformID, "account_id": accountID},
		what:  whose("theme", accountID),
	}
}

// whose names what of an account, or of the platform for accountID "".
func whose(what, accountID string) string {
	if accountID == "" {
		return "platform " + what
	}
	return fmt.Sprintf("%s of account %q", what, accountID)
}

// GetTheme returns the platform's theme (accountID "") or an account's
// override, or branding.ErrNotFound.
func (s *Store) GetTheme(ctx context.Context, platformID, accountID string) (branding.Theme, error) {
	var r themeRow
	sel := s.base.Builder().Select(themeColumns...).From(themesTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return branding.Theme{}, fail("get theme", err)
	}
	return r.theme(), nil
}

// PutTheme writes t with ev: an INSERT when t.Version is 1
// (branding.ErrConflict when the theme exists, decided by the primary
// key), otherwise an UPDATE of every field if the stored version is
// t.Version-1 (branding.ErrNotFound when missing, ErrStale when its
// version moved).
func (s *Store) PutTheme(ctx context.Context, t branding.Theme, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		set := s.themeSet(t)
		if t.Version == 1 {
			set["platform_id"], set["account_id"] = t.PlatformID, t.AccountID
			if err := sqlkit.Exec(ctx, tx, s.base.Builder().Insert(themesTable).SetMap(set)); err != nil {
				return err
			}
		} else if err := s.updateVersioned(ctx, tx, themeRecord(t.PlatformID, t.AccountID), set, t.Version); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("put theme", err)
}

// DeleteTheme removes the theme with ev; branding.ErrNotFound when it is
// missing.
func (s *Store) DeleteTheme(ctx context.Context, platformID, accountID string, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.deleteRow(ctx, tx, themeRecord(platformID, accountID)); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("delete theme", err)
}

// GetLogo returns the logo of an account ("" for the platform's), or
// branding.ErrNotFound.
func (s *Store) GetLogo(ctx context.Context, platformID, accountID string) (branding.Logo, error) {
	var r logoRow
	sel := s.base.Builder().Select(logoColumns...).From(logosTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return branding.Logo{}, fail("get logo", err)
	}
	return r.logo(), nil
}

// PutLogo inserts or replaces the logo with ev, in one INSERT ... ON
// CONFLICT DO UPDATE, so that racing puts never conflict: the last one
// wins.
func (s *Store) PutLogo(ctx context.Context, l branding.Logo, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(logosTable).Columns(logoColumns...).
			Values(l.PlatformID, l.AccountID, l.ContentType, notNil(l.Data), l.SHA256, s.tm(l.UpdatedAt)).
			Suffix(`ON CONFLICT (platform_id, account_id) DO UPDATE SET content_type = excluded.content_type,
				data = excluded.data, sha256 = excluded.sha256, updated_at = excluded.updated_at`)
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("put logo", err)
}

// DeleteLogo removes the logo with ev; branding.ErrNotFound when it is
// missing.
func (s *Store) DeleteLogo(ctx context.Context, platformID, accountID string, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		r := record{table: logosTable, key: sq.Eq{"platform_id": platformID, "account_id": accountID},
			what: whose("logo", accountID)}
		if err := s.deleteRow(ctx, tx, r); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("delete logo", err)
}
