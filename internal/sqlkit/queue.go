package sqlkit

import (
	"context"
	"sync"
)

// writeQueues holds one write queue per SQLite handle (*sqlx.DB), shared
// by every store wrapping that handle.
var writeQueues sync.Map // *sqlx.DB -> chan struct{}

// QueueWrite waits for this process's turn to write to db and returns the
// function that gives the turn back. On SQLite, where one writer at a time
// holds the database anyway, writers racing in one process then queue here,
// handed the turn as soon as the last one is done, instead of sleeping and
// polling in SQLite's busy handler (which sleeps up to 100 ms a try and
// leaves the database idle between tries); writers of other processes
// still meet at SQLite's lock and busy_timeout. On PostgreSQL, whose row
// locks queue writers themselves, and inside a unit of work (Atomic), it
// returns at once. It fails only when
// ctx ends while it waits.
//
// Hold the turn only around statements on db itself: a write made while
// holding it through another connection that also asks for a turn would
// wait for ever.
func (db DB) QueueWrite(ctx context.Context) (release func(), err error) {
	if db.Dialect != SQLite || unitOf(ctx, db.DB) != nil {
		// PostgreSQL queues writers at its row locks; a unit of work
		// holds SQLite's write lock already (and queueing behind a writer
		// that waits for that lock would stall both).
		return func() {}, nil
	}
	q, _ := writeQueues.LoadOrStore(db.DB, make(chan struct{}, 1))
	turn := q.(chan struct{})
	select { // a free turn is taken even when ctx has ended
	case turn <- struct{}{}:
		return func() { <-turn }, nil
	default:
	}
	select {
	case turn <- struct{}{}:
		return func() { <-turn }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
