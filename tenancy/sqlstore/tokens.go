package sqlstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// InsertToken adds t with ev after deleting the user's other tokens of the
// same purpose, so only the newest link works. A missing user is
// tenancy.ErrNotFound, an existing hash tenancy.ErrConflict.
func (s *Store) InsertToken(ctx context.Context, t tenancy.PasswordToken, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := s.insertToken(ctx, tx, t); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert token", err)
}

func (s *Store) insertToken(ctx context.Context, tx *sqlx.Tx, t tenancy.PasswordToken) error {
	return s.insertTokens(ctx, tx, []tenancy.PasswordToken{t})
}

// insertTokens adds tokens after deleting their users' other tokens of the
// same purpose, batched: one DELETE per platform and purpose, then
// multi-row INSERTs. Of several tokens of one user and purpose, the last
// is kept, as if they had been inserted one after the other.
func (s *Store) insertTokens(ctx context.Context, tx *sqlx.Tx, tokens []tenancy.PasswordToken) error {
	type group struct{ platformID, purpose string }
	type owner struct{ platformID, userID, purpose string }
	last := map[owner]int{}
	for i, t := range tokens {
		last[owner{t.PlatformID, t.UserID, string(t.Purpose)}] = i
	}
	users := map[group][]string{}
	var keep []tenancy.PasswordToken
	for i, t := range tokens {
		if last[owner{t.PlatformID, t.UserID, string(t.Purpose)}] != i {
			continue
		}
		keep = append(keep, t)
		g := group{t.PlatformID, string(t.Purpose)}
		users[g] = append(users[g], t.UserID)
	}
	for _, g := range slices.SortedFunc(maps.Keys(users), func(a, b group) int {
		return cmp.Or(cmp.Compare(a.platformID, b.platformID), cmp.Compare(a.purpose, b.purpose))
	}) {
		del := s.base.Builder().Delete(tokensTable).
			Where(sq.Eq{"platform_id": g.platformID, "purpose": g.purpose}).
			Where(s.base.DB.Dialect.In("user_id", users[g]))
		if err := sqlkit.Exec(ctx, tx, del); err != nil {
			return err
		}
	}
	columns := []string{"platform_id", "hash", "user_id", "purpose", "created_at", "expires_at"}
	return sqlkit.InsertRows(ctx, tx, s.base.Builder(), tokensTable, columns, len(keep), func(i int) []any {
		t := keep[i]
		return []any{t.PlatformID, t.Hash, t.UserID, string(t.Purpose), s.tm(t.CreatedAt), s.tm(t.ExpiresAt)}
	}, "")
}

// UseToken spends the token with r.Hash if it is of one of r.Purposes and
// has not expired at r.Now: in one transaction it deletes it (DELETE ...
// RETURNING, so of many concurrent calls exactly one gets the row) with
// the user's other tokens of that purpose, sets the user's password hash
// (version bumped, UpdatedAt r.Now), writes r.Event with TargetID and
// ActorID set to the user's ID where empty, and returns the updated user.
// An expired token is deleted all the same and reported as
// tenancy.ErrExpired; an unknown one (or one of another purpose) is
// tenancy.ErrNotFound and nothing changes.
func (s *Store) UseToken(ctx context.Context, r tenancy.UseToken) (tenancy.User, error) {
	var (
		u       tenancy.User
		expired bool
	)
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		u, expired, err = s.useToken(ctx, tx, r)
		return err
	})
	if err == nil && expired {
		err = sqlkit.Errorf(tenancy.ErrExpired, "password token")
	}
	if err != nil {
		return tenancy.User{}, fail("use token", err)
	}
	return u, nil
}

// useToken does UseToken's work in tx. It reports an expired token with
// expired set and a nil error, so that the token's deletion commits.
func (s *Store) useToken(ctx context.Context, tx *sqlx.Tx, r tenancy.UseToken) (u tenancy.User, expired bool, err error) {
	purposes := make([]string, len(r.Purposes))
	for i, p := range r.Purposes {
		purposes[i] = string(p)
	}
	var t tokenRow
	spend := s.base.Builder().Delete(tokensTable).
		Where(sq.Eq{"platform_id": r.PlatformID, "hash": r.Hash, "purpose": purposes}).
		Suffix("RETURNING " + strings.Join(tokenColumns, ", "))
	if err := sqlkit.Get(ctx, tx, &t, spend); err != nil {
		return tenancy.User{}, false, err
	}
	if !r.Now.Before(t.ExpiresAt.Time) {
		return tenancy.User{}, true, nil
	}
	others := s.base.Builder().Delete(tokensTable).
		Where(sq.Eq{"platform_id": r.PlatformID, "user_id": t.UserID, "purpose": t.Purpose})
	if err := sqlkit.Exec(ctx, tx, others); err != nil {
		return tenancy.User{}, false, err
	}
	var row userRow
	up := s.base.Builder().Update(usersTable).
		Set("password_hash", r.PasswordHash).Set("updated_at", s.tm(r.Now)).
		Set("version", sq.Expr("version + 1")).
		Where(sq.Eq{"platform_id": r.PlatformID, "id": t.UserID}).
		Suffix("RETURNING " + strings.Join(userColumns, ", "))
	if err := sqlkit.Get(ctx, tx, &row, up); err != nil {
		return tenancy.User{}, false, err
	}
	ev := r.Event
	if ev.TargetID == "" {
		ev.TargetID = row.ID
	}
	if ev.ActorID == "" {
		ev.ActorID = row.ID
	}
	return row.user(), false, s.base.WriteEvents(ctx, tx, ev)
}
