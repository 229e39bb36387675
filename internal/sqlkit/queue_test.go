package sqlkit_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

// TestQueueWrite: on SQLite one turn at a time per handle, shared by every
// wrapper of it, handed on when released; a waiter gives up when its
// context ends. On PostgreSQL turns never wait.
func TestQueueWrite(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		a, err := sqlkit.Wrap(db)
		require.NoError(t, err)
		b, err := sqlkit.Wrap(db) // another store on the same handle
		require.NoError(t, err)
		release, err := a.QueueWrite(context.Background())
		require.NoError(t, err)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		again, err := b.QueueWrite(ctx)
		if a.Dialect == sqlkit.Postgres {
			require.NoError(t, err, "PostgreSQL queues on its row locks, not here")
			again()
			release()
			return
		}
		require.ErrorIs(t, err, context.Canceled, "the turn is taken: a waiter leaves when its context ends")

		got := make(chan struct{})
		go func() {
			r, err := b.QueueWrite(context.Background())
			if err == nil {
				r()
			}
			close(got)
		}()
		release()
		<-got

		other := testdb.SQLite(t) // another handle has a queue of its own
		o, err := sqlkit.Wrap(other)
		require.NoError(t, err)
		release, err = a.QueueWrite(context.Background())
		require.NoError(t, err)
		r, err := o.QueueWrite(ctx)
		require.NoError(t, err, "a cancelled context still gets a free turn")
		r()
		release()
	})
}

// TestQueueWriteInUnit: inside a unit of work, which holds SQLite's write
// lock already, a turn is never waited for, even while another writer
// holds it (that writer waits for the unit's lock: waiting for its turn
// would stall both).
func TestQueueWriteInUnit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *sqlx.DB) {
		w, err := sqlkit.Wrap(db)
		require.NoError(t, err)
		release, err := w.QueueWrite(context.Background())
		require.NoError(t, err)
		defer release()
		err = w.Atomic(context.Background(), func(ctx context.Context) error {
			ended, cancel := context.WithCancel(ctx)
			cancel() // waiting would fail at once with context.Canceled
			r, err := w.QueueWrite(ended)
			if err != nil {
				return err
			}
			r()
			return nil
		})
		require.NoError(t, err, "no wait for a turn inside a unit")
	})
}
