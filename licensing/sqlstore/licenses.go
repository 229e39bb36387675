package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// WriteLicenses applies changes in order, in one transaction, with ev. An
// Insert adds the license (ErrConflict when its ID exists); any other
// change updates it if its stored version is still License.Version-1
// (ErrStale otherwise, ErrNotFound when missing), keeping the stored
// CreatedAt; a license changed twice in the batch is checked against its
// previous change. Each change's History entries are appended
// (ErrConflict for an entry ID used before).
//
// As in memstore, the outcome of the whole batch is checked, not each step:
// a batch may move an account's active license away and give it another in
// either order, or swap two numbers. The store first parks every license
// the batch updates (one statement, which also checks every version and
// reads every license's account before the change): its number becomes
// "parked:" + ID and its status inactive. Then it writes each license's
// final state, and the unique constraints (number per platform, at most one
// active license per account) judge the outcome: ErrConflict, and nothing
// is written.
//
// Listeners hear of every account concerned: each license's account before
// and after the batch, and the accounts its history entries name.
func (s *Store) WriteLicenses(ctx context.Context, changes []licensing.LicenseChange, ev audit.Event) error {
	var touched []accountRef
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if touched, err = s.writeLicenses(ctx, tx, changes); err != nil {
			return err
		}
		if err := s.notifyTx(ctx, tx, touched); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	if err != nil {
		return fail("write licenses", err)
	}
	s.delivered(touched)
	return nil
}

// licKey names a license of a platform.
type licKey struct{ platform, id string }

// pending is the state a license will have once the batch is written.
type pending struct {
	l licensing.License
	// insert is set when the batch adds the license; expect is otherwise
	// the stored version the batch's first change of it requires.
	insert bool
	expect int64
}

// writeLicenses does WriteLicenses' work, but notifying and the event, in
// tx, and returns the accounts concerned.
func (s *Store) writeLicenses(ctx context.Context, tx *sqlx.Tx, changes []licensing.LicenseChange) ([]accountRef, error) {
	var order []licKey
	final := map[licKey]*pending{}
	var history []licensing.HistoryEntry
	for _, c := range changes {
		l := c.License
		k := licKey{l.PlatformID, l.ID}
		p, seen := final[k]
		switch {
		case seen && c.Insert:
			return nil, sqlkit.Errorf(licensing.ErrConflict, "license %q exists", l.ID)
		case seen && p.l.Version != l.Version-1:
			return nil, sqlkit.Errorf(licensing.ErrStale, "license %q is at version %d, not %d", l.ID, p.l.Version, l.Version-1)
		case seen:
			l.CreatedAt = p.l.CreatedAt
			p.l = l
		default:
			final[k] = &pending{l: l, insert: c.Insert, expect: l.Version - 1}
			order = append(order, k)
		}
		history = append(history, c.History...)
	}
	before, err := s.park(ctx, tx, order, final)
	if err != nil {
		return nil, err
	}
	for _, k := range order {
		if err := s.putLicense(ctx, tx, final[k]); err != nil {
			return nil, err
		}
	}
	vals := func(i int) []any { return s.historyValues(history[i]) }
	if err := sqlkit.InsertRows(ctx, tx, s.base.Builder(), historyTable, historyColumns, len(history), vals, ""); err != nil {
		return nil, err
	}
	var t touchedSet
	for _, k := range order {
		t.add(k.platform, before[k])
		t.add(k.platform, final[k].l.AccountID)
	}
	for _, h := range history {
		t.add(h.PlatformID, h.AccountID)
		t.add(h.PlatformID, h.FromAccountID)
	}
	return t.refs, nil
}

// park checks the stored version of every license of order the batch
// updates, and parks them (see WriteLicenses) in one statement. It returns
// each one's account before the batch.
func (s *Store) park(ctx context.Context, tx *sqlx.Tx, order []licKey, final map[licKey]*pending) (map[licKey]string, error) {
	var where sq.Or
	for _, k := range order {
		if p := final[k]; !p.insert {
			where = append(where, sq.Eq{"platform_id": k.platform, "id": k.id, "version": p.expect})
		}
	}
	if len(where) == 0 {
		return nil, nil
	}
	up := s.base.Builder().Update(licensesTable).
		Set("number", sq.Expr("'parked:' || id")).Set("status", string(licensing.Inactive)).
		Where(where).Suffix("RETURNING platform_id, id, account_id")
	var rows []struct {
		PlatformID string `db:"platform_id"`
		ID         string `db:"id"`
		AccountID  string `db:"account_id"`
	}
	if err := sqlkit.Select(ctx, tx, &rows, up); err != nil {
		return nil, err
	}
	before := make(map[licKey]string, len(rows))
	for _, r := range rows {
		before[licKey{r.PlatformID, r.ID}] = r.AccountID
	}
	if len(rows) == len(where) {
		return before, nil
	}
	for _, k := range order { // some version moved, or a license is missing: say which
		if _, ok := before[k]; ok || final[k].insert {
			continue
		}
		var version int64
		err := sqlkit.Get(ctx, tx, &version, s.base.Builder().Select("version").From(licensesTable).
			Where(sq.Eq{"platform_id": k.platform, "id": k.id}))
		if errors.Is(err, sql.ErrNoRows) {
			return nil, sqlkit.Errorf(licensing.ErrNotFound, "license %q", k.id)
		}
		if err != nil {
			return nil, err
		}
		return nil, sqlkit.Errorf(licensing.ErrStale, "license %q is at version %d, not %d", k.id, version, final[k].expect)
	}
	return before, nil
}

// putLicense writes p's final state: an INSERT of a new license, else an
// UPDATE of the parked one.
func (s *Store) putLicense(ctx context.Context, tx *sqlx.Tx, p *pending) error {
	l := p.l
	vals := s.licenseValues(l)
	if !p.insert {
		return sqlkit.Exec(ctx, tx, s.base.Builder().Update(licensesTable).SetMap(vals).
			Where(sq.Eq{"platform_id": l.PlatformID, "id": l.ID}))
	}
	vals["platform_id"], vals["id"], vals["created_at"] = l.PlatformID, l.ID, s.tm(l.CreatedAt)
	return sqlkit.Exec(ctx, tx, s.base.Builder().Insert(licensesTable).SetMap(vals))
}

// accountRef names an account of a platform whose gate facts changed;
// account "*" stands for every account of the platform.
type accountRef struct{ platform, account string }

// touchedSet collects accounts, each once, in first-seen order.
type touchedSet struct {
	refs []accountRef
	seen map[accountRef]bool
}

// add adds an account; the empty account is none.
func (t *touchedSet) add(platformID, accountID string) {
	ref := accountRef{platformID, accountID}
	if accountID == "" || t.seen[ref] {
		return
	}
	if t.seen == nil {
		t.seen = map[accountRef]bool{}
	}
	t.seen[ref] = true
	t.refs = append(t.refs, ref)
}
