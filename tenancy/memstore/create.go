package memstore

import (
	"context"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/tenancy"
)

// CreateAccount adds r.Account with, atomically, r.NewUser (inserted
// first), r.Members, r.Allocations (each drawn from its resource's pool,
// when there is one), r.Token and r.Events. An existing account or user
// ID, a taken nickname, UID or user email, a member given twice or already
// present, or an allocation given twice or with Used outside 0..Limit is
// tenancy.ErrConflict; a pool without room tenancy.ErrQuotaExceeded; a
// missing platform, a member or token naming an account or user that
// exists neither in r nor on the platform, or an allocation of another
// account, is tenancy.ErrNotFound. Nothing is written then.
//
// The token replaces the user's earlier tokens of its purpose, as
// InsertToken does.
func (s *Store) CreateAccount(ctx context.Context, r tenancy.NewAccount) error {
	return s.createAccounts(ctx, "create account", []tenancy.NewAccount{r})
}

// CreateAccounts is CreateAccount for many accounts at once, all or
// nothing: each request is checked against the platform and the requests
// before it (a later one may name members of an earlier one), and one
// failure writes none of them. The events of every request are written
// together, in order.
func (s *Store) CreateAccounts(ctx context.Context, rs []tenancy.NewAccount) error {
	return s.createAccounts(ctx, "create accounts", rs)
}

func (s *Store) createAccounts(ctx context.Context, op string, rs []tenancy.NewAccount) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	batches := map[*platformData]*pending{}
	var events []audit.Event
	for _, r := range rs {
		pd, err := s.platform(op, r.Account.PlatformID)
		if err != nil {
			return err
		}
		p := batches[pd]
		if p == nil {
			p = newPending()
			batches[pd] = p
		}
		if err := pd.checkNewAccount(op, r, p); err != nil {
			return err
		}
		events = append(events, r.Events...)
	}
	if err := s.record(ctx, op, events...); err != nil {
		return err
	}
	for _, r := range rs {
		s.platforms[r.Account.PlatformID].putNewAccount(r)
	}
	return nil
}

// pending is what the requests of a batch checked so far will add to one
// platform, so that each request is checked against them too.
type pending struct {
	accounts, nicknames, uids, users, emails map[string]bool
	members                                  map[[2]string]bool
	tokens                                   map[string]tenancy.PasswordToken
	// drawn maps a resource to the units drawn from its pool.
	drawn map[string]int64
}

func newPending() *pending {
	return &pending{
		accounts: map[string]bool{}, nicknames: map[string]bool{}, uids: map[string]bool{},
		users: map[string]bool{}, emails: map[string]bool{}, members: map[[2]string]bool{},
		tokens: map[string]tenancy.PasswordToken{}, drawn: map[string]int64{},
	}
}

// checkNewAccount refuses r when anything it adds is taken, on the platform
// or in p, or names a record that exists neither in r, in p nor on the
// platform, or when a pool lacks room for its allocations. Otherwise it
// adds r to p.
func (pd *platformData) checkNewAccount(op string, r tenancy.NewAccount, p *pending) error {
	a := r.Account
	switch {
	case hasKey(pd.accounts, a.ID) || p.accounts[a.ID]:
		return failf(op, tenancy.ErrConflict, "account %q exists", a.ID)
	case held(pd.nicknames, a.Nickname, "") || a.Nickname != "" && p.nicknames[a.Nickname]:
		return failf(op, tenancy.ErrConflict, "nickname %q taken", a.Nickname)
	case held(pd.uids, a.UID, "") || a.UID != "" && p.uids[a.UID]:
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
		switch {
		case p.users[u.ID]:
			return failf(op, tenancy.ErrConflict, "user %q exists", u.ID)
		case u.Status != tenancy.UserDeleted && p.emails[u.Email]:
			return failf(op, tenancy.ErrConflict, "email %q taken", u.Email)
		}
		newUserID = u.ID
	}
	known := func(accountID, userID string) bool {
		return (accountID == a.ID || hasKey(pd.accounts, accountID) || p.accounts[accountID]) &&
			(userID == newUserID && userID != "" || hasKey(pd.users, userID) || p.users[userID])
	}
	if err := pd.checkNewMembers(op, a.PlatformID, r.Members, known, p.members); err != nil {
		return err
	}
	if t := r.Token; t != nil {
		if err := pd.checkNewToken(op, *t, a.PlatformID, known(a.ID, t.UserID)); err != nil {
			return err
		}
		if old, ok := p.tokens[t.Hash]; ok && (old.UserID != t.UserID || old.Purpose != t.Purpose) {
			return failf(op, tenancy.ErrConflict, "token hash given twice")
		}
		p.tokens[t.Hash] = *t
	}
	if err := pd.checkNewAllocations(op, a, r.Allocations, p.drawn); err != nil {
		return err
	}
	p.accounts[a.ID], p.nicknames[a.Nickname], p.uids[a.UID] = true, a.Nickname != "", a.UID != ""
	if u := r.NewUser; u != nil {
		p.users[u.ID], p.emails[u.Email] = true, p.emails[u.Email] || u.Status != tenancy.UserDeleted
	}
	return nil
}

// checkNewMembers refuses members of another platform, of unknown accounts
// or users, or whose (account, user) pair is in seen, given twice or
// exists. It adds the pairs to seen.
func (pd *platformData) checkNewMembers(op, platformID string, members []tenancy.Member, known func(accountID, userID string) bool, seen map[[2]string]bool) error {
	for _, m := range members {
		p := [2]string{m.AccountID, m.UserID}
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

// checkNewAllocations refuses allocations that are not of a, name a
// resource twice, have Used outside 0..Limit, or do not fit in their pools
// beside the units already drawn; it adds what they draw to drawn.
func (pd *platformData) checkNewAllocations(op string, a tenancy.Account, allocs []tenancy.Allocation, drawn map[string]int64) error {
	seen := make(map[string]bool, len(allocs))
	for _, al := range allocs {
		switch {
		case al.PlatformID != a.PlatformID || al.AccountID != a.ID:
			return failf(op, tenancy.ErrNotFound, "allocation of account %q is not of the new account %q", al.AccountID, a.ID)
		case seen[al.Resource]:
			return failf(op, tenancy.ErrConflict, "allocation of %q given twice", al.Resource)
		case al.Used < 0 || al.Used > al.Limit:
			return failf(op, tenancy.ErrConflict, "allocation of %q: %d used of %d", al.Resource, al.Used, al.Limit)
		}
		seen[al.Resource] = true
		if err := pd.checkAdjust(op, tenancy.Allocation{Resource: al.Resource}, al.Limit, drawn[al.Resource]); err != nil {
			return err
		}
		if hasKey(pd.pools, al.Resource) {
			drawn[al.Resource] += al.Limit
		}
	}
	return nil
}

// putNewAccount stores what r adds; the caller has run checkNewAccount.
func (pd *platformData) putNewAccount(r tenancy.NewAccount) {
	if r.NewUser != nil {
		pd.putUser(cloneUser(*r.NewUser))
	}
	a := cloneAccount(r.Account)
	pd.putAccount(a)
	for _, m := range r.Members {
		pd.putMember(cloneMember(m))
	}
	if r.Token != nil {
		pd.putToken(cloneToken(*r.Token))
	}
	for _, al := range r.Allocations {
		al.UpdatedAt = micro(al.UpdatedAt)
		pd.putAllocation(al)
		if p, ok := pd.pools[al.Resource]; ok && al.Limit != 0 {
			p.Allocated += al.Limit
			p.UpdatedAt = a.CreatedAt
			if !al.UpdatedAt.IsZero() {
				p.UpdatedAt = al.UpdatedAt
			}
			pd.pools[al.Resource] = p
		}
	}
}
