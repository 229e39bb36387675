package sqlstore

import (
	"context"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertMember adds m with ev; an existing (account, user) pair is
// tenancy.ErrConflict, a missing account or user tenancy.ErrNotFound.
func (s *Store) InsertMember(ctx context.Context, m tenancy.Member, ev audit.Event) error {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.insertMembers(ctx, tx, m); err != nil {
			return err
		}
		return s.writeEvents(ctx, tx, ev)
	})
	return fail("insert member", err)
}

// insertMembers adds members in one statement. On PostgreSQL its foreign
// key checks take KEY SHARE locks on the accounts and users, which
// DeleteAccount's FOR UPDATE locks wait for (and the other way round), so a
// deletion retiring a user who is joining another account runs wholly
// before or wholly after.
func (s *Store) insertMembers(ctx context.Context, tx *sqlx.Tx, members ...tenancy.Member) error {
	if len(members) == 0 {
		return nil
	}
	ins := s.sb().Insert(membersTable).Columns(memberColumns...)
	for _, m := range members {
		ins = ins.Values(m.PlatformID, m.AccountID, m.UserID, m.Primary,
			sqlkit.JSON[[]string]{V: orEmpty(m.Permissions)}, s.tm(m.CreatedAt))
	}
	return exec(ctx, tx, ins)
}

// DeleteMember removes the member with ev; tenancy.ErrNotFound if missing.
func (s *Store) DeleteMember(ctx context.Context, platformID, accountID, userID string, ev audit.Event) error {
	err := s.db.InTx(ctx, func(tx *sqlx.Tx) error {
		del := s.sb().Delete(membersTable).
			Where(sq.Eq{"platform_id": platformID, "account_id": accountID, "user_id": userID})
		n, err := execN(ctx, tx, del)
		if err != nil {
			return err
		}
		if n == 0 {
			return errorf(tenancy.ErrNotFound, "member %q of account %q", userID, accountID)
		}
		return s.writeEvents(ctx, tx, ev)
	})
	return fail("delete member", err)
}

// Members lists an account's members, the primary first, then by CreatedAt
// and user ID; none (and no error) for an unknown account.
func (s *Store) Members(ctx context.Context, platformID, accountID string) ([]tenancy.Member, error) {
	var rows []memberRow
	sel := s.sb().Select(memberColumns...).From(membersTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID}).
		OrderBy("is_primary DESC", "created_at", "user_id")
	if err := selectInto(ctx, s.db, &rows, sel); err != nil {
		return nil, fail("members", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]tenancy.Member, len(rows))
	for i, r := range rows {
		out[i] = r.member()
	}
	return out, nil
}

// Memberships lists a user's places with their accounts, ordered by the
// member's CreatedAt and account ID, reading the accounts' tags in one
// batch; none (and no error) for an unknown user.
func (s *Store) Memberships(ctx context.Context, platformID, userID string) ([]tenancy.Membership, error) {
	var rows []membershipRow
	sel := s.sb().Select(cols("a", accountColumns),
		"m.user_id AS m_user_id", "m.is_primary AS m_is_primary",
		"m.permissions AS m_permissions", "m.created_at AS m_created_at").
		From(membersTable+" m").
		Join(accountsTable+" a ON a.platform_id = m.platform_id AND a.id = m.account_id").
		Where(sq.Eq{"m.platform_id": platformID, "m.user_id": userID}).
		OrderBy("m.created_at", "m.account_id")
	if err := selectInto(ctx, s.db, &rows, sel); err != nil {
		return nil, fail("memberships", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	accounts := make([]tenancy.Account, len(rows))
	for i, r := range rows {
		accounts[i] = r.account()
	}
	if err := s.withTags(ctx, s.db, accounts); err != nil {
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
