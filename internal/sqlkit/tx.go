package sqlkit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jmoiron/sqlx"
)

// DB pairs a handle with its dialect; every SQL store embeds one.
type DB struct {
	*sqlx.DB
	Dialect Dialect
}

// Wrap returns db with its dialect, or an error for an unsupported driver.
func Wrap(db *sqlx.DB) (DB, error) {
	d, err := DialectOf(db)
	if err != nil {
		return DB{}, err
	}
	return DB{DB: db, Dialect: d}, nil
}

// MaxAttempts is how many times InTx (and Retry) runs a transaction that
// keeps failing with lock contention before it gives up.
const MaxAttempts = 12

// InTx runs fn in a write transaction and commits it, rolling back on error.
// On SQLite opened with _txlock=immediate the write lock is taken at BEGIN,
// so concurrent writers queue on busy_timeout instead of deadlocking; on
// PostgreSQL the transaction is READ COMMITTED and the stores use row locks
// and conditional statements. Either way, a transaction that fails with
// lock contention (SQLITE_BUSY, serialization failure, deadlock) is retried
// from the start with a short randomised back-off, so fn must be safe to run
// again (touch only the transaction, keep no state across attempts).
// Inside a unit of work on the same handle (Atomic), fn runs in the
// unit's transaction instead, in a savepoint undone if fn fails.
func (db DB) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	if u := unitOf(ctx, db.DB); u != nil {
		return u.nested(ctx, fn) // the unit commits, or retries, as a whole
	}
	return Retry(ctx, func() error { return db.tryTx(ctx, fn) })
}

// Retry runs fn, a statement or transaction on its own connection, and runs
// it again after a short randomised back-off while it fails with lock
// contention (SQLITE_BUSY, serialization failure, deadlock), at most
// MaxAttempts times in all. fn must be safe to run again.
func Retry(ctx context.Context, fn func() error) error {
	var err error
	for attempt := 0; attempt < MaxAttempts; attempt++ {
		err = fn()
		if kind, _ := Classify(err); kind != KindRetry {
			return err
		}
		backoff := time.Duration(1+rand.IntN(1<<min(attempt, 6))) * time.Millisecond
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
	return fmt.Errorf("sqlkit: gave up after %d attempts: %w", MaxAttempts, err)
}

func (db DB) tryTx(ctx context.Context, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
