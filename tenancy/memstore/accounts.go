package memstore

import (
	"context"
	"slices"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// GetAccount returns the account, or tenancy.ErrNotFound.
func (s *Store) GetAccount(_ context.Context, platformID, accountID string) (tenancy.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, ok := s.account(platformID, accountID); ok {
		return cloneAccount(a), nil
	}
	return tenancy.Account{}, failf("get account", tenancy.ErrNotFound, "account %q", accountID)
}

// GetAccountByNickname returns the account with that nickname, or
// tenancy.ErrNotFound.
func (s *Store) GetAccountByNickname(_ context.Context, platformID, nickname string) (tenancy.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if id, ok := pd.nicknames[nickname]; ok {
			return cloneAccount(pd.accounts[id]), nil
		}
	}
	return tenancy.Account{}, failf("get account by nickname", tenancy.ErrNotFound, "nickname %q", nickname)
}

// GetAccountByUID returns the account with that UID, or
// tenancy.ErrNotFound.
func (s *Store) GetAccountByUID(_ context.Context, platformID, uid string) (tenancy.Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if id, ok := pd.uids[uid]; ok {
			return cloneAccount(pd.accounts[id]), nil
		}
	}
	return tenancy.Account{}, failf("get account by uid", tenancy.ErrNotFound, "uid %q", uid)
}

// UpdateAccount writes every mutable field of a (all but PlatformID, ID,
// UID and CreatedAt; tags included) if the stored version is still
// a.Version-1, and stores a.Version. tenancy.ErrNotFound when the account
// is missing, tenancy.ErrStale when its version moved, tenancy.ErrConflict
// when the nickname is held by another account.
func (s *Store) UpdateAccount(ctx context.Context, a tenancy.Account, ev audit.Event) error {
	const op = "update account"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, a.PlatformID)
	if err != nil {
		return err
	}
	a, err = pd.checkAccountUpdate(op, a)
	if err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd.putAccount(a)
	return nil
}

// checkAccountUpdate refuses writing a over the stored account when it is
// missing, its version moved or a's nickname is held by another account;
// otherwise it returns a cloned, with the stored UID and CreatedAt, ready
// for putAccount.
func (pd *platformData) checkAccountUpdate(op string, a tenancy.Account) (tenancy.Account, error) {
	old, ok := pd.accounts[a.ID]
	switch {
	case !ok:
		return a, failf(op, tenancy.ErrNotFound, "account %q", a.ID)
	case old.Version != a.Version-1:
		return a, failf(op, tenancy.ErrStale, "account %q is at version %d, not %d", a.ID, old.Version, a.Version-1)
	case held(pd.nicknames, a.Nickname, a.ID):
		return a, failf(op, tenancy.ErrConflict, "nickname %q taken", a.Nickname)
	}
	a = cloneAccount(a)
	a.UID, a.CreatedAt = old.UID, old.CreatedAt
	return a, nil
}

// DeleteAccount removes the account and everything of it: members,
// allocations (given back to their pools, stamped r.Now), operator
// assignments, grants, activity and SSO secret. Members left with no
// membership on the platform and no platform role become
// tenancy.UserDeleted, with their name cleared, UpdatedAt set to r.Now,
// their version bumped and their tokens removed; their IDs are returned in
// ascending order. tenancy.ErrNotFound when the account is missing.
func (s *Store) DeleteAccount(ctx context.Context, r tenancy.DeleteAccount) (tenancy.DeletedAccount, error) {
	const op = "delete account"
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, ok := s.account(r.PlatformID, r.AccountID)
	if !ok {
		return tenancy.DeletedAccount{}, failf(op, tenancy.ErrNotFound, "account %q", r.AccountID)
	}
	pd := s.platforms[r.PlatformID]
	orphans := pd.orphans(r.AccountID)
	if err := s.record(ctx, op, r.Event); err != nil {
		return tenancy.DeletedAccount{}, err
	}
	for userID := range pd.members[r.AccountID] {
		pd.dropMember(r.AccountID, userID)
	}
	pd.dropAccount(acc)
	pd.dropAllocations(r.AccountID, r.Now)
	delete(pd.assigned, r.AccountID)
	delete(pd.grants, r.AccountID)
	delete(pd.daily, r.AccountID)
	delete(pd.totals, r.AccountID)
	delete(pd.ssoSecrets, r.AccountID)
	now := micro(r.Now)
	for _, id := range orphans {
		u := pd.users[id]
		u.Status, u.Name, u.UpdatedAt, u.Version = tenancy.UserDeleted, "", now, u.Version+1
		pd.putUser(u)
		pd.dropTokens(id, nil)
		pd.dropGrantsOf(id)
	}
	return tenancy.DeletedAccount{Account: cloneAccount(acc), DeletedUserIDs: orphans}, nil
}

// dropGrantsOf removes every grant a user holds, on any account.
func (pd *platformData) dropGrantsOf(userID string) {
	for accountID, gs := range pd.grants {
		for k, g := range gs {
			if g.UserID == userID {
				delete(gs, k)
			}
		}
		if len(gs) == 0 {
			delete(pd.grants, accountID)
		}
	}
}

// account returns the stored account, if it exists. The caller holds the
// lock and clones what it hands out.
func (s *Store) account(platformID, accountID string) (tenancy.Account, bool) {
	pd := s.platforms[platformID]
	if pd == nil {
		return tenancy.Account{}, false
	}
	a, ok := pd.accounts[accountID]
	return a, ok
}

// orphans returns, in ascending order, the members of accountID that are
// not deleted, hold no platform role and belong to no other account.
func (pd *platformData) orphans(accountID string) []string {
	var ids []string
	for userID := range pd.members[accountID] {
		u, ok := pd.users[userID]
		if ok && u.Role == tenancy.RoleNone && u.Status != tenancy.UserDeleted && len(pd.places[userID]) == 1 {
			ids = append(ids, userID)
		}
	}
	slices.Sort(ids)
	return ids
}

// putAccount stores a (already cloned) and keeps the nickname and UID
// indexes in step.
func (pd *platformData) putAccount(a tenancy.Account) {
	if old, ok := pd.accounts[a.ID]; ok {
		unindex(pd.nicknames, old.Nickname, a.ID)
		unindex(pd.uids, old.UID, a.ID)
	}
	pd.accounts[a.ID] = a
	if a.Nickname != "" {
		pd.nicknames[a.Nickname] = a.ID
	}
	if a.UID != "" {
		pd.uids[a.UID] = a.ID
	}
}

// dropAccount removes a and its index entries.
func (pd *platformData) dropAccount(a tenancy.Account) {
	unindex(pd.nicknames, a.Nickname, a.ID)
	unindex(pd.uids, a.UID, a.ID)
	delete(pd.accounts, a.ID)
}

// held reports whether the non-empty key is indexed to an ID other than
// exceptID.
func held(index map[string]string, key, exceptID string) bool {
	id, ok := index[key]
	return key != "" && ok && id != exceptID
}

// unindex removes key from index if it points to id.
func unindex(index map[string]string, key, id string) {
	if index[key] == id {
		delete(index, key)
	}
}

// hasKey reports whether m holds k.
func hasKey[K comparable, V any](m map[K]V, k K) bool {
	_, ok := m[k]
	return ok
}
