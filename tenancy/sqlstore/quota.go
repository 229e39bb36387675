package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy"
)

// SetPool sets a resource's capacity with r.Event. An existing pool is
// changed by one conditional UPDATE (capacity not below allocated); a
// missing one is created with Allocated the sum of the resource's
// allocations, under a lock on the platform row (PostgreSQL) that
// allocations finding no pool also take, so none is left uncounted.
// tenancy.ErrQuotaExceeded when the capacity is below what is allocated,
// tenancy.ErrNotFound when the platform is missing.
func (s *Store) SetPool(ctx context.Context, r tenancy.SetPool) (tenancy.Pool, error) {
	var p poolRow
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		returning := "RETURNING " + strings.Join(poolColumns, ", ")
		up := s.base.Builder().Update(poolsTable).Set("capacity", r.Capacity).Set("updated_at", s.tm(r.Now)).
			Where(sq.Eq{"platform_id": r.PlatformID, "resource": r.Resource}).
			Where("allocated <= ?", r.Capacity).Suffix(returning)
		err := sqlkit.Get(ctx, tx, &p, up)
		if errors.Is(err, sql.ErrNoRows) {
			err = s.createPool(ctx, tx, r, &p)
		}
		if err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	if err != nil {
		return tenancy.Pool{}, fail("set pool", err)
	}
	return p.pool(), nil
}

// createPool creates r's pool, or finds it too small for its allocations.
func (s *Store) createPool(ctx context.Context, tx *sqlx.Tx, r tenancy.SetPool, p *poolRow) error {
	var allocated int64
	sel := s.base.Builder().Select("allocated").From(poolsTable).Where(sq.Eq{"platform_id": r.PlatformID, "resource": r.Resource})
	err := sqlkit.Get(ctx, tx, &allocated, sel)
	if err == nil {
		return sqlkit.Errorf(tenancy.ErrQuotaExceeded, "capacity %d of %q is below the %d units allocated", r.Capacity, r.Resource, allocated)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := s.lockPlatform(ctx, tx, r.PlatformID, "FOR NO KEY UPDATE"); err != nil {
		return err
	}
	// The sum is read after the lock: allocations that found no pool have
	// committed or wait for this transaction. ON CONFLICT covers a pool
	// another transaction created meanwhile.
	ins := s.raw(`INSERT INTO `+poolsTable+` (`+strings.Join(poolColumns, ", ")+`)
		SELECT ?, ?, ?, COALESCE(SUM(lim), 0), ? FROM `+allocsTable+` WHERE platform_id = ? AND resource = ?
		ON CONFLICT (platform_id, resource) DO UPDATE
		SET capacity = excluded.capacity, updated_at = excluded.updated_at
		WHERE `+poolsTable+`.allocated <= excluded.capacity
		RETURNING `+strings.Join(poolColumns, ", "),
		r.PlatformID, r.Resource, r.Capacity, s.tm(r.Now), r.PlatformID, r.Resource)
	err = sqlkit.Get(ctx, tx, p, ins)
	if errors.Is(err, sql.ErrNoRows) {
		return sqlkit.Errorf(tenancy.ErrQuotaExceeded, "capacity %d of %q is below what is allocated", r.Capacity, r.Resource)
	}
	return err
}

// Pools lists the platform's pools by resource.
func (s *Store) Pools(ctx context.Context, platformID string) ([]tenancy.Pool, error) {
	var rows []poolRow
	sel := s.base.Builder().Select(poolColumns...).From(poolsTable).Where(sq.Eq{"platform_id": platformID}).OrderBy("resource")
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel); err != nil {
		return nil, fail("pools", err)
	}
	return sqlkit.Convert(rows, poolRow.pool), nil
}

// movePool changes the units allocated from a resource's pool by delta
// (drawn when positive, given back when negative) in one conditional
// UPDATE; a resource without a pool is unlimited and nothing changes.
// tenancy.ErrQuotaExceeded when the pool lacks room.
//
// On PostgreSQL, when no pool row was updated, it waits on the platform row
// (FOR SHARE) for a SetPool creating the pool before it looks for the pool:
// a pool created meanwhile either counted this transaction's allocations
// already or is created after it commits, and a pool found then gets the
// conditional UPDATE again.
func (s *Store) movePool(ctx context.Context, tx *sqlx.Tx, platformID, resource string, delta int64, now time.Time) error {
	if delta == 0 {
		return nil
	}
	up := s.base.Builder().Update(poolsTable).
		Set("allocated", sq.Expr("allocated + ?", delta)).
		Set("updated_at", sq.Expr("COALESCE(?, updated_at)", s.tm(now))).
		Where(sq.Eq{"platform_id": platformID, "resource": resource}).
		Where("allocated + ? <= capacity AND allocated + ? >= 0", delta, delta)
	n, err := sqlkit.ExecN(ctx, tx, up)
	if err != nil || n > 0 {
		return err
	}
	if err := s.lockPlatform(ctx, tx, platformID, "FOR SHARE"); err != nil {
		return err
	}
	var p poolRow
	sel := s.base.Builder().Select(poolColumns...).From(poolsTable).Where(sq.Eq{"platform_id": platformID, "resource": resource})
	if err := sqlkit.Get(ctx, tx, &p, sel); errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	if s.base.DB.Dialect == sqlkit.Postgres {
		if n, err = sqlkit.ExecN(ctx, tx, up); err != nil || n > 0 {
			return err
		}
	}
	return sqlkit.Errorf(tenancy.ErrQuotaExceeded, "pool of %q has %d of %d units free, %d asked",
		resource, p.Capacity-p.Allocated, p.Capacity, delta)
}

// AdjustAllocation changes an account's allocation by r.Delta with
// r.Event: the allocation row first (created at zero when missing), then
// its pool, so that every transaction locks an account's allocation before
// a pool. tenancy.ErrQuotaExceeded when the pool lacks room,
// tenancy.ErrConflict when the limit would fall below what is used or
// below zero, tenancy.ErrNotFound when the account is missing.
func (s *Store) AdjustAllocation(ctx context.Context, r tenancy.AdjustAllocation) (tenancy.Allocation, error) {
	var a allocRow
	err := s.base.DB.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if a, err = s.adjust(ctx, tx, r); err != nil {
			return err
		}
		return s.base.WriteEvents(ctx, tx, r.Event)
	})
	if err != nil {
		return tenancy.Allocation{}, fail("adjust allocation", err)
	}
	return a.allocation(), nil
}

// adjust does AdjustAllocation's work in tx.
func (s *Store) adjust(ctx context.Context, tx *sqlx.Tx, r tenancy.AdjustAllocation) (allocRow, error) {
	var a allocRow
	returning := " RETURNING " + strings.Join(allocColumns, ", ")
	var q raw
	if r.Delta >= 0 {
		q = s.raw(`INSERT INTO `+allocsTable+` (`+strings.Join(allocColumns, ", ")+`) VALUES (?, ?, ?, ?, 0, ?)
			ON CONFLICT (platform_id, account_id, resource) DO UPDATE
			SET lim = `+allocsTable+`.lim + excluded.lim, updated_at = excluded.updated_at`+returning,
			r.PlatformID, r.AccountID, r.Resource, r.Delta, s.tm(r.Now))
	} else {
		q = s.raw(`UPDATE `+allocsTable+` SET lim = lim + ?, updated_at = COALESCE(?, updated_at)
			WHERE platform_id = ? AND account_id = ? AND resource = ? AND lim + ? >= used`+returning,
			r.Delta, s.tm(r.Now), r.PlatformID, r.AccountID, r.Resource, r.Delta)
	}
	err := sqlkit.Get(ctx, tx, &a, q)
	if errors.Is(err, sql.ErrNoRows) {
		if err := s.accountExists(ctx, tx, r.PlatformID, r.AccountID); err != nil {
			return a, err
		}
		return a, sqlkit.Errorf(tenancy.ErrConflict, "allocation of %q cannot fall below its use or zero", r.Resource)
	}
	if err != nil {
		return a, err
	}
	return a, s.movePool(ctx, tx, r.PlatformID, r.Resource, r.Delta, r.Now)
}

// accountExists returns nil when the account exists, else
// tenancy.ErrNotFound.
func (s *Store) accountExists(ctx context.Context, q sqlx.QueryerContext, platformID, accountID string) error {
	var id string
	sel := s.base.Builder().Select("id").From(accountsTable).Where(sq.Eq{"platform_id": platformID, "id": accountID})
	if err := sqlkit.Get(ctx, q, &id, sel); errors.Is(err, sql.ErrNoRows) {
		return sqlkit.Errorf(tenancy.ErrNotFound, "account %q", accountID)
	} else if err != nil {
		return err
	}
	return nil
}

// UseQuota uses r.N units of an account's allocation (gives them back when
// negative) in one conditional UPDATE, run on its own (autocommit, no
// transaction around it): the statement is atomic by itself, and the row
// lock (PostgreSQL) or write lock (SQLite) is held only while it runs. On
// SQLite the callers racing in this process take turns through
// sqlkit.DB.QueueWrite rather than SQLite's sleeping busy handler.
// tenancy.ErrQuotaExceeded when the allocation is missing or Used would
// pass Limit, tenancy.ErrConflict when Used would fall below zero.
func (s *Store) UseQuota(ctx context.Context, r tenancy.UseQuota) (tenancy.Allocation, error) {
	var a allocRow
	err := sqlkit.Retry(ctx, func() error {
		release, err := s.base.DB.QueueWrite(ctx)
		if err != nil {
			return err
		}
		defer release()
		a, err = s.useQuota(ctx, s.base.DB, r)
		return err
	})
	if err != nil {
		return tenancy.Allocation{}, fail("use quota", err)
	}
	return a.allocation(), nil
}

// useQuotaReads bounds how many times useQuota reads an allocation that a
// racing change made fit again after its UPDATE found it full.
const useQuotaReads = 3

// useQuota runs UseQuota's conditional UPDATE on q, a handle or a
// transaction. When it changes no row, the allocation is read to tell why;
// outside a transaction a racing change may have made room since, and the
// UPDATE is tried again.
func (s *Store) useQuota(ctx context.Context, q sqlx.QueryerContext, r tenancy.UseQuota) (allocRow, error) {
	var a allocRow
	up := s.base.Builder().Update(allocsTable).
		Set("used", sq.Expr("used + ?", r.N)).
		Set("updated_at", sq.Expr("COALESCE(?, updated_at)", s.tm(r.Now))).
		Where(sq.Eq{"platform_id": r.PlatformID, "account_id": r.AccountID, "resource": r.Resource}).
		Where("used + ? <= lim AND used + ? >= 0", r.N, r.N).
		Suffix("RETURNING " + strings.Join(allocColumns, ", "))
	sel := s.base.Builder().Select(allocColumns...).From(allocsTable).
		Where(sq.Eq{"platform_id": r.PlatformID, "account_id": r.AccountID, "resource": r.Resource})
	for range useQuotaReads {
		err := sqlkit.Get(ctx, q, &a, up)
		if !errors.Is(err, sql.ErrNoRows) {
			return a, err
		}
		switch err := sqlkit.Get(ctx, q, &a, sel); {
		case errors.Is(err, sql.ErrNoRows):
			return a, sqlkit.Errorf(tenancy.ErrQuotaExceeded, "no allocation of %q", r.Resource)
		case err != nil:
			return a, err
		case a.Used+r.N < 0:
			return a, sqlkit.Errorf(tenancy.ErrConflict, "use of %q would fall below zero", r.Resource)
		case a.Used+r.N > a.Lim:
			return a, sqlkit.Errorf(tenancy.ErrQuotaExceeded, "allocation of %q has %d of %d units free, %d asked",
				r.Resource, a.Lim-a.Used, a.Lim, r.N)
		}
	}
	return a, sqlkit.Errorf(tenancy.ErrQuotaExceeded, "allocation of %q has %d of %d units free, %d asked, and keeps changing",
		r.Resource, a.Lim-a.Used, a.Lim, r.N)
}

// Allocations lists the allocations of the given accounts (all of the
// platform's when accountIDs is empty), by account then resource, in one
// query whatever the number of accounts.
func (s *Store) Allocations(ctx context.Context, platformID string, accountIDs []string) ([]tenancy.Allocation, error) {
	var rows []allocRow
	sel := s.base.Builder().Select(allocColumns...).From(allocsTable).Where(sq.Eq{"platform_id": platformID})
	if len(accountIDs) > 0 {
		sel = sel.Where(s.base.DB.Dialect.In("account_id", accountIDs))
	}
	if err := sqlkit.Select(ctx, s.base.DB, &rows, sel.OrderBy("account_id", "resource")); err != nil {
		return nil, fail("allocations", err)
	}
	return sqlkit.Convert(rows, allocRow.allocation), nil
}
