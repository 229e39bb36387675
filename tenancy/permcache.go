package tenancy

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Can reports whether a user may do permission p in an account: the
// account's primary admin may do everything, a team member what their
// permissions list. A user who is not a member may do nothing. It answers
// from a cache (Config.PermissionTTL) when it can, without allocating, so
// a host may call it on every request; changes made through this Service
// take effect at once, changes made by other processes within the TTL.
//
// Can looks at membership only; whether the account may be used at all
// (disabled, locked, licensed) is the host's or the licensing gate's
// question.
func (s *Service) Can(ctx context.Context, platformID, accountID, userID, p string) (bool, error) {
	now := s.cfg.Now()
	if e, ok := s.perms.get(platformID, accountID, userID, now); ok {
		return e.can(p), nil
	}
	ms, err := s.store.Memberships(ctx, platformID, userID)
	if err != nil {
		return false, fmt.Errorf("tenancy: can: %w", err)
	}
	e := permEntry{expires: now.Add(s.cfg.PermissionTTL)}
	for _, m := range ms {
		if m.Member.AccountID == accountID {
			e.member, e.primary, e.perms = true, m.Member.Primary, m.Member.Permissions
		}
	}
	s.perms.put(platformID, accountID, userID, e)
	return e.can(p), nil
}

// permCache holds members' permissions for Can.
type permCache struct {
	mu      sync.RWMutex
	entries map[permKey]permEntry
	max     int
}

type permKey struct{ platform, account, user string }

type permEntry struct {
	member, primary bool
	perms           []string
	expires         time.Time
}

func (e permEntry) can(p string) bool {
	return e.member && (e.primary || slices.Contains(e.perms, p))
}

func newPermCache(max int) *permCache {
	return &permCache{entries: make(map[permKey]permEntry), max: max}
}

func (c *permCache) get(platform, account, user string, now time.Time) (permEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[permKey{platform, account, user}]
	c.mu.RUnlock()
	if !ok || !now.Before(e.expires) {
		return permEntry{}, false
	}
	return e, true
}

func (c *permCache) put(platform, account, user string, e permEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= c.max {
		clear(c.entries) // bounded memory; a full cache starts over.
	}
	c.entries[permKey{platform, account, user}] = e
}

// forget drops one member's entry; forgetAccount every entry of an account.
func (c *permCache) forget(platform, account, user string) {
	c.mu.Lock()
	delete(c.entries, permKey{platform, account, user})
	c.mu.Unlock()
}

func (c *permCache) forgetAccount(platform, account string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.platform == platform && k.account == account {
			delete(c.entries, k)
		}
	}
}
