package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// record names a versioned row for updateVersioned: its table, its key
// and what to call it in errors.
type record struct {
	table string
	key   sq.Eq
	what  string
}

// updateVersioned sets set on r's row in tx, version included, if its
// stored version is version-1. When no row changes, the row read by key
// says why: branding.ErrNotFound when it is missing, branding.ErrStale
// when its version moved.
func (s *Store) updateVersioned(ctx context.Context, tx *sqlx.Tx, r record, set map[string]any, version int64) error {
	where := sq.Eq{"version": version - 1}
	for k, v := range r.key {
		where[k] = v
	}
	n, err := sqlkit.ExecN(ctx, tx, s.base.Builder().Update(r.table).SetMap(set).Where(where))
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var stored int64
	err = sqlkit.Get(ctx, tx, &stored, s.base.Builder().Select("version").From(r.table).Where(r.key))
	if errors.Is(err, sql.ErrNoRows) {
		return sqlkit.Errorf(branding.ErrNotFound, "%s", r.what)
	}
	if err != nil {
		return err
	}
	return sqlkit.Errorf(branding.ErrStale, "%s is at version %d, not %d", r.what, stored, version-1)
}

// deleteRow deletes r's row in tx; branding.ErrNotFound when it is
// missing.
func (s *Store) deleteRow(ctx context.Context, tx *sqlx.Tx, r record) error {
	n, err := sqlkit.ExecN(ctx, tx, s.base.Builder().Delete(r.table).Where(r.key))
	if err != nil {
		return err
	}
	if n == 0 {
		return sqlkit.Errorf(branding.ErrNotFound, "%s", r.what)
	}
	return nil
}
