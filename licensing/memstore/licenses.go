package memstore

import (
	"context"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
)

// WriteLicenses applies changes in order, atomically, with ev: an Insert
// adds the license (licensing.ErrConflict when its ID exists), any other
// change replaces the license if its stored version is still
// License.Version-1 (licensing.ErrStale otherwise, licensing.ErrNotFound
// when missing), keeping the stored CreatedAt; each change's History
// entries are appended (licensing.ErrConflict for an entry ID already used
// on its platform).
//
// The changes are applied in order to a copy of the licenses they name,
// and only the outcome of the whole batch is checked: a number held by two
// licenses, or two licenses stored Active for one account, is
// licensing.ErrConflict and nothing is written. A batch may thus move an
// account's active license away and give it another.
//
// Once written, listeners hear of every account concerned: each license's
// account before and after every change, and the accounts its history
// entries name (the FromAccountID of a move or unassignment).
func (s *Store) WriteLicenses(ctx context.Context, changes []licensing.LicenseChange, ev audit.Event) error {
	touched, err := s.writeLicenses(ctx, changes, ev)
	if err != nil {
		return err
	}
	s.notify(touched)
	return nil
}

func (s *Store) writeLicenses(ctx context.Context, changes []licensing.LicenseChange, ev audit.Event) ([]accountRef, error) {
	const op = "write licenses"
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &licenseBatch{
		s:       s,
		work:    map[licKey]licensing.License{},
		histIDs: map[licKey]struct{}{},
		seen:    map[accountRef]bool{},
	}
	for _, c := range changes {
		if err := b.apply(op, c); err != nil {
			return nil, err
		}
	}
	if err := b.check(op); err != nil {
		return nil, err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return nil, err
	}
	b.commit()
	return b.touched, nil
}

// licKey names a record of one platform: a license, a history entry, or
// (in check) a license number.
type licKey struct{ platform, id string }

// licenseBatch is a WriteLicenses call being applied on a copy: work holds
// the state every license it writes will have, history the entries to
// append. The store is untouched until commit.
type licenseBatch struct {
	s       *Store
	work    map[licKey]licensing.License
	history []licensing.HistoryEntry
	histIDs map[licKey]struct{}
	// touched lists the accounts concerned, in first-seen order.
	touched []accountRef
	seen    map[accountRef]bool
}

// current returns the license k as the batch has left it so far.
func (b *licenseBatch) current(k licKey) (licensing.License, bool) {
	if l, ok := b.work[k]; ok {
		return l, true
	}
	if pd := b.s.platforms[k.platform]; pd != nil {
		l, ok := pd.licenses[k.id]
		return l, ok
	}
	return licensing.License{}, false
}

// apply applies c to the copy, refusing a duplicate insert, a missing or
// stale update, or a history entry ID already used.
func (b *licenseBatch) apply(op string, c licensing.LicenseChange) error {
	l := cloneLicense(c.License)
	k := licKey{l.PlatformID, l.ID}
	cur, exists := b.current(k)
	switch {
	case c.Insert && exists:
		return failf(op, licensing.ErrConflict, "license %q exists", l.ID)
	case c.Insert:
	case !exists:
		return failf(op, licensing.ErrNotFound, "license %q", l.ID)
	case cur.Version != l.Version-1:
		return failf(op, licensing.ErrStale, "license %q is at version %d, not %d", l.ID, cur.Version, l.Version-1)
	default:
		l.CreatedAt = cur.CreatedAt
		b.touch(k.platform, cur.AccountID)
	}
	b.work[k] = l
	b.touch(k.platform, l.AccountID)
	for _, h := range c.History {
		h = cloneHistory(h)
		hk := licKey{h.PlatformID, h.ID}
		_, inBatch := b.histIDs[hk]
		if pd := b.s.platforms[h.PlatformID]; inBatch || pd != nil && hasKey(pd.historyIDs, h.ID) {
			return failf(op, licensing.ErrConflict, "history entry %q exists", h.ID)
		}
		b.histIDs[hk] = struct{}{}
		b.history = append(b.history, h)
		b.touch(h.PlatformID, h.AccountID)
		b.touch(h.PlatformID, h.FromAccountID)
	}
	return nil
}

// touch adds an account to those concerned; the empty account is none.
func (b *licenseBatch) touch(platformID, accountID string) {
	ref := accountRef{platformID, accountID}
	if accountID == "" || b.seen[ref] {
		return
	}
	b.seen[ref] = true
	b.touched = append(b.touched, ref)
}

// check refuses the outcome of the batch when a license number would be
// held twice on a platform, or an account would have two licenses stored
// Active.
func (b *licenseBatch) check(op string) error {
	numbers := make(map[licKey]string, len(b.work))
	actives := map[accountRef]int{}
	for k, l := range b.work {
		nk := licKey{k.platform, l.Number}
		if other, ok := numbers[nk]; ok {
			return failf(op, licensing.ErrConflict, "licenses %q and %q both hold number %q", other, k.id, l.Number)
		}
		numbers[nk] = k.id
		if pd := b.s.platforms[k.platform]; pd != nil {
			if owner, ok := pd.numbers[l.Number]; ok && owner != k.id && !hasKey(b.work, licKey{k.platform, owner}) {
				return failf(op, licensing.ErrConflict, "license number %q is taken", l.Number)
			}
		}
		if l.Status == licensing.Active && l.AccountID != "" {
			actives[accountRef{k.platform, l.AccountID}]++
		}
	}
	for ref, n := range actives {
		if pd := b.s.platforms[ref.platform]; pd != nil {
			if id, ok := pd.active[ref.account]; ok && !hasKey(b.work, licKey{ref.platform, id}) {
				n++
			}
		}
		if n > 1 {
			return failf(op, licensing.ErrConflict, "account %q would have %d active licenses", ref.account, n)
		}
	}
	return nil
}

// commit writes the batch to the store and its indexes: first it drops
// the index entries of the licenses' old states, then it adds the new
// ones, so that licenses swapping numbers or accounts within the batch
// keep their indexes right.
func (b *licenseBatch) commit() {
	for k := range b.work {
		pd := b.s.writable(k.platform)
		old, ok := pd.licenses[k.id]
		if !ok {
			continue
		}
		if pd.numbers[old.Number] == k.id {
			delete(pd.numbers, old.Number)
		}
		if pd.active[old.AccountID] == k.id {
			delete(pd.active, old.AccountID)
		}
	}
	for k, l := range b.work {
		pd := b.s.platforms[k.platform]
		pd.licenses[k.id] = l
		pd.numbers[l.Number] = k.id
		if l.Status == licensing.Active && l.AccountID != "" {
			pd.active[l.AccountID] = k.id
		}
	}
	for _, h := range b.history {
		pd := b.s.writable(h.PlatformID)
		pd.history[h.LicenseID] = append(pd.history[h.LicenseID], h)
		pd.historyIDs[h.ID] = struct{}{}
	}
}

func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}
