package branding

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tenantry/tenantry/internal/validate"
)

// RouterConfig tunes a Router. A nil *RouterConfig means all defaults.
type RouterConfig struct {
	// TTL bounds how long a looked-up host is trusted without hearing of a
	// change: the floor under the in-process invalidation and Listen.
	// Defaults to one minute.
	TTL time.Duration
	// MaxEntries bounds the cache (unknown hosts included, so that random
	// Host headers cannot grow it); it is emptied when full. Defaults to
	// 100,000.
	MaxEntries int
	// Scheme is the scheme of redirects to a primary domain. Defaults to
	// "https".
	Scheme string
	// Now is the clock of the TTL, for tests. Defaults to the monotonic
	// clock.
	Now func() time.Time
	// Unknown answers requests for hosts that lead to no platform (or to
	// an unverified domain). Defaults to 404 with a short text.
	Unknown http.Handler
}

// HostRoute is where a request's host leads.
type HostRoute struct {
	PlatformID string
	// Host is the canonical host looked up.
	Host string
	// RedirectTo is the platform's verified primary domain when Host is its
	// default host and it has one: requests are redirected there.
	RedirectTo string
}

// Router finds the platform of a request from its host, with a cache that
// each change in this process clears at once, Listen clears for changes of
// other processes, and TTL bounds in any case. Make it with
// Service.NewRouter. It is safe for concurrent use.
type Router struct {
	store DomainStore
	cfg   RouterConfig
	base  time.Time

	mu     sync.RWMutex
	routes map[string]routeEntry
	// listening is set while Listen runs: changes then arrive as
	// notifications and Listen's sweeper enforces the TTL, so a warm
	// lookup reads no clock.
	listening atomic.Bool
}

type routeEntry struct {
	route  HostRoute
	err    error
	loaded time.Duration
}

// NewRouter returns a Router over the Service's domains; the Service's own
// changes invalidate it at once.
func (s *Service) NewRouter(cfg *RouterConfig) *Router {
	var c RouterConfig
	if cfg != nil {
		c = *cfg
	}
	if c.TTL <= 0 {
		c.TTL = time.Minute
	}
	if c.MaxEntries <= 0 {
		c.MaxEntries = 100_000
	}
	if c.Scheme == "" {
		c.Scheme = "https"
	}
	r := &Router{store: s.store, cfg: c, base: time.Now(), routes: map[string]routeEntry{}}
	s.mu.Lock()
	s.routers = append(s.routers, r)
	s.mu.Unlock()
	return r
}

// elapsed is the router's clock: time since it was made.
func (r *Router) elapsed() time.Duration {
	if r.cfg.Now != nil {
		return r.cfg.Now().Sub(r.base)
	}
	return time.Since(r.base)
}

// Lookup returns where host (canonical, as RequestHost gives it) leads:
// ErrUnknownHost for a host of no platform or one not verified yet. A warm
// lookup is a map read: no query, no allocation, and while Listen runs not
// even a clock read.
func (r *Router) Lookup(ctx context.Context, host string) (HostRoute, error) {
	r.mu.RLock()
	e, ok := r.routes[host]
	r.mu.RUnlock()
	if ok && (r.listening.Load() || r.elapsed()-e.loaded < r.cfg.TTL) {
		return e.route, e.err
	}
	if validate.Line(host, maxHostInput) != nil {
		// No platform can have it; not cached, so junk cannot crowd out
		// real routes.
		return HostRoute{}, ErrUnknownHost
	}
	now := r.elapsed()
	route, err := r.load(ctx, host)
	if err != nil && !errors.Is(err, ErrUnknownHost) {
		return HostRoute{}, fmt.Errorf("branding: route %s: %w", host, err)
	}
	r.mu.Lock()
	if len(r.routes) >= r.cfg.MaxEntries {
		clear(r.routes)
	}
	r.routes[host] = routeEntry{route: route, err: err, loaded: now}
	r.mu.Unlock()
	return route, err
}

// load reads host's route from the store.
func (r *Router) load(ctx context.Context, host string) (HostRoute, error) {
	rt, err := r.store.LookupHost(ctx, host)
	if isNotFound(err) {
		return HostRoute{}, ErrUnknownHost
	}
	if err != nil {
		return HostRoute{}, err
	}
	if !rt.Domain.Verified() {
		return HostRoute{}, ErrUnknownHost
	}
	route := HostRoute{PlatformID: rt.Domain.PlatformID, Host: rt.Domain.Host}
	if rt.Domain.Default && rt.PrimaryHost != "" && rt.PrimaryHost != rt.Domain.Host {
		// The primary was canonical when added; check again, since it goes
		// into a Location header.
		if h, err := NormalizeHost(rt.PrimaryHost); err == nil && h == rt.PrimaryHost {
			route.RedirectTo = h
		}
	}
	return route, nil
}

// Invalidate forgets the routes of a platform, and every unknown host (one
// may just have been added). Everything ("*") forgets all routes.
func (r *Router) Invalidate(platformID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platformID == Everything {
		clear(r.routes)
		return
	}
	for h, e := range r.routes {
		if e.err != nil || e.route.PlatformID == platformID {
			delete(r.routes, h)
		}
	}
}

// Everything is the platform ID a ChangeListener passes when any platform
// may have changed (after its connection was lost and found again).
const Everything = "*"

// expire forgets the routes loaded a TTL ago or more.
func (r *Router) expire() {
	now := r.elapsed()
	r.mu.Lock()
	defer r.mu.Unlock()
	for h, e := range r.routes {
		if now-e.loaded >= r.cfg.TTL {
			delete(r.routes, h)
		}
	}
}

// Listen invalidates the router whenever any process changes a domain
// through a Store on the same database, until ctx ends; ready is called
// once it listens. While it runs, routes are trusted until a notification
// or the TTL (enforced by a sweeper every half TTL) removes them, and
// lookups skip the clock. The Store must implement ChangeListener (both
// sqlstore and memstore do). Run it in a goroutine.
func (r *Router) Listen(ctx context.Context, ready func()) error {
	l, ok := r.store.(ChangeListener)
	if !ok {
		return errors.New("branding: router listen: the store cannot notify changes; the TTL alone bounds staleness")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.sweep(ctx)
	defer r.listening.Store(false)
	return l.ListenChanges(ctx, func() {
		r.listening.Store(true)
		if ready != nil {
			ready()
		}
	}, r.Invalidate)
}

// sweep enforces the TTL while Listen runs, every half TTL, so that a
// route stays no longer than the TTL even if a notification were lost.
func (r *Router) sweep(ctx context.Context) {
	t := time.NewTicker(r.cfg.TTL / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.expire()
		}
	}
}

type platformKey struct{}

// WithPlatform returns a context carrying the platform a request is for.
func WithPlatform(ctx context.Context, platformID string) context.Context {
	return context.WithValue(ctx, platformKey{}, platformID)
}

// PlatformFrom returns the platform the Router found for the request.
func PlatformFrom(ctx context.Context) (string, bool) {
	p, ok := ctx.Value(platformKey{}).(string)
	return p, ok && p != ""
}

// Middleware routes every request by its host: a host of no platform, or
// a Host header that is not a plain host name (user info, backslashes...),
// is refused (Unknown, 404; 400 for a malformed one); the platform's
// default host is redirected (308, path and query kept) to its verified
// primary domain; otherwise the platform goes into the request's context
// (PlatformFrom). The redirect's host always comes from the database,
// never from the request, so no Host header, path or query can make it an
// open redirect.
func (r *Router) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		host, ok := RequestHost(req)
		if !ok {
			http.Error(w, "bad host", http.StatusBadRequest)
			return
		}
		route, err := r.Lookup(req.Context(), host)
		switch {
		case errors.Is(err, ErrUnknownHost):
			if r.cfg.Unknown != nil {
				r.cfg.Unknown.ServeHTTP(w, req)
				return
			}
			http.Error(w, "unknown host", http.StatusNotFound)
			return
		case err != nil:
			http.Error(w, "routing failed", http.StatusServiceUnavailable)
			return
		case route.RedirectTo != "":
			w.Header().Set("Location", r.redirectURL(route.RedirectTo, req))
			w.WriteHeader(http.StatusPermanentRedirect)
			return
		}
		next.ServeHTTP(w, req.WithContext(WithPlatform(req.Context(), route.PlatformID)))
	})
}

// redirectURL is the request's path and query on host.
func (r *Router) redirectURL(host string, req *http.Request) string {
	path := req.URL.EscapedPath()
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	u := r.cfg.Scheme + "://" + host + path
	if req.URL.RawQuery != "" {
		u += "?" + req.URL.RawQuery
	}
	return u
}
