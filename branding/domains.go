package branding

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/tenantry/tenantry/audit"
)

// AddDomain claims host for the platform, unverified, with a fresh
// verification token: publish VerificationRecord(token) as a TXT record at
// VerificationName(host), then call VerifyDomain. A host already claimed —
// by this platform or another, verified or not — is ErrConflict.
func (s *Service) AddDomain(ctx context.Context, platformID, host string) (Domain, error) {
	d, err := s.addDomain(ctx, platformID, host, false)
	if err != nil {
		return Domain{}, fmt.Errorf("branding: add domain: %w", err)
	}
	return d, nil
}

// AddDefaultHost records the platform's own host on the product's domain
// (reseller.product.example): it needs no verification and routes to the
// platform; once the platform has a verified primary domain, requests for
// it are redirected there. Hosts call it when they create a platform.
func (s *Service) AddDefaultHost(ctx context.Context, platformID, host string) (Domain, error) {
	d, err := s.addDomain(ctx, platformID, host, true)
	if err != nil {
		return Domain{}, fmt.Errorf("branding: add default host: %w", err)
	}
	return d, nil
}

func (s *Service) addDomain(ctx context.Context, platformID, raw string, def bool) (Domain, error) {
	ev, err := s.authorize(ctx, "branding.domain.add", platformID, "")
	if err != nil {
		return Domain{}, err
	}
	host, err := NormalizeHost(raw)
	if err != nil {
		return Domain{}, err
	}
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	d := Domain{PlatformID: platformID, Host: host, Default: def, VerificationToken: hex.EncodeToString(tok[:]), CreatedAt: s.now(), Version: 1}
	ev.TargetType, ev.TargetID = "domain", host
	if def {
		ev.Changes = []audit.Change{{Field: "default", After: "true"}}
	}
	if err := s.store.InsertDomain(ctx, d, ev); err != nil {
		return Domain{}, err
	}
	s.invalidate(platformID)
	return d, nil
}

// VerifyDomain looks up the domain's TXT record through Config.Resolver
// and marks it verified when it holds the token: ErrNotVerified when it
// does not (yet), or the resolver's error when the lookup failed (try
// again later). Verifying a verified domain checks again and keeps it.
func (s *Service) VerifyDomain(ctx context.Context, platformID, host string) (Domain, error) {
	const op = "branding: verify domain: %w"
	ev, d, err := s.domainChange(ctx, "branding.domain.verify", platformID, host)
	if err != nil {
		return Domain{}, fmt.Errorf(op, err)
	}
	if d.Default {
		return d, nil
	}
	if err := CheckTXT(ctx, s.cfg.Resolver, d.Host, d.VerificationToken); err != nil {
		return Domain{}, fmt.Errorf(op, err)
	}
	if !d.VerifiedAt.IsZero() {
		return d, nil
	}
	d.VerifiedAt = s.now()
	d.Version++
	ev.Changes = []audit.Change{{Field: "verified", Before: "false", After: "true"}}
	if err := s.store.UpdateDomain(ctx, d, ev); err != nil {
		return Domain{}, fmt.Errorf(op, err)
	}
	s.invalidate(platformID)
	return d, nil
}

// MakePrimary makes a verified custom domain the platform's primary: the
// one requests for the default host are redirected to. The previous
// primary stays a verified domain.
func (s *Service) MakePrimary(ctx context.Context, platformID, host string) (Domain, error) {
	const op = "branding: make primary: %w"
	ev, d, err := s.domainChange(ctx, "branding.domain.primary", platformID, host)
	if err != nil {
		return Domain{}, fmt.Errorf(op, err)
	}
	switch {
	case d.Default:
		return Domain{}, fmt.Errorf(op, invalid("host", "the platform's default host cannot be its primary custom domain"))
	case d.VerifiedAt.IsZero():
		return Domain{}, fmt.Errorf(op, fmt.Errorf("%w: verify %s before making it primary", ErrNotVerified, d.Host))
	case d.Primary:
		return d, nil
	}
	d.Primary = true
	d.Version++
	ev.Changes = []audit.Change{{Field: "primary", Before: "false", After: "true"}}
	if err := s.store.UpdateDomain(ctx, d, ev); err != nil {
		return Domain{}, fmt.Errorf(op, err)
	}
	s.invalidate(platformID)
	return d, nil
}

// RemoveDomain gives the host up; another platform may then claim it.
func (s *Service) RemoveDomain(ctx context.Context, platformID, host string) error {
	const op = "branding: remove domain: %w"
	ev, d, err := s.domainChange(ctx, "branding.domain.remove", platformID, host)
	if err != nil {
		return fmt.Errorf(op, err)
	}
	if err := s.store.DeleteDomain(ctx, platformID, d.Host, ev); err != nil {
		return fmt.Errorf(op, err)
	}
	s.invalidate(platformID)
	return nil
}

// domainChange authorizes a change of a platform's domain and reads it.
func (s *Service) domainChange(ctx context.Context, action, platformID, raw string) (audit.Event, Domain, error) {
	ev, err := s.authorize(ctx, action, platformID, "")
	if err != nil {
		return ev, Domain{}, err
	}
	host, err := NormalizeHost(raw)
	if err != nil {
		return ev, Domain{}, err
	}
	d, err := s.store.GetDomain(ctx, platformID, host)
	if err != nil {
		return ev, Domain{}, err
	}
	ev.TargetType, ev.TargetID = "domain", host
	return ev, d, nil
}

// Domains lists the platform's domains by host.
func (s *Service) Domains(ctx context.Context, platformID string) ([]Domain, error) {
	if err := checkIDs("platform_id", platformID); err != nil {
		return nil, fmt.Errorf("branding: domains: %w", err)
	}
	ds, err := s.store.Domains(ctx, platformID)
	if err != nil {
		return nil, fmt.Errorf("branding: domains: %w", err)
	}
	return ds, nil
}

// invalidate tells this process's routers that a platform's domains
// changed (other processes hear it through the Store's ChangeListener).
func (s *Service) invalidate(platformID string) {
	s.mu.Lock()
	routers := s.routers
	s.mu.Unlock()
	for _, r := range routers {
		r.Invalidate(platformID)
	}
}

// isNotFound reports a missing record.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
