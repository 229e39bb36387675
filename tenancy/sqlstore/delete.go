package sqlstore

import (
	"context"
	"slices"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// DeleteAccount removes the account with r.Event, in one transaction: its
// allocations are first given back to their pools, then the foreign keys
// cascade to its tags, members, allocations, operator assignments, grants,
// activity counts and SSO secret. Members left with no
// membership on the platform and no platform role become
// tenancy.UserDeleted, with their name cleared, UpdatedAt set to r.Now,
// their version bumped and their tokens removed; their IDs are returned in
// ascending order. tenancy.ErrNotFound when the account is missing.
func (s *Store) DeleteAccount(ctx context.Context, r tenancy.DeleteAccount) (tenancy.DeletedAccount, error) {
	var out tenancy.DeletedAccount
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		out, err = s.deleteAccount(ctx, tx, r)
		if err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	if err != nil {
		return tenancy.DeletedAccount{}, fail("delete account", err)
	}
	return out, nil
}

func (s *Store) deleteAccount(ctx context.Context, tx *sqlx.Tx, r tenancy.DeleteAccount) (tenancy.DeletedAccount, error) {
	key := sq.Eq{"platform_id": r.PlatformID, "id": r.AccountID}
	if err := s.lockRows(ctx, tx, accountsTable, key, "FOR UPDATE"); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	a, err := s.getAccount(ctx, tx, key)
	if err != nil {
		return tenancy.DeletedAccount{}, err
	}
	var memberIDs []string
	sel := s.base.Builder().Select("user_id").From(membersTable).
		Where(sq.Eq{"platform_id": r.PlatformID, "account_id": r.AccountID})
	if err := sqlkit.Select(ctx, tx, &memberIDs, sel); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	// Lock the members first, so that a membership another transaction is
	// adding either commits before the orphan check below or waits for it.
	userKey := sq.Eq{"platform_id": r.PlatformID, "id": memberIDs}
	if err := s.lockRows(ctx, tx, usersTable, userKey, "FOR UPDATE"); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	if err := s.releaseAllocations(ctx, tx, r); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	if err := sqlkit.Exec(ctx, tx, s.base.Builder().Delete(accountsTable).Where(key)); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	orphans, err := s.retireOrphans(ctx, tx, r, memberIDs)
	if err != nil {
		return tenancy.DeletedAccount{}, err
	}
	return tenancy.DeletedAccount{Account: a, DeletedUserIDs: orphans}, nil
}

// releaseAllocations gives the account's allocations back to their pools,
// resource by resource in order. The allocation rows are read FOR UPDATE
// on PostgreSQL, so a concurrent change of a limit commits before they are
// read (or waits for the deletion, then finds the account gone).
func (s *Store) releaseAllocations(ctx context.Context, tx *sqlx.Tx, r tenancy.DeleteAccount) error {
	var rows []allocRow
	sel := s.base.Builder().Select(allocColumns...).From(allocsTable).
		Where(sq.Eq{"platform_id": r.PlatformID, "account_id": r.AccountID}).OrderBy("resource")
	if s.base.DB.Dialect == sqlkit.Postgres {
		sel = sel.Suffix("FOR UPDATE")
	}
	if err := sqlkit.Select(ctx, tx, &rows, sel); err != nil {
		return err
	}
	for _, a := range rows {
		if err := s.movePool(ctx, tx, r.PlatformID, a.Resource, -a.Lim, r.Now); err != nil {
			return err
		}
	}
	return nil
}

// retireOrphans marks deleted those of userIDs that are not deleted, hold
// no platform role and are left with no membership, clears their names and
// removes their tokens and the grants they held on other accounts. It
// returns their IDs in ascending order.
func (s *Store) retireOrphans(ctx context.Context, tx *sqlx.Tx, r tenancy.DeleteAccount, userIDs []string) ([]string, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	up := s.base.Builder().Update(usersTable).
		Set("status", string(tenancy.UserDeleted)).Set("name", "").Set("name_key", "").
		Set("updated_at", s.tm(r.Now)).Set("version", sq.Expr("version + 1")).
		Where(sq.Eq{"platform_id": r.PlatformID, "id": userIDs, "role": string(tenancy.RoleNone)}).
		Where(sq.NotEq{"status": string(tenancy.UserDeleted)}).
		Where("NOT EXISTS (SELECT 1 FROM " + membersTable + " m" +
			" WHERE m.platform_id = " + usersTable + ".platform_id AND m.user_id = " + usersTable + ".id)").
		Suffix("RETURNING id")
	var ids []string
	if err := sqlkit.Select(ctx, tx, &ids, up); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	for _, table := range []string{tokensTable, grantsTable} {
		del := s.base.Builder().Delete(table).Where(sq.Eq{"platform_id": r.PlatformID, "user_id": ids})
		if err := sqlkit.Exec(ctx, tx, del); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// lockRows takes row locks (mode "FOR UPDATE" or "FOR SHARE") on the rows
// of table matching where, in ID order, on PostgreSQL. On SQLite the
// transaction already holds the database's write lock.
func (s *Store) lockRows(ctx context.Context, tx *sqlx.Tx, table string, where sq.Eq, mode string) error {
	if s.base.DB.Dialect != sqlkit.Postgres {
		return nil
	}
	var ids []string
	sel := s.base.Builder().Select("id").From(table).Where(where).OrderBy("id").Suffix(mode)
	return sqlkit.Select(ctx, tx, &ids, sel)
}
