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

// GetLoginSettings returns the platform's login settings, or
// branding.ErrNotFound when they were never written.
func (s *Store) GetLoginSettings(ctx context.Context, platformID string) (branding.LoginSettings, error) {
	var r loginRow
	sel := s.base.Builder().Select(loginColumns...).From(loginTable).Where(sq.Eq{"platform_id": platformID})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return branding.LoginSettings{}, fail("get login settings", err)
	}
	return r.settings(), nil
}

// PutLoginSettings writes st with ev: an INSERT when st.Version is 1
// (branding.ErrConflict when they exist, decided by the primary key),
// otherwise an UPDATE if the stored version is st.Version-1
// (branding.ErrNotFound when missing, ErrStale when the version moved).
func (s *Store) PutLoginSettings(ctx context.Context, st branding.LoginSettings, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if st.Version == 1 {
			ins := s.base.Builder().Insert(loginTable).Columns(loginColumns...).
				Values(st.PlatformID, st.Password, st.SelfRegistration, st.Version, s.tm(st.UpdatedAt))
			if err := sqlkit.Exec(ctx, tx, ins); err != nil {
				return err
			}
		} else {
			r := record{table: loginTable, key: sq.Eq{"platform_id": st.PlatformID}, what: "login settings"}
			set := map[string]any{
				"password": st.Password, "self_registration": st.SelfRegistration,
				"version": st.Version, "updated_at": s.tm(st.UpdatedAt),
			}
			if err := s.updateVersioned(ctx, tx, r, set, st.Version); err != nil {
				return err
			}
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("put login settings", err)
}

// providerRecord names a provider of a platform.
func providerRecord(platformID, id string) record {
	return record{
		table: providersTable,
		key:   sq.Eq{"platform_id": platformID, "id": id},
		what:  fmt.Sprintf("provider %q", id),
	}
}

// InsertProvider adds p with ev; its ID, or its name in any case (the
// unique name_key, see nameKey), already used on the platform is
// branding.ErrConflict. Only p.SealedSecret is stored, never
// p.ClientSecret.
func (s *Store) InsertProvider(ctx context.Context, p branding.StoredProvider, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(providersTable).Columns(providerColumns...).Values(s.providerValues(p)...)
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert provider", err)
}

// GetProvider returns the provider, its ClientSecret empty, or
// branding.ErrNotFound.
func (s *Store) GetProvider(ctx context.Context, platformID, id string) (branding.StoredProvider, error) {
	var r providerRow
	sel := s.base.Builder().Select(providerColumns...).From(providersTable).
		Where(sq.Eq{"platform_id": platformID, "id": id})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return branding.StoredProvider{}, fail("get provider", err)
	}
	return r.provider(), nil
}

// UpdateProvider writes every field of p but its ID, CreatedAt and
// ClientSecret, with ev, if the stored version is p.Version-1
// (branding.ErrNotFound when missing, ErrStale when its version moved); a
// name another provider of the platform holds, in any case, is
// branding.ErrConflict.
func (s *Store) UpdateProvider(ctx context.Context, p branding.StoredProvider, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.updateVersioned(ctx, tx, providerRecord(p.PlatformID, p.ID), s.providerSet(p), p.Version); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("update provider", err)
}

// DeleteProvider removes the provider with ev; branding.ErrNotFound when
// it is missing.
func (s *Store) DeleteProvider(ctx context.Context, platformID, id string, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.deleteRow(ctx, tx, providerRecord(platformID, id)); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("delete provider", err)
}

// Providers lists the platform's providers by name case-insensitively
// (name_key, in byte order), then by name and ID; nil when none.
func (s *Store) Providers(ctx context.Context, platformID string) ([]branding.StoredProvider, error) {
	var rows []providerRow
	sel := s.base.Builder().Select(providerColumns...).From(providersTable).
		Where(sq.Eq{"platform_id": platformID}).OrderBy("name_key", "name", "id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("providers", err)
	}
	return sqlkit.Convert(rows, providerRow.provider), nil
}
