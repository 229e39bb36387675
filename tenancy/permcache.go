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
	if e, ok := s.perms.get(platformID, accountID, userID); ok && s.fresh(e.loaded) {
		return e.can(p), nil // a cached key was checked when it was loaded
	}
	if err := checkIDs("platform_id", platformID, "account_id", accountID, "user_id", userID, "permission", p); err != nil {
		return false, fmt.Errorf("tenancy: can: %w", err)
	}
	now := s.cfg.Now()
	ms, err := s.store.Memberships(ctx, platformID, userID)
	if err != nil {
		return false, fmt.Errorf("tenancy: can: %w", err)
	}
	e := permEntry{loaded: now}
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
	loaded          time.Time
}

// fresh reports whether an entry loaded at loaded is within
// Config.PermissionTTL. With the real clock it reads only the monotonic
// clock (time.Since), which costs half of time.Now on some machines.
func (s *Service) fresh(loaded time.Time) bool {
	if s.realClock {
		return time.Since(loaded) < s.cfg.PermissionTTL
	}
	return s.cfg.Now().Before(loaded.Add(s.cfg.PermissionTTL))
}

func (e permEntry) can(p string) bool {
	return e.member && (e.primary || slices.Contains(e.perms, p))
}

func newPermCache(max int) *permCache {
	return &permCache{entries: make(map[permKey]permEntry), max: max}
}

func (c *permCache) get(platform, account, user string) (permEntry, bool) {
	c.mu.RLock()
	e, ok := c.entries[permKey{platform, account, user}]
	c.mu.RUnlock()
	return e, ok
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
