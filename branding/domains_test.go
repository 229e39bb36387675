package branding_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/branding"
	"github.com/tenantry/tenantry/internal/dnstest"
)

// domainFixture is a Service whose resolver is a DNS server on loopback.
func domainFixture(t *testing.T) (*svcFixture, *dnstest.Server) {
	dns := dnstest.Start(t)
	f := newSvcFixture(t, &branding.Config{Resolver: dns.Resolver()})
	return f, dns
}

func TestDomainVerification(t *testing.T) {
	f, dns := domainFixture(t)
	d, err := f.svc.AddDomain(f.ctx, "p1", " Bots.Acme.EXAMPLE. ")
	require.NoError(t, err)
	require.Equal(t, "bots.acme.example", d.Host)
	require.False(t, d.Verified())
	require.Len(t, d.VerificationToken, 32)

	_, err = f.svc.VerifyDomain(f.ctx, "p1", d.Host)
	require.ErrorIs(t, err, branding.ErrNotVerified, "no record yet (NXDOMAIN)")

	name := branding.VerificationName(d.Host)
	dns.SetTXT(name, "v=spf1 -all", branding.VerificationRecord("someone-elses-token"))
	_, err = f.svc.VerifyDomain(f.ctx, "p1", d.Host)
	require.ErrorIs(t, err, branding.ErrNotVerified, "a record that does not match")

	_, err = f.svc.MakePrimary(f.ctx, "p1", d.Host)
	require.ErrorIs(t, err, branding.ErrNotVerified, "primary needs a verified domain")

	dns.SetTXT(name, "v=spf1 -all", branding.VerificationRecord(d.VerificationToken))
	f.clock.Advance(time.Minute)
	d, err = f.svc.VerifyDomain(f.ctx, "p1", d.Host)
	require.NoError(t, err)
	require.True(t, d.Verified())
	require.Equal(t, svcStart.Add(time.Minute), d.VerifiedAt)

	d, err = f.svc.MakePrimary(f.ctx, "p1", d.Host)
	require.NoError(t, err)
	require.True(t, d.Primary)

	t.Run("ServerFailure", func(t *testing.T) {
		d2, err := f.svc.AddDomain(f.ctx, "p1", "chat.acme.example")
		require.NoError(t, err)
		dns.Fail(branding.VerificationName(d2.Host), 2) // SERVFAIL
		_, err = f.svc.VerifyDomain(f.ctx, "p1", d2.Host)
		require.Error(t, err)
		require.NotErrorIs(t, err, branding.ErrNotVerified, "a failed lookup is not a verdict: try again")
	})
	t.Run("OnePlatformPerHost", func(t *testing.T) {
		p2 := audit.WithPrincipal(context.Background(), audit.Principal{PlatformID: "p2", UserID: "eve"})
		_, err := f.svc.AddDomain(p2, "p2", "BOTS.acme.example")
		require.ErrorIs(t, err, branding.ErrConflict, "verified elsewhere")
		_, err = f.svc.AddDomain(p2, "p2", "chat.acme.example")
		require.ErrorIs(t, err, branding.ErrConflict, "claimed elsewhere, even unverified")
		_, err = f.svc.VerifyDomain(p2, "p2", "bots.acme.example")
		require.ErrorIs(t, err, branding.ErrNotFound, "another platform's domain")
		require.NoError(t, f.svc.RemoveDomain(f.ctx, "p1", "chat.acme.example"))
		_, err = f.svc.AddDomain(p2, "p2", "chat.acme.example")
		require.NoError(t, err, "free once removed")
	})
	t.Run("HostileHosts", func(t *testing.T) {
		for _, h := range []string{"", "acme.example:443", "user@acme.example", "https://acme.example", "acme.example/x",
			"127.0.0.1", "[::1]", "localhost", "*.acme.example", "acme..example", "evil.example\\@good.example", "a\x00b.example"} {
			_, err := f.svc.AddDomain(f.ctx, "p1", h)
			require.ErrorIs(t, err, branding.ErrInvalid, "%q", h)
		}
	})
}

// routingFixture has platform p1 with default host p1.product.example
// and verified custom domains bots.acme.example (primary) and
// www.acme.example; and an unverified pending.acme.example.
func routingFixture(t *testing.T, cfg *branding.RouterConfig) (*svcFixture, *branding.Router, http.Handler) {
	f, dns := domainFixture(t)
	_, err := f.svc.AddDefaultHost(f.ctx, "p1", "p1.product.example")
	require.NoError(t, err)
	router := f.svc.NewRouter(cfg)
	for _, h := range []string{"bots.acme.example", "www.acme.example"} {
		d, err := f.svc.AddDomain(f.ctx, "p1", h)
		require.NoError(t, err)
		dns.SetTXT(branding.VerificationName(h), branding.VerificationRecord(d.VerificationToken))
		_, err = f.svc.VerifyDomain(f.ctx, "p1", h)
		require.NoError(t, err)
	}
	_, err = f.svc.AddDomain(f.ctx, "p1", "pending.acme.example")
	require.NoError(t, err)
	h := router.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := branding.PlatformFrom(r.Context())
		_, _ = w.Write([]byte("platform=" + p))
	}))
	return f, router, h
}

func serve(h http.Handler, host, target string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", "http://placeholder"+target, nil)
	r.Host = host
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestRouter(t *testing.T) {
	f, router, h := routingFixture(t, nil)

	w := serve(h, "p1.product.example", "/login")
	require.Equal(t, http.StatusOK, w.Code, "no primary yet: the default host serves")
	require.Equal(t, "platform=p1", w.Body.String())

	_, err := f.svc.MakePrimary(f.ctx, "p1", "bots.acme.example")
	require.NoError(t, err)

	w = serve(h, "P1.Product.Example.:8080", "/login?next=%2Faccounts&x=1")
	require.Equal(t, http.StatusPermanentRedirect, w.Code, "the change reached the cached route at once")
	require.Equal(t, "https://bots.acme.example/login?next=%2Faccounts&x=1", w.Header().Get("Location"))

	for _, c := range []struct{ host, path string }{
		{"bots.acme.example", "/"}, {"BOTS.ACME.EXAMPLE", "/x"}, {"www.acme.example:443", "/y?z=1"},
	} {
		w := serve(h, c.host, c.path)
		require.Equal(t, http.StatusOK, w.Code, c.host)
		require.Equal(t, "platform=p1", w.Body.String())
	}
	for _, host := range []string{"pending.acme.example", "evil.example", "p1.product.example.evil.example"} {
		require.Equal(t, http.StatusNotFound, serve(h, host, "/").Code, host)
	}

	t.Run("NoOpenRedirect", func(t *testing.T) {
		for _, target := range []string{"//evil.example", "//evil.example/%2e%2e", "/\\evil.example", "/%5C%5Cevil.example",
			"/@evil.example", "/?next=https://evil.example", "/https://evil.example", "/..//evil.example"} {
			w := serve(h, "p1.product.example", target)
			require.Equal(t, http.StatusPermanentRedirect, w.Code, target)
			loc := w.Header().Get("Location")
			require.Regexp(t, `^https://bots\.acme\.example/`, loc, target)
			req, err := http.NewRequest("GET", loc, nil)
			require.NoError(t, err)
			require.Equal(t, "bots.acme.example", req.URL.Host, "%q led to %q", target, loc)
		}
		for _, host := range []string{"evil.example@p1.product.example", "p1.product.example\\evil.example",
			"user:pass@p1.product.example", "p1.product.example evil", "p1.product.example\r\nX: y"} {
			w := serve(h, host, "/")
			require.NotEqual(t, http.StatusPermanentRedirect, w.Code, host)
			require.Empty(t, w.Header().Get("Location"), host)
		}
	})
	t.Run("RemovedDomainStopsRouting", func(t *testing.T) {
		require.NoError(t, f.svc.RemoveDomain(f.ctx, "p1", "www.acme.example"))
		require.Equal(t, http.StatusNotFound, serve(h, "www.acme.example", "/").Code)
		route, err := router.Lookup(context.Background(), "bots.acme.example")
		require.NoError(t, err)
		require.Equal(t, "p1", route.PlatformID)
	})
}

// TestRouterTTL: a change made by another process (straight in the store
// here) is seen once the TTL passes, with no sleeping.
func TestRouterTTL(t *testing.T) {
	dns := dnstest.Start(t)
	f := newSvcFixture(t, &branding.Config{Resolver: dns.Resolver()})
	other := branding.New(f.store, &branding.Config{Resolver: dns.Resolver(), Now: f.clock.Now}) // "another process"
	router := f.svc.NewRouter(&branding.RouterConfig{TTL: time.Minute, Now: f.clock.Now})
	_, err := router.Lookup(context.Background(), "p1.product.example")
	require.ErrorIs(t, err, branding.ErrUnknownHost)
	_, err = other.AddDefaultHost(f.ctx, "p1", "p1.product.example")
	require.NoError(t, err)
	_, err = router.Lookup(context.Background(), "p1.product.example")
	require.ErrorIs(t, err, branding.ErrUnknownHost, "cached within the TTL")
	f.clock.Advance(time.Minute)
	route, err := router.Lookup(context.Background(), "p1.product.example")
	require.NoError(t, err)
	require.Equal(t, "p1", route.PlatformID)
}

// TestRouterListen: with Listen running, another Service's change clears
// the router at once (across processes: branding/sqlstore's listen tests).
func TestRouterListen(t *testing.T) {
	f := newSvcFixture(t, nil)
	other := branding.New(f.store, &branding.Config{Now: f.clock.Now})
	router := f.svc.NewRouter(&branding.RouterConfig{TTL: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- router.Listen(ctx, func() { close(ready) }) }()
	<-ready
	_, err := router.Lookup(ctx, "p1.product.example")
	require.ErrorIs(t, err, branding.ErrUnknownHost)
	_, err = other.AddDefaultHost(f.ctx, "p1", "p1.product.example")
	require.NoError(t, err)
	// memstore notifies synchronously: the write returned, the router
	// has forgotten the unknown host.
	_, err = router.Lookup(ctx, "p1.product.example")
	require.NoError(t, err)
	cancel()
	<-done
}
