package licensing_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
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
