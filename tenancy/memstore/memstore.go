package memstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tenantry/tenantry/audit"
	auditmem "github.com/tenantry/tenantry/audit/memstore"
	"github.com/tenantry/tenantry/tenancy"
)

// Store is an in-memory tenancy.Store, safe for concurrent use. The zero
// value is not ready: use New.
type Store struct {
	events audit.Store

	mu sync.RWMutex
	// platforms holds each platform's records; nothing of one platform is
	// reachable through another's ID.
	platforms map[string]*platformData
}

var _ tenancy.Store = (*Store)(nil)

// New returns an empty Store that writes the audit events it is given to
// events, or to a new in-memory audit store (audit/memstore) when events is
// nil.
func New(events audit.Store) *Store {
	if events == nil {
		events = auditmem.New()
	}
	return &Store{events: events, platforms: map[string]*platformData{}}
}

// Audit returns the audit store the Store writes its events to.
func (s *Store) Audit() audit.Store { return s.events }

// platformData is one platform's records and their indexes. Every map is
// keyed by ID within the platform.
type platformData struct {
	platform tenancy.Platform
	users    map[string]tenancy.User
	// emails maps the email of every user that is not deleted to its ID.
	emails   map[string]string
	accounts map[string]tenancy.Account
	// nicknames and uids map the non-empty nicknames and UIDs to account IDs.
	nicknames map[string]string
	uids      map[string]string
	// members maps account ID, then user ID, to the member.
	members map[string]map[string]tenancy.Member
	// places maps user ID to the set of accounts the user is a member of.
	places map[string]map[string]struct{}
	// tokens maps a token's hash to the token.
	tokens map[string]tenancy.PasswordToken
	// pools maps a resource to its pool; Allocated is kept equal to the
	// sum of the resource's allocations.
	pools map[string]tenancy.Pool
	// allocs maps account ID, then resource, to the allocation.
	allocs map[string]map[string]tenancy.Allocation
	// assigned maps account ID, then operator ID, to the assignment.
	assigned map[string]map[string]tenancy.Assignment
	// grants maps account ID, then (resource, user), to the grant.
	grants map[string]map[grantKey]tenancy.Grant
	// daily maps account ID, then (metric, day), to the day's count;
	// totals maps account ID, then metric, to the running total.
	daily  map[string]map[dayKey]int64
	totals map[string]map[string]int64
	// ssoSecrets maps account ID to its sealed SSO secret.
	ssoSecrets map[string][]byte
	// nonces maps a spent SSO nonce hash to when it expires.
	nonces map[string]time.Time
}

func newPlatformData(p tenancy.Platform) *platformData {
	return &platformData{
		platform:  p,
		users:     map[string]tenancy.User{},
		emails:    map[string]string{},
		accounts:  map[string]tenancy.Account{},
		nicknames: map[string]string{},
		uids:      map[string]string{},
		members:   map[string]map[string]tenancy.Member{},
		places:    map[string]map[string]struct{}{},
		tokens:    map[string]tenancy.PasswordToken{},

		pools:      map[string]tenancy.Pool{},
		allocs:     map[string]map[string]tenancy.Allocation{},
		assigned:   map[string]map[string]tenancy.Assignment{},
		grants:     map[string]map[grantKey]tenancy.Grant{},
		daily:      map[string]map[dayKey]int64{},
		totals:     map[string]map[string]int64{},
		ssoSecrets: map[string][]byte{},
		nonces:     map[string]time.Time{},
	}
}

// InsertPlatform adds p; an existing ID is tenancy.ErrConflict.
func (s *Store) InsertPlatform(ctx context.Context, p tenancy.Platform, ev audit.Event) error {
	const op = "insert platform"
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.platforms[p.ID]; ok {
		return failf(op, tenancy.ErrConflict, "platform %q exists", p.ID)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	s.platforms[p.ID] = newPlatformData(clonePlatform(p))
	return nil
}

// GetPlatform returns the platform with id, or tenancy.ErrNotFound.
func (s *Store) GetPlatform(_ context.Context, id string) (tenancy.Platform, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd, ok := s.platforms[id]
	if !ok {
		return tenancy.Platform{}, failf("get platform", tenancy.ErrNotFound, "platform %q", id)
	}
	return pd.platform, nil
}

// UpdatePlatform writes p's name and UpdatedAt; tenancy.ErrNotFound if the
// platform is missing.
func (s *Store) UpdatePlatform(ctx context.Context, p tenancy.Platform, ev audit.Event) error {
	const op = "update platform"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd, err := s.platform(op, p.ID)
	if err != nil {
		return err
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	p = clonePlatform(p)
	pd.platform.Name, pd.platform.UpdatedAt = p.Name, p.UpdatedAt
	return nil
}

// platform returns the records of platform id, or tenancy.ErrNotFound
// wrapped with op. The caller holds the lock.
func (s *Store) platform(op, id string) (*platformData, error) {
	pd, ok := s.platforms[id]
	if !ok {
		return nil, failf(op, tenancy.ErrNotFound, "platform %q", id)
	}
	return pd, nil
}

// record writes events to the audit store, in order. It refuses a batch
// that holds one (platform, ID) twice before writing any of it. The caller
// holds the write lock and has checked everything else, so a nil result
// means the change can be applied.
func (s *Store) record(ctx context.Context, op string, events ...audit.Event) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	type key struct{ platform, id string }
	seen := make(map[key]bool, len(events))
	for _, e := range events {
		k := key{e.PlatformID, e.ID}
		if seen[k] {
			return failf(op, tenancy.ErrConflict, "event %q given twice", e.ID)
		}
		seen[k] = true
	}
	for _, e := range events {
		err := s.events.Insert(ctx, e)
		switch {
		case errors.Is(err, audit.ErrConflict):
			return fmt.Errorf("memstore: %s: %w: event %q: %w", op, tenancy.ErrConflict, e.ID, err)
		case err != nil:
			return fmt.Errorf("memstore: %s: write event %q: %w", op, e.ID, err)
		}
	}
	return nil
}

// failf returns an error wrapping sentinel with the operation and details:
// "memstore: op: sentinel: details".
func failf(op string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("memstore: %s: %w: %s", op, sentinel, fmt.Sprintf(format, args...))
}
