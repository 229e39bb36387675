package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertPlatform adds p and ev in one transaction; an existing ID is
// tenancy.ErrConflict.
func (s *Store) InsertPlatform(ctx context.Context, p tenancy.Platform, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(platformsTable).Columns(platformColumns...).
			Values(p.ID, p.Name, s.tm(p.CreatedAt), s.tm(p.UpdatedAt))
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert platform", err)
}

// GetPlatform returns the platform with id, or tenancy.ErrNotFound.
func (s *Store) GetPlatform(ctx context.Context, id string) (tenancy.Platform, error) {
	var r platformRow
	q := s.base.Builder().Select(platformColumns...).From(platformsTable).Where(sq.Eq{"id": id})
	if err := sqlkit.Get(ctx, s.base.DB, &r, q); err != nil {
		return tenancy.Platform{}, fail("get platform", err)
	}
	return r.platform(), nil
}

// UpdatePlatform writes p's name and UpdatedAt together with ev;
// tenancy.ErrNotFound if the platform is missing.
func (s *Store) UpdatePlatform(ctx context.Context, p tenancy.Platform, ev audit.Event) error {
	const op = "update platform"
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Update(platformsTable).
			Set("name", p.Name).Set("updated_at", s.tm(p.UpdatedAt)).
			Where(sq.Eq{"id": p.ID})
		n, err := sqlkit.ExecN(ctx, tx, up)
		if err != nil {
			return err
		}
		if n == 0 {
			return sqlkit.Errorf(tenancy.ErrNotFound, "platform %q", p.ID)
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail(op, err)
}
