package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// Assign puts the accounts in the operator's care with r.Event: multi-row
// INSERTs that skip existing assignments (ON CONFLICT DO NOTHING).
// tenancy.ErrNotFound when an account or the operator is missing (the
// foreign keys decide); nothing is written then.
func (s *Store) Assign(ctx context.Context, r tenancy.Assign) error {
	ids := uniq(r.AccountIDs)
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		err := sqlkit.InsertRows(ctx, tx, s.base.Builder(), assignTable, assignColumns, len(ids), func(i int) []any {
			return []any{r.PlatformID, r.OperatorID, ids[i], s.tm(r.Now)}
		}, "ON CONFLICT DO NOTHING")
		if err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	return fail("assign", err)
}

// Unassign takes the accounts out of the operator's care with r.Event, in
// one statement; accounts not assigned to them are skipped.
func (s *Store) Unassign(ctx context.Context, r tenancy.Assign) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if len(r.AccountIDs) > 0 {
			del := s.base.Builder().Delete(assignTable).
				Where(sq.Eq{"platform_id": r.PlatformID, "operator_id": r.OperatorID}).
				Where(s.base.DB.Dialect.In("account_id", r.AccountIDs))
			if err := sqlkit.Exec(ctx, tx, del); err != nil {
				return err
			}
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	return fail("unassign", err)
}

// Assignments lists the operators of the given accounts, by account then
// operator, in one query whatever the number of accounts; none for none.
func (s *Store) Assignments(ctx context.Context, platformID string, accountIDs []string) ([]tenancy.Assignment, error) {
	if len(accountIDs) == 0 {
		return nil, nil
	}
	var rows []assignRow
	sel := s.base.Builder().Select(assignColumns...).From(assignTable).
		Where(sq.Eq{"platform_id": platformID}).Where(s.base.DB.Dialect.In("account_id", accountIDs)).
		OrderBy("account_id", "operator_id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("assignments", err)
	}
	return sqlkit.Convert(rows, func(r assignRow) tenancy.Assignment {
		return tenancy.Assignment{PlatformID: r.PlatformID, AccountID: r.AccountID,
			OperatorID: r.OperatorID, CreatedAt: r.CreatedAt.Time}
	}), nil
}

// InsertGrant adds g with ev; an existing grant is tenancy.ErrConflict, a
// missing account or user tenancy.ErrNotFound.
func (s *Store) InsertGrant(ctx context.Context, g tenancy.Grant, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(grantsTable).Columns(grantColumns...).
			Values(g.PlatformID, g.AccountID, g.ResourceID, g.UserID, g.GrantedBy, s.tm(g.CreatedAt))
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert grant", err)
}

// DeleteGrant removes the grant of g's account, resource and user with ev;
// tenancy.ErrNotFound if missing.
func (s *Store) DeleteGrant(ctx context.Context, g tenancy.Grant, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		del := s.base.Builder().Delete(grantsTable).Where(sq.Eq{"platform_id": g.PlatformID,
			"account_id": g.AccountID, "resource_id": g.ResourceID, "user_id": g.UserID})
		n, err := sqlkit.ExecN(ctx, tx, del)
		if err != nil {
			return err
		}
		if n == 0 {
			return sqlkit.Errorf(tenancy.ErrNotFound, "grant of %q on %q to %q", g.AccountID, g.ResourceID, g.UserID)
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("delete grant", err)
}

// Grants lists the grants matching q (empty fields match all), by account,
// resource, then user.
func (s *Store) Grants(ctx context.Context, q tenancy.GrantQuery) ([]tenancy.Grant, error) {
	where := sq.Eq{"platform_id": q.PlatformID}
	for column, v := range map[string]string{"account_id": q.AccountID, "resource_id": q.ResourceID, "user_id": q.UserID} {
		if v != "" {
			where[column] = v
		}
	}
	var rows []grantRow
	sel := s.base.Builder().Select(grantColumns...).From(grantsTable).Where(where).
		OrderBy("account_id", "resource_id", "user_id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("grants", err)
	}
	return sqlkit.Convert(rows, func(r grantRow) tenancy.Grant {
		return tenancy.Grant{PlatformID: r.PlatformID, AccountID: r.AccountID, ResourceID: r.ResourceID,
			UserID: r.UserID, GrantedBy: r.GrantedBy, CreatedAt: r.CreatedAt.Time}
	}), nil
}
