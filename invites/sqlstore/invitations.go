package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/invites"
)

// Insert adds inv with ev. An invitation stored pending of the same
// platform, kind, email, account and resource (also one past its expiry),
// a token hash in use or an ID used twice is invites.ErrConflict; when
// inserts race, the partial unique index of pending invitations decides.
func (s *Store) Insert(ctx context.Context, inv invites.Invitation, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(table).Columns(columns...).Values(s.values(inv)...)
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert", err)
}

// Get returns the invitation, or invites.ErrNotFound.
func (s *Store) Get(ctx context.Context, platformID, id string) (invites.Invitation, error) {
	inv, err := s.get(ctx, s.base.DB, sq.Eq{"platform_id": platformID, "id": id})
	return inv, fail("get", err)
}

// GetByToken returns the invitation whose current token has this hash, or
// invites.ErrNotFound (also for the empty hash).
func (s *Store) GetByToken(ctx context.Context, platformID, tokenHash string) (invites.Invitation, error) {
	inv, err := s.get(ctx, s.base.DB, sq.Eq{"platform_id": platformID, "token_hash": tokenHash})
	return inv, fail("get by token", err)
}

// get reads the one invitation matching where on q; sql.ErrNoRows when
// there is none.
func (s *Store) get(ctx context.Context, q sqlx.QueryerContext, where sq.Eq) (invites.Invitation, error) {
	var r invitationRow
	if err := sqlkit.Get(ctx, q, &r, s.base.Builder().Select(columns...).From(table).Where(where)); err != nil {
		return invites.Invitation{}, err
	}
	return r.invitation(), nil
}

// Update writes inv's status, token hash, expiry, sent and decided fields
// and version, with ev, if the stored version is still inv.Version-1; the
// other fields keep their stored values. invites.ErrNotFound when it is
// missing, invites.ErrStale when its version moved, invites.ErrConflict
// when the token hash is another invitation's (or when it would make a
// second invitation pending for the same person and place).
func (s *Store) Update(ctx context.Context, inv invites.Invitation, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Update(table).SetMap(map[string]any{
			"status": string(inv.Status), "token_hash": sqlkit.NullString(inv.TokenHash),
			"expires_at": s.tm(inv.ExpiresAt), "sent_at": s.tm(inv.SentAt), "decided_at": s.tmNull(inv.DecidedAt),
			"decided_by": inv.DecidedBy, "version": inv.Version,
		}).Where(sq.Eq{"platform_id": inv.PlatformID, "id": inv.ID, "version": inv.Version - 1})
		n, err := sqlkit.ExecN(ctx, tx, up)
		if err != nil {
			return err
		}
		if n == 0 {
			var version int64
			err := sqlkit.Get(ctx, tx, &version, s.base.Builder().Select("version").From(table).
				Where(sq.Eq{"platform_id": inv.PlatformID, "id": inv.ID}))
			if errors.Is(err, sql.ErrNoRows) {
				return sqlkit.Errorf(invites.ErrNotFound, "invitation %q", inv.ID)
			}
			if err != nil {
				return err
			}
			return sqlkit.Errorf(invites.ErrStale, "invitation %q is at version %d, not %d", inv.ID, version, inv.Version-1)
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("update", err)
}

// claimAttempts bounds how often Claim runs its conditional update when
// the row it then reads is claimable after all (on PostgreSQL, a
// concurrent Update gave the invitation this hash after the update's
// snapshot).
const claimAttempts = 3

// Claim marks the invitation with r.TokenHash accepted by r.UserID at
// r.Now, with r.Event, in one conditional statement that changes it only if
// it is stored pending and not expired at r.Now; of concurrent claims,
// exactly one changes the row and gets it back. When the statement changes
// nothing, the row read by hash says why: invites.ErrNotFound (no such
// hash), ErrUsed (accepted), ErrDeclined, ErrRevoked, or ErrExpired (stored
// expired, or pending past its expiry).
func (s *Store) Claim(ctx context.Context, r invites.Claim) (invites.Invitation, error) {
	var out invites.Invitation
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		for range claimAttempts {
			up := s.base.Builder().Update(table).
				Set("status", string(invites.Accepted)).
				Set("decided_at", s.tmNull(r.Now)).
				Set("decided_by", r.UserID).
				Set("version", sq.Expr("version + 1")).
				Where(sq.Eq{"platform_id": r.PlatformID, "token_hash": r.TokenHash, "status": string(invites.Pending)}).
				Where(sq.Gt{"expires_at": s.tm(r.Now)}).
				Suffix(returning)
			var row invitationRow
			err := sqlkit.Get(ctx, tx, &row, up)
			if err == nil {
				out = row.invitation()
				return s.base.WriteEvents(ctx, tx, r.Event)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			inv, err := s.get(ctx, tx, sq.Eq{"platform_id": r.PlatformID, "token_hash": r.TokenHash})
			if errors.Is(err, sql.ErrNoRows) {
				return sqlkit.Errorf(invites.ErrNotFound, "token")
			}
			if err != nil {
				return err
			}
			if why := refusal(inv, r.Now); why != nil {
				return sqlkit.Errorf(why, "invitation %q", inv.ID)
			}
		}
		return sqlkit.Errorf(invites.ErrStale, "invitation with this token keeps changing")
	})
	if err != nil {
		return invites.Invitation{}, fail("claim", err)
	}
	return out, nil
}

// refusal says why inv cannot be claimed at now, or nil when it can.
func refusal(inv invites.Invitation, now time.Time) error {
	switch inv.StatusAt(now) {
	case invites.Accepted:
		return invites.ErrUsed
	case invites.Declined:
		return invites.ErrDeclined
	case invites.Revoked:
		return invites.ErrRevoked
	case invites.Expired:
		return invites.ErrExpired
	case invites.Pending:
		return nil
	}
	return invites.ErrNotFound
}

// List returns up to q.Limit invitations matching q (all when q.Limit <=
// 0), newest first (CreatedAt then ID, descending), strictly after q.After
// when set; nil when none.
func (s *Store) List(ctx context.Context, q invites.Query) ([]invites.Invitation, error) {
	sel := s.base.Builder().Select(columns...).From(table).Where(sq.Eq{"platform_id": q.PlatformID})
	switch {
	case !q.PendingAt.IsZero():
		sel = sel.Where(sq.Eq{"status": string(invites.Pending)}).Where(sq.Gt{"expires_at": s.tm(q.PendingAt)})
	case q.Status != "":
		sel = sel.Where(sq.Eq{"status": string(q.Status)})
	}
	for _, f := range []struct{ col, v string }{
		{"kind", string(q.Kind)}, {"inviter_id", q.InviterID}, {"account_id", q.AccountID},
		{"resource_id", q.ResourceID}, {"email", q.Email},
	} {
		if f.v != "" {
			sel = sel.Where(sq.Eq{f.col: f.v})
		}
	}
	if c := q.After; c != nil {
		// The plain bound first lets both databases seek the index.
		at := s.tm(c.CreatedAt)
		sel = sel.Where("created_at <= ? AND (created_at < ? OR (created_at = ? AND id < ?))", at, at, at, c.ID)
	}
	sel = sel.OrderBy("created_at DESC", "id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []invitationRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("list", err)
	}
	return sqlkit.Convert(rows, invitationRow.invitation), nil
}

// CountSince counts the platform's invitations created at or after since,
// by inviterID when it is not empty; an index on (platform_id, created_at)
// or (platform_id, inviter_id, created_at) serves it.
func (s *Store) CountSince(ctx context.Context, platformID, inviterID string, since time.Time) (int, error) {
	where := sq.Eq{"platform_id": platformID}
	if inviterID != "" {
		where["inviter_id"] = inviterID
	}
	var n int
	sel := s.base.Builder().Select("COUNT(*)").From(table).Where(where).Where(sq.GtOrEq{"created_at": s.tm(since)})
	if err := sqlkit.Get(ctx, s.base.DB, &n, sel); err != nil {
		return 0, fail("count since", err)
	}
	return n, nil
}
