package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/impersonation"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// Insert adds se with ev. A session ID or a token hash already used on the
// platform is impersonation.ErrConflict; when inserts race, the primary
// and unique keys decide.
func (s *Store) Insert(ctx context.Context, se impersonation.Session, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(table).Columns(columns...).Values(s.values(se)...)
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert", err)
}

// Get returns the session, or impersonation.ErrNotFound.
func (s *Store) Get(ctx context.Context, platformID, id string) (impersonation.Session, error) {
	se, err := s.getBy(ctx, s.base.DB, s.getSQL, platformID, id)
	if err != nil {
		return impersonation.Session{}, fail("get", err)
	}
	return se, nil
}

// GetByToken returns the session whose token has this hash, ended or not,
// or impersonation.ErrNotFound. It is one statement on the unique
// (platform_id, token_hash) key, outside any transaction: the read every
// request of a session makes.
func (s *Store) GetByToken(ctx context.Context, platformID, tokenHash string) (impersonation.Session, error) {
	se, err := s.getBy(ctx, s.base.DB, s.getByTokenSQL, platformID, tokenHash)
	if err != nil {
		return impersonation.Session{}, fail("get by token", err)
	}
	return se, nil
}

// rowQueryer is a handle or a transaction, as the reads by key use them.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// getBy runs query, one of the reads by key, with the platform and the
// key on q and scans its one row straight into a sessionRow;
// sql.ErrNoRows when there is none.
func (s *Store) getBy(ctx context.Context, q rowQueryer, query, platformID, key string) (impersonation.Session, error) {
	var r sessionRow
	if err := q.QueryRowContext(ctx, query, platformID, key).Scan(r.dest()...); err != nil {
		return impersonation.Session{}, err
	}
	return r.session(), nil
}

// End ends session e.ID at e.At for e.Reason and writes e.Event, in one
// conditional UPDATE ... WHERE ended_at IS NULL: of concurrent calls
// exactly one changes the row and gets the ended session back. When it
// changes nothing, the row read by ID says why: impersonation.ErrEnded,
// or impersonation.ErrNotFound when it is missing. A zero e.At, which
// would leave the session looking live, is impersonation.ErrInvalid.
func (s *Store) End(ctx context.Context, e impersonation.End) (impersonation.Session, error) {
	if e.At.IsZero() {
		return impersonation.Session{}, fail("end", sqlkit.Errorf(impersonation.ErrInvalid, "zero At"))
	}
	var out impersonation.Session
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		for range endAttempts {
			up := s.endUpdate(e.At, e.Reason).
				Where(sq.Eq{"platform_id": e.PlatformID, "id": e.ID}).
				Suffix(returning)
			var r sessionRow
			err := sqlkit.Get(ctx, tx, &r, up)
			if err == nil {
				out = r.session()
				return s.base.WriteEvents(ctx, tx, e.Event)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			cur, err := s.getBy(ctx, tx, s.getSQL, e.PlatformID, e.ID)
			if errors.Is(err, sql.ErrNoRows) {
				return sqlkit.Errorf(impersonation.ErrNotFound, "session %q", e.ID)
			}
			if err != nil {
				return err
			}
			if !cur.EndedAt.IsZero() {
				return sqlkit.Errorf(impersonation.ErrEnded, "session %q ended at %s (%s)", e.ID,
					cur.EndedAt.Format(time.RFC3339Nano), cur.EndReason)
			}
		}
		return sqlkit.Errorf(impersonation.ErrConflict, "session %q keeps changing", e.ID)
	})
	if err != nil {
		return impersonation.Session{}, fail("end", err)
	}
	return out, nil
}

// endAttempts bounds how often End runs its conditional update when the
// row it then reads is live after all (on PostgreSQL, a session inserted
// after the update's snapshot).
const endAttempts = 3

// endUpdate is the conditional update that ends sessions not ended yet,
// at at (not zero) for reason; the caller adds which.
func (s *Store) endUpdate(at time.Time, reason impersonation.EndReason) sq.UpdateBuilder {
	return s.base.Builder().Update(table).
		Set("ended_at", s.tm(at)).
		Set("end_reason", string(reason)).
		Where("ended_at IS NULL")
}

// EndAll ends, at e.At for e.Reason, every session of the platform not
// ended yet that matches e (at most e.Limit of them, oldest first, when it
// is set), writing e.Event(session) for each, all in one transaction, and
// returns them ended, in StartedAt then ID order; nil when none matched.
//
// The matching sessions are selected in that order, FOR UPDATE on
// PostgreSQL (where a session a concurrent End ends first drops out of
// the selection), then ended by the conditional update of End: the rows
// it returns are exactly the sessions this call ended, so a session is
// never ended, nor its event written, twice.
//
// A zero e.At is impersonation.ErrInvalid, and so is a nil e.Event when a
// session matches; neither ends anything.
func (s *Store) EndAll(ctx context.Context, e impersonation.EndAll) ([]impersonation.Session, error) {
	if e.At.IsZero() {
		return nil, fail("end all", sqlkit.Errorf(impersonation.ErrInvalid, "zero At"))
	}
	var out []impersonation.Session
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		out = nil
		sel := s.base.Builder().Select("id").From(table).
			Where(sq.Eq{"platform_id": e.PlatformID}).
			Where("ended_at IS NULL")
		if e.AccountID != "" {
			sel = sel.Where(sq.Eq{"account_id": e.AccountID})
		}
		if e.UserID != "" {
			sel = sel.Where(sq.Or{sq.Eq{"actor_id": e.UserID}, sq.Eq{"subject_id": e.UserID}})
		}
		if e.ExpiredOnly {
			sel = sel.Where(sq.LtOrEq{"expires_at": s.tm(e.At)})
		}
		sel = sel.OrderBy("started_at", "id")
		if e.Limit > 0 {
			sel = sel.Limit(uint64(e.Limit))
		}
		if s.base.DB.Dialect == sqlkit.Postgres {
			sel = sel.Suffix("FOR UPDATE")
		}
		var ids []string
		if err := sqlkit.Select(ctx, tx, &ids, sel); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if e.Event == nil {
			return sqlkit.Errorf(impersonation.ErrInvalid, "no Event to build the audit events with")
		}
		up := s.endUpdate(e.At, e.Reason).
			Where(sq.Eq{"platform_id": e.PlatformID}).
			Where(s.base.DB.Dialect.In("id", ids)).
			Suffix(returning)
		var rows []sessionRow
		if err := sqlkit.Select(ctx, tx, &rows, up); err != nil {
			return err
		}
		out = sqlkit.Convert(rows, sessionRow.session)
		slices.SortFunc(out, func(a, b impersonation.Session) int {
			return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
		})
		events := make([]audit.Event, len(out))
		for i, se := range out {
			events[i] = e.Event(se)
		}
		return s.base.WriteEvents(ctx, tx, events...)
	})
	if err != nil {
		return nil, fail("end all", err)
	}
	return out, nil
}

// List returns up to q.Limit sessions matching q (all when q.Limit <= 0),
// newest first (StartedAt then ID, descending), strictly after q.After
// when set; nil when none.
func (s *Store) List(ctx context.Context, q impersonation.Query) ([]impersonation.Session, error) {
	sel := s.base.Builder().Select(columns...).From(table).Where(sq.Eq{"platform_id": q.PlatformID})
	for _, f := range []struct{ col, v string }{
		{"account_id", q.AccountID}, {"actor_id", q.ActorID}, {"subject_id", q.SubjectID},
	} {
		if f.v != "" {
			sel = sel.Where(sq.Eq{f.col: f.v})
		}
	}
	if !q.ActiveAt.IsZero() {
		sel = sel.Where("ended_at IS NULL").Where(sq.Gt{"expires_at": s.tm(q.ActiveAt)})
	}
	if c := q.After; c != nil {
		// The plain bound first lets both databases seek the index.
		at := s.tm(c.StartedAt)
		sel = sel.Where("started_at <= ? AND (started_at < ? OR (started_at = ? AND id < ?))", at, at, at, c.ID)
	}
	sel = sel.OrderBy("started_at DESC", "id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []sessionRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("list", err)
	}
	return sqlkit.Convert(rows, sessionRow.session), nil
}

// Record writes ev alone (a refused start or action, which changes no
// session), in a transaction of its own through the audit store. An event
// ID already used is impersonation.ErrConflict.
func (s *Store) Record(ctx context.Context, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("record", err)
}
