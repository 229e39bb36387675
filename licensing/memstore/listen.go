package memstore

import (
	"context"
	"sync"
)

// accountRef names an account of a platform whose licensing facts
// changed; account "*" stands for every account of the platform.
type accountRef struct{ platform, account string }

// listeners holds the functions registered by ListenChanges.
type listeners struct {
	mu   sync.Mutex
	next int
	fns  map[int]*listener
}

// listener is one registered function; calls counts its calls in flight,
// so that ListenChanges returns only once they are over.
type listener struct {
	fn    func(platformID, accountID string)
	calls sync.WaitGroup
}

// NotifyChange tells this store's listeners that an account's facts
// changed, synchronously (see ListenChanges). It fails only when ctx has
// ended.
func (s *Store) NotifyChange(ctx context.Context, platformID, accountID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.notify([]accountRef{{platformID, accountID}})
	return nil
}

// ListenChanges calls fn for every change this store makes to an account's
// licensing facts, and for every NotifyChange, until ctx ends; then it
// returns ctx.Err(). ready, when not nil, is called once fn is registered.
//
// The changes heard are: WriteLicenses, for every account concerned (each
// license's account before and after the change, and the FromAccountID of
// its moves and unassignments); SetOverride and DeleteOverride, for the
// account; UpdatePlan, for every account of the platform, given as
// accountID "*". Credits and hidden features are not gate facts.
//
// The store lives in one process, so fn hears only this store's changes.
// Calls are synchronous: fn runs in the goroutine of the writer, after the
// change is applied and outside the store's lock (so fn may read the
// store, or write to it), and the write returns only once every listener
// has returned. fn must therefore be quick, and safe for concurrent use,
// since writers run in parallel. No call starts after ListenChanges has
// returned.
func (s *Store) ListenChanges(ctx context.Context, ready func(), fn func(platformID, accountID string)) error {
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

// notify calls every registered listener for every ref, in order. The
// caller holds no store lock.
func (s *Store) notify(refs []accountRef) {
	if len(refs) == 0 {
		return
	}
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
		l.deliver(refs)
	}
}

// deliver calls l.fn for every ref, then marks the call done, even when fn
// panics.
func (l *listener) deliver(refs []accountRef) {
	defer l.calls.Done()
	for _, r := range refs {
		l.fn(r.platform, r.account)
	}
}
