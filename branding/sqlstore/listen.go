package sqlstore

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Reconnection back-off of the PostgreSQL listener.
const (
	minBackoff = 50 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// listenPG is ListenChanges on PostgreSQL: LISTEN on a connection of the
// pool, taken for as long as ctx lives and reconnected when lost.
func (s *Store) listenPG(ctx context.Context, ready func(), fn func(platformID string)) error {
	subscribed := false
	backoff := minBackoff
	for {
		err := s.listenOnce(ctx, func() {
			backoff = minBackoff
			if !subscribed {
				subscribed = true
				ready()
				return
			}
			fn(Everything) // back after a gap: anything may have changed
		}, fn)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !subscribed {
			return fmt.Errorf("branding: sqlstore: listen changes: %w", err)
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

// listenOnce takes a connection of the pool, subscribes to Channel on it,
// calls subscribed, then calls fn for every notification until the
// connection fails or ctx ends. The connection is then discarded, never
// returned to the pool still subscribed.
func (s *Store) listenOnce(ctx context.Context, subscribed func(), fn func(platformID string)) error {
	conn, err := s.base.DB.Conn(ctx)
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
		if _, err := pc.Exec(ctx, "LISTEN "+Channel); err != nil {
			return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		subscribed()
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// ErrBadConn makes database/sql close the connection.
				return fmt.Errorf("%w: %w", driver.ErrBadConn, err)
			}
			if n.Channel == Channel {
				fn(n.Payload)
			}
		}
	})
}
