package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
)

// InsertDomain adds d with ev. A host already held by any platform is
// branding.ErrConflict, and so is a primary d on a platform that has a
// primary already (at most one per platform; InsertDomain demotes
// nothing). Listeners hear of d's platform.
func (s *Store) InsertDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	if err := s.insertDomain(ctx, cloneDomain(d), ev); err != nil {
		return err
	}
	s.notify(d.PlatformID)
	return nil
}

// insertDomain is InsertDomain but for the listeners.
func (s *Store) insertDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	const op = "insert domain"
	s.mu.Lock()
	defer s.mu.Unlock()
	if pid, ok := s.hosts[d.Host]; ok {
		if pid == d.PlatformID {
			return failf(op, branding.ErrConflict, "the platform holds host %q already", d.Host)
		}
		return failf(op, branding.ErrConflict, "another platform holds host %q", d.Host)
	}
	if pd := s.platforms[d.PlatformID]; pd != nil && d.Primary && pd.primary != "" {
		return failf(op, branding.ErrConflict, "the platform's primary domain is %q", pd.primary)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	pd := s.writable(d.PlatformID)
	pd.domains[d.Host] = d
	if d.Primary {
		pd.primary = d.Host
	}
	s.hosts[d.Host] = d.PlatformID
	return nil
}

// GetDomain returns the platform's domain with this host, or
// branding.ErrNotFound.
func (s *Store) GetDomain(_ context.Context, platformID, host string) (branding.Domain, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if pd := s.platforms[platformID]; pd != nil {
		if d, ok := pd.domains[host]; ok {
			return d, nil
		}
	}
	return branding.Domain{}, failf("get domain", branding.ErrNotFound, "host %q", host)
}

// UpdateDomain writes d's VerifiedAt, Primary, VerificationToken and
// Version with ev if the stored version is d.Version-1 (branding.ErrStale
// otherwise, branding.ErrNotFound when the platform has no such host);
// Default and CreatedAt keep their stored values. When d.Primary is set,
// the platform's previous primary loses Primary, its version bumped, in
// the same call. Listeners hear of d's platform.
func (s *Store) UpdateDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	if err := s.updateDomain(ctx, cloneDomain(d), ev); err != nil {
		return err
	}
	s.notify(d.PlatformID)
	return nil
}

// updateDomain is UpdateDomain but for the listeners.
func (s *Store) updateDomain(ctx context.Context, d branding.Domain, ev audit.Event) error {
	const op = "update domain"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[d.PlatformID]
	var cur branding.Domain
	ok := false
	if pd != nil {
		cur, ok = pd.domains[d.Host]
	}
	switch {
	case !ok:
		return failf(op, branding.ErrNotFound, "host %q", d.Host)
	case cur.Version != d.Version-1:
		return failf(op, branding.ErrStale, "domain %q is at version %d, not %d", d.Host, cur.Version, d.Version-1)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	if d.Primary && pd.primary != "" && pd.primary != d.Host {
		prev := pd.domains[pd.primary]
		prev.Primary = false
		prev.Version++
		pd.domains[prev.Host] = prev
	}
	next := cur
	next.VerifiedAt, next.Primary, next.VerificationToken, next.Version = d.VerifiedAt, d.Primary, d.VerificationToken, d.Version
	pd.domains[d.Host] = next
	switch {
	case d.Primary:
		pd.primary = d.Host
	case pd.primary == d.Host:
		pd.primary = ""
	}
	return nil
}

// DeleteDomain removes the platform's domain with this host, with ev, and
// frees the host for any platform; branding.ErrNotFound when missing.
// Listeners hear of the platform.
func (s *Store) DeleteDomain(ctx context.Context, platformID, host string, ev audit.Event) error {
	if err := s.deleteDomain(ctx, platformID, host, ev); err != nil {
		return err
	}
	s.notify(platformID)
	return nil
}

// deleteDomain is DeleteDomain but for the listeners.
func (s *Store) deleteDomain(ctx context.Context, platformID, host string, ev audit.Event) error {
	const op = "delete domain"
	s.mu.Lock()
	defer s.mu.Unlock()
	pd := s.platforms[platformID]
	if pd == nil {
		return failf(op, branding.ErrNotFound, "host %q", host)
	}
	if _, ok := pd.domains[host]; !ok {
		return failf(op, branding.ErrNotFound, "host %q", host)
	}
	if err := s.record(ctx, op, ev); err != nil {
		return err
	}
	delete(pd.domains, host)
	delete(s.hosts, host)
	if pd.primary == host {
		pd.primary = ""
	}
	return nil
}

// Domains lists the platform's domains by host. An unknown platform has
// none.
func (s *Store) Domains(_ context.Context, platformID string) ([]branding.Domain, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pd := s.platforms[platformID]
	if pd == nil || len(pd.domains) == 0 {
		return nil, nil
	}
	out := make([]branding.Domain, 0, len(pd.domains))
	for _, d := range pd.domains {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b branding.Domain) int { return strings.Compare(a.Host, b.Host) })
	return out, nil
}

// LookupHost returns the domain with this host, of whatever platform, and
// that platform's primary host when the primary domain is verified (""
// otherwise), in one read; or branding.ErrNotFound.
func (s *Store) LookupHost(_ context.Context, host string) (branding.Route, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	pid, ok := s.hosts[host]
	if !ok {
		return branding.Route{}, failf("look up host", branding.ErrNotFound, "host %q", host)
	}
	pd := s.platforms[pid]
	r := branding.Route{Domain: pd.domains[host]}
	if p, ok := pd.domains[pd.primary]; ok && p.Verified() {
		r.PrimaryHost = p.Host
	}
	return r, nil
}
