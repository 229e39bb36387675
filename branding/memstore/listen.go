package memstore

import "context"

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
	return s.listen.Listen(ctx, ready, fn)
}

// notify calls every registered listener with platformID. The caller
// holds no store lock.
func (s *Store) notify(platformID string) { s.listen.Deliver(platformID) }
