package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// GetAccount returns the account, or tenancy.ErrNotFound.
func (s *Store) GetAccount(ctx context.Context, platformID, accountID string) (tenancy.Account, error) {
	a, err := s.getAccount(ctx, s.base.DB, sq.Eq{"platform_id": platformID, "id": accountID})
	return a, fail("get account", err)
}

// GetAccountByNickname returns the account with that nickname, or
// tenancy.ErrNotFound.
func (s *Store) GetAccountByNickname(ctx context.Context, platformID, nickname string) (tenancy.Account, error) {
	a, err := s.getAccount(ctx, s.base.DB, sq.Eq{"platform_id": platformID, "nickname": nickname})
	return a, fail("get account by nickname", err)
}

// GetAccountByUID returns the account with that UID, or
// tenancy.ErrNotFound.
func (s *Store) GetAccountByUID(ctx context.Context, platformID, uid string) (tenancy.Account, error) {
	a, err := s.getAccount(ctx, s.base.DB, sq.Eq{"platform_id": platformID, "uid": uid})
	return a, fail("get account by uid", err)
}

// getAccount reads the one account matching where, with its tags;
// sql.ErrNoRows when there is none.
func (s *Store) getAccount(ctx context.Context, q sqlx.QueryerContext, where sq.Eq) (tenancy.Account, error) {
	var r accountRow
	if err := sqlkit.Get(ctx, q, &r, s.base.Builder().Select(accountColumns...).From(accountsTable).Where(where)); err != nil {
		return tenancy.Account{}, err
	}
	out := []tenancy.Account{r.account()}
	if err := s.withTags(ctx, q, out); err != nil {
		return tenancy.Account{}, err
	}
	return out[0], nil
}

// UpdateAccount writes every mutable field of a (all but PlatformID, ID,
// UID and CreatedAt; tags included) and ev, if the stored version is still
// a.Version-1. tenancy.ErrNotFound when the account is missing,
// tenancy.ErrStale when its version moved, tenancy.ErrConflict when the
// nickname is held by another account.
func (s *Store) UpdateAccount(ctx context.Context, a tenancy.Account, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.updateAccount(ctx, tx, a); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("update account", err)
}

// updateAccount does UpdateAccount's work, but the event, in tx.
func (s *Store) updateAccount(ctx context.Context, tx *sqlx.Tx, a tenancy.Account) error {
	up := s.base.Builder().Update(accountsTable).SetMap(s.accountValues(a)).
		Where(sq.Eq{"platform_id": a.PlatformID, "id": a.ID, "version": a.Version - 1})
	if err := s.guarded(ctx, tx, up, accountsTable, a.PlatformID, a.ID); err != nil {
		return err
	}
	del := s.base.Builder().Delete(tagsTable).Where(sq.Eq{"platform_id": a.PlatformID, "account_id": a.ID})
	if err := sqlkit.Exec(ctx, tx, del); err != nil {
		return err
	}
	return s.insertTags(ctx, tx, a.PlatformID, a.ID, a.Tags)
}

// insertTags adds an account's tags, each once, in one statement.
func (s *Store) insertTags(ctx context.Context, tx *sqlx.Tx, platformID, accountID string, tags []string) error {
	tags = uniq(tags)
	if len(tags) == 0 {
		return nil
	}
	ins := s.base.Builder().Insert(tagsTable).Columns("platform_id", "account_id", "tag")
	for _, t := range tags {
		ins = ins.Values(platformID, accountID, t)
	}
	return sqlkit.Exec(ctx, tx, ins)
}

// withTags fills the tags of accounts, all of one platform, with one query.
func (s *Store) withTags(ctx context.Context, q sqlx.QueryerContext, accounts []tenancy.Account) error {
	if len(accounts) == 0 {
		return nil
	}
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	var rows []tagRow
	sel := s.base.Builder().Select("account_id", "tag").From(tagsTable).
		Where(sq.Eq{"platform_id": accounts[0].PlatformID}).Where(s.base.DB.Dialect.In("account_id", ids)).
		OrderBy("account_id", "tag")
	if err := sqlkit.Select(ctx, q, &rows, sel); err != nil {
		return err
	}
	tags := make(map[string][]string, len(accounts))
	for _, r := range rows {
		tags[r.AccountID] = append(tags[r.AccountID], r.Tag)
	}
	for i := range accounts {
		accounts[i].Tags = tags[accounts[i].ID]
	}
	return nil
}
