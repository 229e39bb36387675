package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertMember adds r.Member with r.Event and, when r.Quota is set, uses
// that much of the account's allocation (one conditional UPDATE) in the
// same transaction. An existing (account, user) pair is
// tenancy.ErrConflict, a missing account or user tenancy.ErrNotFound, an
// allocation missing or without room tenancy.ErrQuotaExceeded.
func (s *Store) InsertMember(ctx context.Context, r tenancy.NewMember) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		m := r.Member
		if err := s.insertMembers(ctx, tx, m); err != nil {
			return err
		}
		if q := r.Quota; q != nil {
			use := tenancy.UseQuota{PlatformID: m.PlatformID, AccountID: m.AccountID,
				Resource: q.Resource, N: q.N, Now: firstTime(r.Event.At, m.CreatedAt)}
			if _, err := s.useQuota(ctx, tx, use); err != nil {
				return err
			}
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	return fail("insert member", err)
}

// UpdateMember writes m's permissions with ev; tenancy.ErrNotFound if the
// member is missing.
func (s *Store) UpdateMember(ctx context.Context, m tenancy.Member, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Update(membersTable).
			Set("permissions", sqlkit.JSON[[]string]{V: orEmpty(m.Permissions)}).
			Where(sq.Eq{"platform_id": m.PlatformID, "account_id": m.AccountID, "user_id": m.UserID})
		n, err := sqlkit.ExecN(ctx, tx, up)
		if err != nil {
			return err
		}
		if n == 0 {
			return sqlkit.Errorf(tenancy.ErrNotFound, "member %q of account %q", m.UserID, m.AccountID)
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("update member", err)
}

// DeleteMember removes the member with r.Event and, when r.Quota is set,
// gives r.Quota.N units back to the account's allocation in the same
// transaction. The release never fails the removal: Used stops at zero,
// and a missing allocation is left missing. tenancy.ErrNotFound if the
// member is missing.
func (s *Store) DeleteMember(ctx context.Context, r tenancy.RemoveMember) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		key := sq.Eq{"platform_id": r.PlatformID, "account_id": r.AccountID}
		n, err := sqlkit.ExecN(ctx, tx, s.base.Builder().Delete(membersTable).Where(key).Where(sq.Eq{"user_id": r.UserID}))
		if err != nil {
			return err
		}
		if n == 0 {
			return sqlkit.Errorf(tenancy.ErrNotFound, "member %q of account %q", r.UserID, r.AccountID)
		}
		if q := r.Quota; q != nil && q.N > 0 {
			up := s.base.Builder().Update(allocsTable).
				Set("used", sq.Expr("CASE WHEN used > ? THEN used - ? ELSE 0 END", q.N, q.N)).
				Set("updated_at", sq.Expr("COALESCE(?, updated_at)", s.tm(r.Event.At))).
				Where(key).Where(sq.Eq{"resource": q.Resource})
			if err := sqlkit.Exec(ctx, tx, up); err != nil {
				return err
			}
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	return fail("delete member", err)
}

// Members lists an account's members, the primary first, then by CreatedAt
// and user ID; none (and no error) for an unknown account.
func (s *Store) Members(ctx context.Context, platformID, accountID string) ([]tenancy.Member, error) {
	var rows []memberRow
	sel := s.base.Builder().Select(memberColumns...).From(membersTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID}).
		OrderBy("is_primary DESC", "created_at", "user_id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("members", err)
	}
	return sqlkit.Convert(rows, memberRow.member), nil
}

// Memberships lists a user's places with their accounts, ordered by the
// member's CreatedAt and account ID, reading the accounts' tags in one
// batch; none (and no error) for an unknown user.
func (s *Store) Memberships(ctx context.Context, platformID, userID string) ([]tenancy.Membership, error) {
	var rows []membershipRow
	sel := s.base.Builder().Select(cols("a", accountColumns),
		"m.user_id AS m_user_id", "m.is_primary AS m_is_primary",
		"m.permissions AS m_permissions", "m.created_at AS m_created_at").
		From(membersTable+" m").
		Join(accountsTable+" a ON a.platform_id = m.platform_id AND a.id = m.account_id").
		Where(sq.Eq{"m.platform_id": platformID, "m.user_id": userID}).
		OrderBy("m.created_at", "m.account_id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("memberships", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	accounts := sqlkit.Convert(rows, membershipRow.account)
	if err := s.withTags(ctx, s.base.DB, accounts); err != nil {
		return nil, fail("memberships", err)
	}
	out := make([]tenancy.Membership, len(rows))
	for i, r := range rows {
		m := memberRow{PlatformID: r.PlatformID, AccountID: r.ID, UserID: r.MemberUserID,
			IsPrimary: r.MemberPrimary, Permissions: r.MemberPermissions, CreatedAt: r.MemberCreatedAt}
		out[i] = tenancy.Membership{Member: m.member(), Account: accounts[i]}
	}
	return out, nil
}
