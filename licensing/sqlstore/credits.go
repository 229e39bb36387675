package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// ApplyCredit adds e.Delta to the account's balance of e.Kind and records
// e with Balance set to the new balance, with ev, atomically, and returns
// the entry as stored.
//
// In one transaction: the entry is inserted first, with ON CONFLICT DO
// NOTHING, so that a key used before (for the account, whatever the kind)
// inserts nothing without aborting the transaction; the earlier entry is
// then read and returned with applied false, and nothing is written. On
// PostgreSQL a racing call with the same key waits at the unique index for
// the first to commit or roll back, then sees its entry, or inserts its
// own. Otherwise the balance changes in one conditional statement: a grant
// upserts balance = balance + delta (licensing.ErrInvalid when it would
// overflow int64), a debit updates it only WHERE balance + delta >= 0
// (no row: licensing.ErrInsufficientCredits, and the transaction rolls
// back), with the CHECK (balance >= 0) as the backstop. Last, the entry's
// balance is set. An entry ID used before is licensing.ErrConflict.
// Credits are not gate facts: no listener hears of them.
func (s *Store) ApplyCredit(ctx context.Context, e licensing.CreditEntry, ev audit.Event) (licensing.CreditEntry, bool, error) {
	e.At = sqlkit.Micro(e.At)
	var out licensing.CreditEntry
	var applied bool
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		out, applied = licensing.CreditEntry{}, false
		ins := s.base.Builder().Insert(entriesTable).Columns(entryColumns...).
			Values(e.PlatformID, e.AccountID, e.Kind, e.ID, e.Delta, 0, sqlkit.NullString(e.IdempotencyKey),
				e.Reason, e.ActorID, s.tm(e.At)).
			Suffix("ON CONFLICT DO NOTHING RETURNING id")
		var ids []string
		if err := sqlkit.Select(ctx, tx, &ids, ins); err != nil {
			return err
		}
		if len(ids) == 0 {
			earlier, err := s.entryByKey(ctx, tx, e)
			if err == nil {
				out = earlier
			}
			return err
		}
		balance, err := s.addBalance(ctx, tx, e)
		if err != nil {
			return err
		}
		set := s.base.Builder().Update(entriesTable).Set("balance", balance).Where(sq.Eq{"platform_id": e.PlatformID, "id": e.ID})
		if err := sqlkit.Exec(ctx, tx, set); err != nil {
			return err
		}
		if err := s.base.WriteEvents(ctx, tx, ev); err != nil {
			return err
		}
		e.Balance = balance
		out, applied = e, true
		return nil
	})
	if err != nil {
		return licensing.CreditEntry{}, false, fail("apply credit", err)
	}
	return out, applied, nil
}

// entryByKey returns the entry that used e's idempotency key for the
// account, after an insert that conflicted; when there is none (or no
// key), the conflict was on the entry's ID: licensing.ErrConflict.
func (s *Store) entryByKey(ctx context.Context, tx *sqlx.Tx, e licensing.CreditEntry) (licensing.CreditEntry, error) {
	if e.IdempotencyKey != "" {
		var r entryRow
		sel := s.base.Builder().Select(entryColumns...).From(entriesTable).
			Where(sq.Eq{"platform_id": e.PlatformID, "account_id": e.AccountID, "idempotency_key": e.IdempotencyKey})
		err := sqlkit.Get(ctx, tx, &r, sel)
		if err == nil {
			return r.entry(), nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return licensing.CreditEntry{}, err
		}
	}
	return licensing.CreditEntry{}, sqlkit.Errorf(licensing.ErrConflict, "credit entry %q exists", e.ID)
}

// addBalance adds e.Delta to the balance in one conditional statement and
// returns the new balance.
func (s *Store) addBalance(ctx context.Context, tx *sqlx.Tx, e licensing.CreditEntry) (int64, error) {
	var b sq.Sqlizer
	if e.Delta >= 0 {
		b = s.base.Builder().Insert(balancesTable).Columns("platform_id", "account_id", "kind", "balance").
			Values(e.PlatformID, e.AccountID, e.Kind, e.Delta).
			Suffix("ON CONFLICT (platform_id, account_id, kind) DO UPDATE SET balance = "+balancesTable+
				".balance + excluded.balance WHERE "+balancesTable+".balance <= ? RETURNING balance", math.MaxInt64-e.Delta)
	} else {
		b = s.base.Builder().Update(balancesTable).Set("balance", sq.Expr("balance + ?", e.Delta)).
			Where(sq.Eq{"platform_id": e.PlatformID, "account_id": e.AccountID, "kind": e.Kind}).
			Where("balance + ? >= 0", e.Delta).Suffix("RETURNING balance")
	}
	var balance []int64
	if err := sqlkit.Select(ctx, tx, &balance, b); err != nil {
		return 0, err
	}
	switch {
	case len(balance) == 1:
		return balance[0], nil
	case e.Delta >= 0:
		return 0, sqlkit.Errorf(&licensing.InvalidError{Field: "Delta", Reason: "balance would overflow"},
			"account %q, %q", e.AccountID, e.Kind)
	}
	return 0, sqlkit.Errorf(licensing.ErrInsufficientCredits, "account %q has fewer than %d %q", e.AccountID, -e.Delta, e.Kind)
}

// Balances returns the account's balance of every kind it has had an entry
// of (zero balances included); an empty, non-nil map when none.
func (s *Store) Balances(ctx context.Context, platformID, accountID string) (map[string]int64, error) {
	var rows []struct {
		Kind    string `db:"kind"`
		Balance int64  `db:"balance"`
	}
	sel := s.base.Builder().Select("kind", "balance").From(balancesTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID})
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("balances", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Kind] = r.Balance
	}
	return out, nil
}

// CreditHistory returns up to q.Limit entries (every match when
// q.Limit <= 0) of the account, of q.Kind when set, newest first (At,
// then ID, descending), strictly after q.After when set.
func (s *Store) CreditHistory(ctx context.Context, q licensing.CreditQuery) ([]licensing.CreditEntry, error) {
	sel := s.base.Builder().Select(entryColumns...).From(entriesTable).
		Where(sq.Eq{"platform_id": q.PlatformID, "account_id": q.AccountID})
	if q.Kind != "" {
		sel = sel.Where(sq.Eq{"kind": q.Kind})
	}
	if c := q.After; c != nil {
		at := s.tm(c.At)
		sel = sel.Where("at <= ? AND (at < ? OR (at = ? AND id < ?))", at, at, at, c.ID)
	}
	sel = sel.OrderBy("at DESC", "id DESC")
	if q.Limit > 0 {
		sel = sel.Limit(uint64(q.Limit))
	}
	var rows []entryRow
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("credit history", err)
	}
	return sqlkit.Convert(rows, entryRow.entry), nil
}
