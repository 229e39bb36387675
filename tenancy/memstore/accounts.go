package memstore

import (
	"context"
	"slices"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// CreateAccount adds r.Account with, atomically, r.NewUser (inserted
// first), r.Members, r.Token and r.Events. An existing account or user ID,
// a taken nickname, UID or user email, or a member given twice or already
// present is tenancy.ErrConflict; a missing platform, or a member or token
// naming an account or user that exists neither in r nor on the platform,
// is tenancy.ErrNotFound. Nothing is written then.
//
// The token replaces the user's earlier tokens of its purpose, as
// InsertToken does.
func (s *Store) CreateAccount(ctx context.Context, r tenancy.NewAccount) error {
	const op = "create account"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, r.Account.PlatformID)
	if err != nil {
		return err
	}
	if err := pd.checkNewAccount(op, r); err != nil {
		return err
	}
	if err := s.record(ctx, op, r.Events...); err != nil {
		return err
	}
	if r.NewUser != nil {
		pd.putUser(cloneUser(*r.NewUser))
	}
	pd.putAccount(cloneAccount(r.Account))
	for _, m := range r.Members {
		pd.putMember(cloneMember(m))
	}
	if r.Token != nil {
		pd.putToken(cloneToken(*r.Token))
	}
	return nil
}

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
	old, ok := pd.accounts[a.ID]
	switch {
	case !ok:
		return failf(op, tenancy.ErrNotFound, "account %q", a.ID)
	case old.Version != a.Version-1:
		return failf(op, tenancy.ErrStale, "account %q is at version %d, not %d", a.ID, old.Version, a.Version-1)
	case held(pd.nicknames, a.Nickname, a.ID):
		return failf(op, tenancy.ErrConflict, "nickname %q taken", a.Nickname)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	a = cloneAccount(a)
	a.UID, a.CreatedAt = old.UID, old.CreatedAt
	pd.putAccount(a)
	return nil
}

// DeleteAccount removes the account and its members. Members left with no
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
	now := micro(r.Now)
	for _, id := range orphans {
		u := pd.users[id]
		u.Status, u.Name, u.UpdatedAt, u.Version = tenancy.UserDeleted, "", now, u.Version+1
		pd.putUser(u)
		pd.dropTokens(id, nil)
	}
	return tenancy.DeletedAccount{Account: cloneAccount(acc), DeletedUserIDs: orphans}, nil
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

// checkNewAccount refuses r when anything it adds is taken or names a
// record that exists neither in r nor on the platform.
func (pd *platformData) checkNewAccount(op string, r tenancy.NewAccount) error {
	a := r.Account
	switch {
	case hasKey(pd.accounts, a.ID):
		return failf(op, tenancy.ErrConflict, "account %q exists", a.ID)
	case held(pd.nicknames, a.Nickname, ""):
		return failf(op, tenancy.ErrConflict, "nickname %q taken", a.Nickname)
	case held(pd.uids, a.UID, ""):
		return failf(op, tenancy.ErrConflict, "uid %q taken", a.UID)
	}
	newUserID := ""
	if u := r.NewUser; u != nil {
		if u.PlatformID != a.PlatformID {
			return failf(op, tenancy.ErrNotFound, "new user %q is of platform %q", u.ID, u.PlatformID)
		}
		if err := pd.checkNewUser(op, *u); err != nil {
			return err
		}
		newUserID = u.ID
	}
	known := func(accountID, userID string) bool {
		return (accountID == a.ID || hasKey(pd.accounts, accountID)) &&
			(userID == newUserID && userID != "" || hasKey(pd.users, userID))
	}
	if err := pd.checkNewMembers(op, a.PlatformID, r.Members, known); err != nil {
		return err
	}
	if t := r.Token; t != nil {
		return pd.checkNewToken(op, *t, a.PlatformID, known(a.ID, t.UserID))
	}
	return nil
}

// checkNewMembers refuses members of another platform, of unknown accounts
// or users, or whose (account, user) pair is given twice or exists.
func (pd *platformData) checkNewMembers(op, platformID string, members []tenancy.Member, known func(accountID, userID string) bool) error {
	type pair struct{ account, user string }
	seen := make(map[pair]bool, len(members))
	for _, m := range members {
		p := pair{m.AccountID, m.UserID}
		switch {
		case m.PlatformID != platformID || !known(m.AccountID, m.UserID):
			return failf(op, tenancy.ErrNotFound, "member %q of account %q: no such account or user", m.UserID, m.AccountID)
		case seen[p] || pd.isMember(m.AccountID, m.UserID):
			return failf(op, tenancy.ErrConflict, "user %q is already a member of account %q", m.UserID, m.AccountID)
		}
		seen[p] = true
	}
	return nil
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

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}
