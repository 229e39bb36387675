package pgnotify

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/fanout"
	"github.com/tenantry/tenantry/internal/sqlkit"
)

// Reconnection back-off of the PostgreSQL listener.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// Config describes a Channel.
type Config[T any] struct {
	// Name is the PostgreSQL notification channel. It must be a plain
	// identifier, since LISTEN does not take it as a parameter.
	Name string
	// Encode turns a change into a payload of Name.
	Encode func(T) string
	// Decode turns a payload of Name back into a change; ok is false for
	// a payload Encode did not write, which is then ignored.
	Decode func(payload string) (change T, ok bool)
	// Everything is what listeners hear, on PostgreSQL, once subscribed
	// again after their connection was lost: a change that stands for
	// every change.
	Everything T
}

// Channel carries changes of type T. Make one per kind of change, as a
// package variable, so that every store of that kind in the process
// shares its in-process listeners.
type Channel[T any] struct {
	cfg  Config[T]
	hubs fanout.Registry[*sql.DB, T]
}

// New returns a Channel described by cfg.
func New[T any](cfg Config[T]) *Channel[T] { return &Channel[T]{cfg: cfg} }

// Name returns the PostgreSQL notification channel.
func (c *Channel[T]) Name() string { return c.cfg.Name }

// NotifyTx, on PostgreSQL, queues a notification of every change in tx, in
// one statement; PostgreSQL delivers them when tx commits, and not at all
// when it rolls back. On SQLite it does nothing: call Delivered once tx
// has committed.
func (c *Channel[T]) NotifyTx(ctx context.Context, db sqlkit.DB, tx *sqlx.Tx, changes ...T) error {
	if db.Dialect != sqlkit.Postgres || len(changes) == 0 {
		return nil
	}
	payloads := make([]string, len(changes))
	for i, ch := range changes {
		payloads[i] = c.cfg.Encode(ch)
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, x) FROM unnest($2::text[]) AS x`, c.cfg.Name, payloads)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// Delivered, on SQLite, tells this process's listeners on db of changes,
// in the caller's goroutine, once their transaction has committed; on
// PostgreSQL it does nothing, since the notifications queued by NotifyTx
// reach them through LISTEN, like those of other processes.
func (c *Channel[T]) Delivered(db sqlkit.DB, changes ...T) {
	if db.Dialect == sqlkit.Postgres {
		return
	}
	c.hubs.Deliver(db.DB.DB, changes...)
}

// Notify tells every listener of change, outside any transaction. On
// PostgreSQL it runs pg_notify, and every process listening on the
// database hears it. On SQLite it reaches the listeners of this process on
// the same handle; it fails only when ctx has ended. Errors carry no
// package prefix; the caller adds its own.
func (c *Channel[T]) Notify(ctx context.Context, db sqlkit.DB, change T) error {
	if db.Dialect == sqlkit.Postgres {
		_, err := db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, c.cfg.Name, c.cfg.Encode(change))
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Delivered(db, change)
	return nil
}

// Listen calls fn for every change notified on db, until ctx ends; then it
// returns ctx.Err(). ready, when not nil, is called once, as soon as fn
// will hear every change committed after it.
//
// On PostgreSQL, Listen holds one connection of the pool for as long as it
// runs, LISTENs on the channel there, and calls fn from its own goroutine,
// one notification at a time, in commit order. Should the connection be
// lost, it reconnects with a bounded back-off (from 50ms doubling to 5s),
// and then calls fn with Config.Everything. A failure to subscribe the
// first time is returned at once, before ready, as it is: it is the only
// error other than ctx.Err() that Listen returns, so a caller that adds
// its prefix to it does so when err != ctx.Err().
//
// On SQLite, fn hears the Delivered and Notify calls of this process on
// the same handle, synchronously, in the caller's goroutine.
func (c *Channel[T]) Listen(ctx context.Context, db sqlkit.DB, ready func(), fn func(T)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if ready == nil {
		ready = func() {}
	}
	if db.Dialect == sqlkit.Postgres {
		return c.listenPG(ctx, db, ready, fn)
	}
	return c.hubs.Listen(ctx, db.DB.DB, ready, fn)
}

// listenPG is Listen on PostgreSQL: LISTEN on a connection of the pool,
// taken for as long as ctx lives and reconnected when lost.
func (c *Channel[T]) listenPG(ctx context.Context, db sqlkit.DB, ready func(), fn func(T)) error {
	subscribed := false
	backoff := minBackoff
	for {
		err := c.listenOnce(ctx, db, func() {
			backoff = minBackoff
			if !subscribed {
				subscribed = true
				ready()
				return
			}
			fn(c.cfg.Everything) // back after a gap: anything may have changed
		}, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !subscribed {
			return err
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listenOnce takes a connection of the pool, subscribes to the channel on
// it, calls subscribed, then calls fn for every notification until the
// connection fails or ctx ends. The connection is then discarded, never
// returned to the pool still subscribed.
func (c *Channel[T]) listenOnce(ctx context.Context, db sqlkit.DB, subscribed func(), fn func(T)) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("the driver connection is a %T, not a pgx stdlib *stdlib.Conn", dc)
		}
		pc := sc.Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+c.cfg.Name); err != nil {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		subscribed()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// ErrBadConn makes database/sql close the connection.
				return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
			}
			if n.Channel != c.cfg.Name {
				continue
			}
			if ch, ok := c.cfg.Decode(n.Payload); ok {
				fn(ch)
			}
		}
	})
}
