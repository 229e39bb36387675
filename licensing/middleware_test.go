package licensing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/licensing"
	"github.com/tenantry/tenantry/licensing/memstore"
)

func TestMiddleware(t *testing.T) {
	f := newFixture(t, nil)
	l := f.issue(t, "licensed", 0)
	f.issue(t, "locked", 0)
	f.mu.Lock()
	f.state["locked"] = licensing.AccountState{Locked: true}
	f.mu.Unlock()
	served := 0
	h := f.svc.Gate().Middleware(func(r *http.Request) (licensing.GateRequest, bool) {
		account := strings.TrimPrefix(r.URL.Path, "/bots/")
		if account == r.URL.Path {
			return licensing.GateRequest{}, false
		}
		return licensing.GateRequest{PlatformID: "p1", AccountID: account, Feature: r.URL.Query().Get("feature")}, true
	})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	code, _ := get("/healthz")
	assert.Equal(t, http.StatusOK, code, "not an account's request")
	code, _ = get("/bots/licensed?feature=live_chat")
	assert.Equal(t, http.StatusOK, code)
	code, body := get("/bots/licensed?feature=analytics")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, body, "feature_off")
	code, body = get("/bots/nobody")
	assert.Equal(t, http.StatusPaymentRequired, code)
	assert.Contains(t, body, "no_license")
	code, _ = get("/bots/locked")
	assert.Equal(t, http.StatusLocked, code)
	assert.Equal(t, 2, served)

	_, err := f.svc.Revoke(f.ctx, "p1", l.ID)
	require.NoError(t, err)
	code, body = get("/bots/licensed")
	assert.Equal(t, http.StatusPaymentRequired, code, "refused at once after the revocation")
	assert.Contains(t, body, "license_revoked")
	// A plan change reaches the gate at once too.
	_, err = f.svc.CreatePlan(f.ctx, licensing.PlanParams{PlatformID: "p1", ID: "pro", Name: "Pro", Features: []string{"live_chat", "analytics"}})
	require.NoError(t, err)
	other := f.issue(t, "upgraded", 0)
	_, err = f.svc.ChangeAccountPlan(f.ctx, "p1", "upgraded", "pro")
	require.NoError(t, err)
	code, _ = get("/bots/upgraded?feature=analytics")
	assert.Equal(t, http.StatusOK, code)
	lic, err := f.svc.License(context.Background(), "p1", other.ID)
	require.NoError(t, err)
	assert.Equal(t, "pro", lic.PlanID)
}

// TestGateRealClock runs the gate on the production clock (Config.Now
// left nil), where warm checks read the monotonic clock.
func TestGateRealClock(t *testing.T) {
	svc := licensing.New(memstore.New(nil), &licensing.Config{Features: catalog})
	ctx := withLicense(t, svc)
	gate := svc.Gate()
	d, err := gate.Check(ctx, "p1", "a1", "live_chat")
	require.NoError(t, err)
	assert.True(t, d.Allowed)
	if n := testing.AllocsPerRun(1000, func() { _, _ = gate.Check(ctx, "p1", "a1", "live_chat") }); n != 0 {
		t.Fatalf("warm Check allocates %v times", n)
	}
	l, err := svc.AccountLicense(ctx, "p1", "a1")
	require.NoError(t, err)
	_, err = svc.Revoke(ctx, "p1", l.ID)
	require.NoError(t, err)
	d, err = gate.Check(ctx, "p1", "a1", "live_chat")
	require.NoError(t, err)
	assert.Equal(t, licensing.ReasonLicenseRevoked, d.Reason)
}

// withLicense gives svc a plan and a license for account a1, as the host.
func withLicense(t *testing.T, svc *licensing.Service) context.Context {
	ctx := audit.WithPrincipal(context.Background(), audit.System("test"))
	_, err := svc.CreatePlan(ctx, licensing.PlanParams{PlatformID: "p1", ID: "basic", Name: "Basic", Features: []string{"live_chat"}})
	require.NoError(t, err)
	_, err = svc.Issue(ctx, licensing.IssueParams{PlatformID: "p1", PlanID: "basic", AccountID: "a1", EndsAt: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	return ctx
}
