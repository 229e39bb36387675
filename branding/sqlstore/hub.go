package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// hubs holds the in-process listeners of every SQLite database handle
// that has any, so that Stores made on one handle hear each other. A
// handle's hub exists only while someone listens: nothing outlives the
// last listener.
var hubs = hubRegistry{m: map[*sql.DB]*hub{}}

type hubRegistry struct {
	mu sync.Mutex
	m  map[*sql.DB]*hub
}

// hub is the listeners of one handle.
type hub struct {
	next int
	fns  map[int]*listener
}

// listener is one registered function; calls counts its calls in flight,
// so that ListenChanges returns only once they are over.
type listener struct {
	fn    func(platformID string)
	calls sync.WaitGroup
}

// get returns db's hub, or nil when nobody listens.
func (r *hubRegistry) get(db *sql.DB) *hub {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[db]
}

// listen registers fn on db's hub until ctx ends, calls ready once it is
// registered, and returns ctx.Err() once no call of fn is in flight.
func (r *hubRegistry) listen(ctx context.Context, db *sql.DB, ready func(), fn func(platformID string)) error {
	l := &listener{fn: fn}
	r.mu.Lock()
	h := r.m[db]
	if h == nil {
		h = &hub{fns: map[int]*listener{}}
		r.m[db] = h
	}
	h.next++
	id := h.next
	h.fns[id] = l
	r.mu.Unlock()

	ready()
	<-ctx.Done()

	r.mu.Lock()
	delete(h.fns, id)
	if len(h.fns) == 0 && r.m[db] == h {
		delete(r.m, db)
	}
	r.mu.Unlock()
	l.calls.Wait()
	return ctx.Err()
}

// deliver calls every listener of h registered now with platformID, in
// the caller's goroutine.
func (h *hub) deliver(platformID string) {
	hubs.mu.Lock()
	active := make([]*listener, 0, len(h.fns))
	for _, l := range h.fns {
		l.calls.Add(1)
		active = append(active, l)
	}
	hubs.mu.Unlock()
	// Should a listener panic, the ones not yet called are released.
	defer func() {
		for _, l := range active {
			l.calls.Done()
		}
	}()
	for len(active) > 0 {
		l := active[0]
		active = active[1:]
		l.deliver(platformID)
	}
}

// deliver calls l.fn, then marks the call done, even when fn panics.
func (l *listener) deliver(platformID string) {
	defer l.calls.Done()
	l.fn(platformID)
}
