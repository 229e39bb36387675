package licensing

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Reason says why the gate refused, or "" when it allowed.
type Reason string

// Gate refusals.
const (
	ReasonNone            Reason = ""
	ReasonAccountDeleted  Reason = "account_deleted"
	ReasonAccountLocked   Reason = "account_locked"
	ReasonAccountDisabled Reason = "account_disabled"
	ReasonTestExpired     Reason = "test_expired"
	ReasonNoLicense       Reason = "no_license"
	ReasonLicenseRevoked  Reason = "license_revoked"
	ReasonLicenseExpired  Reason = "license_expired"
	ReasonLicenseInactive Reason = "license_inactive"
	ReasonFeatureOff      Reason = "feature_off"
	ReasonLimitReached    Reason = "limit_reached"
)

// Decision is the gate's answer.
type Decision struct {
	Allowed bool
	Reason  Reason
}

// Gate answers "may account A use feature F now" on every chatbot
// message: from memory when it can (tens of nanoseconds, no allocation),
// from the store when it must. What it keeps is forgotten at once when this
// process changes it, when another process does (through the store's
// ChangeListener, see Listen), and after Config.GateTTL at the latest.
// Time-driven changes (a license reaching its end or its grace deadline)
// need no notification: every check compares the clock with them.
type Gate struct {
	s       *Service
	mu      sync.RWMutex
	entries map[gateKey]*gateEntry
	gen     atomic.Uint64
	// plans holds one gatePlan per plan the entries use, shared by the
	// entries of accounts on that plan without overrides, so that 100,000
	// warm accounts do not hold 100,000 copies of a handful of plans.
	plansMu sync.Mutex
	plans   map[gateKey]*gatePlan // by platform and plan ID
}

// gatePlan is a plan as the gate reads it, never changed once made: the
// features it switches on, as a set, and its limits.
type gatePlan struct {
	list     []string // the plan's Features, to tell a changed plan
	features map[string]bool
	limits   map[string]int64
}

type gateKey struct{ platform, account string }

// gateEntry is what the gate knows of one account.
type gateEntry struct {
	// loaded is when the entry was read (from the real clock, with its
	// monotonic reading, when Config.Now is time.Now); it is fresh until
	// loaded plus the TTL.
	loaded time.Time
	state  AccountState
	// refusal is the license's refusal whatever the clock (none, revoked,
	// stored inactive or expired); "" when it is stored active.
	refusal Reason
	// from, until and graceUntil bound when a stored-active license holds:
	// from its start, before its end and before its grace deadline (zero:
	// no missed payment).
	from, until, graceUntil time.Time
	// features and limits are read, never written: shared with the
	// plan's gatePlan when the account has no overrides.
	features map[string]bool
	limits   map[string]int64
}

func newGate(s *Service) *Gate {
	return &Gate{s: s, entries: make(map[gateKey]*gateEntry), plans: make(map[gateKey]*gatePlan)}
}

// Check says whether an account may use feature now (feature "" asks only
// whether it may be served at all).
func (g *Gate) Check(ctx context.Context, platformID, accountID, feature string) (Decision, error) {
	e, now, err := g.entry(ctx, platformID, accountID)
	if err != nil {
		return Decision{}, err
	}
	if r := e.refuse(now); r != ReasonNone {
		return Decision{Reason: r}, nil
	}
	if feature != "" && !e.features[feature] {
		return Decision{Reason: ReasonFeatureOff}, nil
	}
	return Decision{Allowed: true}, nil
}

// CheckLimit says whether an account that uses used units of a plan limit
// may use one more. A limit its plan does not name is unlimited.
func (g *Gate) CheckLimit(ctx context.Context, platformID, accountID, limit string, used int64) (Decision, error) {
	e, now, err := g.entry(ctx, platformID, accountID)
	if err != nil {
		return Decision{}, err
	}
	if r := e.refuse(now); r != ReasonNone {
		return Decision{Reason: r}, nil
	}
	if max, ok := e.limits[limit]; ok && used >= max {
		return Decision{Reason: ReasonLimitReached}, nil
	}
	return Decision{Allowed: true}, nil
}

// refuse is the account's or license's refusal at now.
func (e *gateEntry) refuse(now time.Time) Reason {
	switch {
	case e.state.Missing:
		return ReasonAccountDeleted
	case e.state.Locked:
		return ReasonAccountLocked
	case e.state.Disabled:
		return ReasonAccountDisabled
	case e.state.TestExpired, !e.state.TestExpiresAt.IsZero() && !now.Before(e.state.TestExpiresAt):
		return ReasonTestExpired
	case e.refusal != ReasonNone:
		return e.refusal
	case !now.Before(e.until):
		return ReasonLicenseExpired
	case !e.graceUntil.IsZero() && !now.Before(e.graceUntil), now.Before(e.from):
		return ReasonLicenseInactive
	}
	return ReasonNone
}

// entry returns what the gate knows of the account, reading it when it is
// missing or too old, and the current time.
//
// With the real clock, a warm entry tells the time from its load instant
// plus the monotonic time elapsed since (time.Since reads one clock where
// time.Now reads two, the larger part of a warm check on some machines).
// A wall clock stepped by NTP or an operator is seen at the entry's next
// reload, within the TTL; license ends and grace deadlines are compared on
// every check either way.
func (g *Gate) entry(ctx context.Context, platformID, accountID string) (*gateEntry, time.Time, error) {
	k := gateKey{platformID, accountID}
	g.mu.RLock()
	e := g.entries[k]
	g.mu.RUnlock()
	var now time.Time
	if g.s.realClock {
		if e != nil {
			if el := time.Since(e.loaded); el < g.s.cfg.GateTTL {
				return e, e.loaded.Add(el), nil
			}
		}
		now = time.Now()
	} else {
		now = g.s.cfg.Now()
		if e != nil && now.Before(e.loaded.Add(g.s.cfg.GateTTL)) {
			return e, now, nil
		}
	}
	gen := g.gen.Load()
	e, err := g.load(ctx, platformID, accountID, now)
	if err != nil {
		return nil, now, err
	}
	g.mu.Lock()
	if g.gen.Load() == gen { // nothing was forgotten while we read
		if len(g.entries) >= g.s.cfg.GateSize {
			clear(g.entries)
		}
		g.entries[k] = e
	}
	g.mu.Unlock()
	return e, now, nil
}

func (g *Gate) load(ctx context.Context, platformID, accountID string, now time.Time) (*gateEntry, error) {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return nil, fmt.Errorf("licensing: gate: %w", err)
	}
	e := &gateEntry{loaded: now}
	if g.s.cfg.AccountState != nil {
		st, err := g.s.cfg.AccountState(ctx, platformID, accountID)
		if err != nil {
			return nil, fmt.Errorf("licensing: gate: account state: %w", err)
		}
		e.state = st
	}
	facts, err := g.s.store.GateFacts(ctx, platformID, accountID)
	if err != nil {
		return nil, fmt.Errorf("licensing: gate: %w", err)
	}
	switch l := facts.License; {
	case l == nil:
		e.refusal = ReasonNoLicense
	case l.Status == Revoked:
		e.refusal = ReasonLicenseRevoked
	case l.Status == Expired:
		e.refusal = ReasonLicenseExpired
	case l.Status == Inactive:
		e.refusal = ReasonLicenseInactive
	default:
		e.from, e.until = l.StartsAt, l.EndsAt
		if !l.PaymentFailedAt.IsZero() {
			e.graceUntil = l.PaymentFailedAt.Add(l.Grace)
		}
	}
	if facts.Plan != nil {
		p := g.plan(facts.Plan)
		e.features, e.limits = p.features, p.limits
	}
	if len(facts.Overrides) > 0 {
		features := maps.Clone(e.features) // the plan's set is shared: copy before writing
		if features == nil {
			features = make(map[string]bool, len(facts.Overrides))
		}
		for _, o := range facts.Overrides {
			features[o.Feature] = o.Enabled
		}
		e.features = features
	}
	return e, nil
}

// maxGatePlans bounds the plans the gate keeps; past it, it starts over
// (entries keep the plans they hold).
const maxGatePlans = 10_000

// plan returns the gate's shared view of p, made again when p's features
// or limits are not those of the view the gate holds (the plan changed).
func (g *Gate) plan(p *Plan) *gatePlan {
	k := gateKey{p.PlatformID, p.ID}
	g.plansMu.Lock()
	defer g.plansMu.Unlock()
	if v := g.plans[k]; v != nil && slices.Equal(v.list, p.Features) && maps.Equal(v.limits, p.Limits) {
		return v
	}
	v := &gatePlan{list: slices.Clone(p.Features), features: make(map[string]bool, len(p.Features)),
		limits: maps.Clone(p.Limits)}
	for _, f := range p.Features {
		v.features[f] = true
	}
	if len(g.plans) >= maxGatePlans {
		clear(g.plans)
	}
	g.plans[k] = v
	return v
}

// Forget drops what the gate knows of one account, so the next check
// reads it again. The Service calls it on every change it makes; the host
// (or the root package) calls it when an account's own state changes
// (disabled, locked, deleted), and NotifyChange tells other processes.
func (g *Gate) Forget(platformID, accountID string) {
	g.mu.Lock()
	delete(g.entries, gateKey{platformID, accountID})
	g.gen.Add(1)
	g.mu.Unlock()
}

// ForgetPlatform drops what the gate knows of every account of a platform
// (a plan changed).
func (g *Gate) ForgetPlatform(platformID string) {
	g.mu.Lock()
	for k := range g.entries {
		if k.platform == platformID {
			delete(g.entries, k)
		}
	}
	g.gen.Add(1)
	g.mu.Unlock()
}

// ForgetAll drops everything the gate knows.
func (g *Gate) ForgetAll() {
	g.mu.Lock()
	clear(g.entries)
	g.gen.Add(1)
	g.mu.Unlock()
}

// Listen keeps the gate in step with changes made by other processes, for
// as long as ctx lives, when the store can tell (it implements
// ChangeListener; otherwise Listen returns nil at once and the TTL is the
// only bound). ready is called once listening.
func (g *Gate) Listen(ctx context.Context, ready func()) error {
	cl, ok := g.s.store.(ChangeListener)
	if !ok {
		if ready != nil {
			ready()
		}
		return nil
	}
	return cl.ListenChanges(ctx, ready, func(platformID, accountID string) {
		switch {
		case platformID == "*":
			g.ForgetAll()
		case accountID == "*":
			g.ForgetPlatform(platformID)
		default:
			g.Forget(platformID, accountID)
		}
		if g.s.cfg.OnGateNotified != nil {
			g.s.cfg.OnGateNotified(platformID, accountID)
		}
	})
}

// Invalidate forgets an account here and tells every other process's gate
// to forget it too (when the store can tell them). The root package calls
// it when an account is disabled, locked or deleted.
func (g *Gate) Invalidate(ctx context.Context, platformID, accountID string) error {
	if err := checkIDs("platform_id", platformID, "account_id", accountID); err != nil {
		return fmt.Errorf("licensing: invalidate: %w", err)
	}
	g.Forget(platformID, accountID)
	if cl, ok := g.s.store.(ChangeListener); ok {
		if err := cl.NotifyChange(ctx, platformID, accountID); err != nil {
			return fmt.Errorf("licensing: invalidate: %w", err)
		}
	}
	return nil
}
