package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertUser adds u together with ev. An existing ID, or an email held by a
// user of the platform that is not deleted, is tenancy.ErrConflict (the
// partial unique index decides, also between racing inserts); a missing
// platform is tenancy.ErrNotFound.
func (s *Store) InsertUser(ctx context.Context, u tenancy.User, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.insertUser(ctx, tx, u); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert user", err)
}

// GetUser returns the user, deleted ones included, or tenancy.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, platformID, userID string) (tenancy.User, error) {
	var r userRow
	q := s.base.Builder().Select(userColumns...).From(usersTable).
		Where(sq.Eq{"platform_id": platformID, "id": userID})
	if err := sqlkit.Get(ctx, s.base.DB, &r, q); err != nil {
		return tenancy.User{}, fail("get user", err)
	}
	return r.user(), nil
}

// GetUserByEmail returns the user that is not deleted with this canonical
// email or, when there is none, the most recently updated deleted one (the
// greater ID on a tie); tenancy.ErrNotFound when neither exists.
func (s *Store) GetUserByEmail(ctx context.Context, platformID, email string) (tenancy.User, error) {
	var r userRow
	q := s.base.Builder().Select(userColumns...).From(usersTable).
		Where(sq.Eq{"platform_id": platformID, "email": email}).
		OrderBy("CASE WHEN status = 'deleted' THEN 1 ELSE 0 END", "updated_at DESC", "id DESC").
		Limit(1)
	if err := sqlkit.Get(ctx, s.base.DB, &r, q); err != nil {
		return tenancy.User{}, fail("get user by email", err)
	}
	return r.user(), nil
}

// UpdateUser writes u's email, name, role, status, password hash, UpdatedAt
// and Version, together with ev, if the stored version is still
// u.Version-1. tenancy.ErrNotFound when the user is missing,
// tenancy.ErrStale when its version moved, tenancy.ErrConflict when the
// email is held by another user that is not deleted.
func (s *Store) UpdateUser(ctx context.Context, u tenancy.User, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Update(usersTable).SetMap(map[string]any{
			"email": u.Email, "name": u.Name, "name_key": foldKey(u.Name), "role": string(u.Role),
			"status": string(u.Status), "password_hash": u.PasswordHash,
			"updated_at": s.tm(u.UpdatedAt), "version": u.Version,
		}).Where(sq.Eq{"platform_id": u.PlatformID, "id": u.ID, "version": u.Version - 1})
		if err := s.guarded(ctx, tx, up, usersTable, u.PlatformID, u.ID); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("update user", err)
}

// guarded runs a version-guarded update of one row of table. When it
// changes nothing, the row is looked up to tell tenancy.ErrNotFound (gone)
// from tenancy.ErrStale (its version moved).
func (s *Store) guarded(ctx context.Context, tx *sqlx.Tx, up sq.UpdateBuilder, table, platformID, id string) error {
	n, err := sqlkit.ExecN(ctx, tx, up)
	if err != nil || n > 0 {
		return err
	}
	var version int64
	q := s.base.Builder().Select("version").From(table).Where(sq.Eq{"platform_id": platformID, "id": id})
	err = sqlkit.Get(ctx, tx, &version, q)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlkit.Errorf(tenancy.ErrNotFound, "%s %q", nouns[table], id)
	}
	if err != nil {
		return err
	}
	return sqlkit.Errorf(tenancy.ErrStale, "%s %q is at version %d", nouns[table], id, version)
}
