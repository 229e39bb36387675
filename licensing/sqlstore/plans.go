package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/licensing"
)

// InsertPlan adds p, its features sorted, with ev; licensing.ErrConflict
// when its ID exists or its name (compared exactly) is used on the
// platform. No license can name a plan before it exists, so no gate
// hears of it.
func (s *Store) InsertPlan(ctx context.Context, p licensing.Plan, ev audit.Event) error {
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		vals := s.planValues(p)
		vals["platform_id"], vals["id"], vals["created_at"] = p.PlatformID, p.ID, s.tm(p.CreatedAt)
		if err := sqlkit.Exec(ctx, tx, s.base.Builder().Insert(plansTable).SetMap(vals)); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("insert plan", err)
}

// UpdatePlan writes p, its features sorted, with ev, if its stored version
// is still p.Version-1, keeping the stored CreatedAt.
// licensing.ErrNotFound when it is missing, licensing.ErrStale when its
// version moved, licensing.ErrConflict when another plan holds the name.
// Listeners hear of every account of the platform, as account "*".
func (s *Store) UpdatePlan(ctx context.Context, p licensing.Plan, ev audit.Event) error {
	refs := []accountRef{{p.PlatformID, "*"}}
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		up := s.base.Builder().Update(plansTable).SetMap(s.planValues(p)).
			Where(sq.Eq{"platform_id": p.PlatformID, "id": p.ID, "version": p.Version - 1})
		n, err := sqlkit.ExecN(ctx, tx, up)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.planMissed(ctx, tx, p)
		}
		if err := s.notifyTx(ctx, tx, refs); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	if err != nil {
		return fail("update plan", err)
	}
	s.delivered(refs)
	return nil
}

// planMissed says why a guarded plan update changed nothing: the plan is
// missing, or its version moved.
func (s *Store) planMissed(ctx context.Context, tx *sqlx.Tx, p licensing.Plan) error {
	var version int64
	err := sqlkit.Get(ctx, tx, &version, s.base.Builder().Select("version").From(plansTable).
		Where(sq.Eq{"platform_id": p.PlatformID, "id": p.ID}))
	if errors.Is(err, sql.ErrNoRows) {
		return sqlkit.Errorf(licensing.ErrNotFound, "plan %q", p.ID)
	}
	if err != nil {
		return err
	}
	return sqlkit.Errorf(licensing.ErrStale, "plan %q is at version %d, not %d", p.ID, version, p.Version-1)
}

// GetPlan returns the plan, or licensing.ErrNotFound.
func (s *Store) GetPlan(ctx context.Context, platformID, id string) (licensing.Plan, error) {
	var r planRow
	sel := s.base.Builder().Select(planColumns...).From(plansTable).Where(sq.Eq{"platform_id": platformID, "id": id})
	if err := sqlkit.Get(ctx, s.base.DB, &r, sel); err != nil {
		return licensing.Plan{}, fail("get plan", err)
	}
	return r.plan(), nil
}

// Plans lists the platform's plans by name, then ID; nil when none.
func (s *Store) Plans(ctx context.Context, platformID string) ([]licensing.Plan, error) {
	var rows []planRow
	sel := s.base.Builder().Select(planColumns...).From(plansTable).Where(sq.Eq{"platform_id": platformID}).OrderBy("name", "id")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("plans", err)
	}
	return sqlkit.Convert(rows, planRow.plan), nil
}

// SetOverride sets (creates or replaces) an account's override of one
// feature, with ev, in one UPSERT. Listeners hear of the account.
func (s *Store) SetOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	refs := []accountRef{{o.PlatformID, o.AccountID}}
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		ins := s.base.Builder().Insert(overridesTable).Columns(overrideColumns...).
			Values(o.PlatformID, o.AccountID, o.Feature, o.Enabled, s.tm(o.UpdatedAt)).
			Suffix("ON CONFLICT (platform_id, account_id, feature) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at")
		if err := sqlkit.Exec(ctx, tx, ins); err != nil {
			return err
		}
		if err := s.notifyTx(ctx, tx, refs); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	if err != nil {
		return fail("set override", err)
	}
	s.delivered(refs)
	return nil
}

// DeleteOverride removes the account's override of o.Feature, with ev;
// licensing.ErrNotFound when there is none. Listeners hear of the account.
func (s *Store) DeleteOverride(ctx context.Context, o licensing.Override, ev audit.Event) error {
	refs := []accountRef{{o.PlatformID, o.AccountID}}
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		del := s.base.Builder().Delete(overridesTable).
			Where(sq.Eq{"platform_id": o.PlatformID, "account_id": o.AccountID, "feature": o.Feature})
		n, err := sqlkit.ExecN(ctx, tx, del)
		if err != nil {
			return err
		}
		if n == 0 {
			return sqlkit.Errorf(licensing.ErrNotFound, "override of %q for account %q", o.Feature, o.AccountID)
		}
		if err := s.notifyTx(ctx, tx, refs); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	if err != nil {
		return fail("delete override", err)
	}
	s.delivered(refs)
	return nil
}

// Overrides lists an account's overrides by feature; nil when none.
func (s *Store) Overrides(ctx context.Context, platformID, accountID string) ([]licensing.Override, error) {
	var rows []overrideRow
	sel := s.base.Builder().Select(overrideColumns...).From(overridesTable).
		Where(sq.Eq{"platform_id": platformID, "account_id": accountID}).OrderBy("feature")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("overrides", err)
	}
	return sqlkit.Convert(rows, overrideRow.override), nil
}

// SetHiddenFeatures replaces the features the platform hides from its
// clients with keys (each once), with ev. Hidden features are not gate
// facts: no listener hears of it.
func (s *Store) SetHiddenFeatures(ctx context.Context, platformID string, keys []string, ev audit.Event) error {
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := sqlkit.Exec(ctx, tx, s.base.Builder().Delete(hiddenTable).Where(sq.Eq{"platform_id": platformID})); err != nil {
			return err
		}
		vals := func(i int) []any { return []any{platformID, keys[i]} }
		if err := sqlkit.InsertRows(ctx, tx, s.base.Builder(), hiddenTable, []string{"platform_id", "feature"}, len(keys), vals, ""); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, ev)
	})
	return fail("set hidden features", err)
}

// HiddenFeatures lists the features the platform hides, sorted; nil when
// none.
func (s *Store) HiddenFeatures(ctx context.Context, platformID string) ([]string, error) {
	var keys []string
	sel := s.base.Builder().Select("feature").From(hiddenTable).Where(sq.Eq{"platform_id": platformID}).OrderBy("feature")
	if err := sqlkit.Select(ctx, s.base.DB, &keys, sel); err != nil {
		return nil, fail("hidden features", err)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	return keys, nil
}
