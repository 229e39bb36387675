package memstore

import "context"

// accountRef names an account of a platform whose licensing facts
// changed; account "*" stands for every account of the platform.
type accountRef struct{ platform, account string }

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
	return s.listen.Listen(ctx, ready, func(r accountRef) { fn(r.platform, r.account) })
}

// notify calls every registered listener for every ref, in order. The
// caller holds no store lock.
func (s *Store) notify(refs []accountRef) { s.listen.Deliver(refs...) }
