package memstore

import (
	"context"
	"sync"
)

// listeners holds the functions registered by ListenChanges.
type listeners struct {
	mu   sync.Mutex
	next int
	fns  map[int]*listener
}

// listener is one registered function; calls counts its calls in flight,
// so that ListenChanges returns only once they are over.
type listener struct {
	fn    func(platformID string)
	calls sync.WaitGroup
}

// ListenChanges calls fn with the platform ID for every domain change made
// through this store (InsertDomain, UpdateDomain, DeleteDomain that
// succeed), until ctx ends; then it returns ctx.Err(). ready, when not
// nil, is called once fn is registered.
//
// The store lives in one process, so fn hears only this store's changes.
// Calls are synchronous: fn runs in the goroutine of the writer, after the
// change is applied and outside the store's lock (so fn may read the
// store, or write to it), and the write returns only once every listener
// has returned. fn must therefore be quick, and safe for concurrent use,
// since writers run in parallel. No call starts after ListenChanges has
// returned.
func (s *Store) ListenChanges(ctx context.Context, ready func(), fn func(platformID string)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := &listener{fn: fn}
	id := s.listen.add(l)
	if ready != nil {
		ready()
	}
	<-ctx.Done()
	s.listen.remove(id)
	l.calls.Wait()
	return ctx.Err()
}

// add registers l and returns its ID.
func (ls *listeners) add(l *listener) int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.fns == nil {
		ls.fns = map[int]*listener{}
	}
	ls.next++
	ls.fns[ls.next] = l
	return ls.next
}

// remove unregisters listener id; calls already started may still run.
func (ls *listeners) remove(id int) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	delete(ls.fns, id)
}

// notify calls every registered listener with platformID. The caller
// holds no store lock.
func (s *Store) notify(platformID string) {
	s.listen.mu.Lock()
	active := make([]*listener, 0, len(s.listen.fns))
	for _, l := range s.listen.fns {
		l.calls.Add(1)
		active = append(active, l)
	}
	s.listen.mu.Unlock()
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

// deliver calls l.fn with platformID, then marks the call done, even when
// fn panics.
func (l *listener) deliver(platformID string) {
	defer l.calls.Done()
	l.fn(platformID)
}
