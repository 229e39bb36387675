package licensing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/licensing"
)

// TestGateSharedPlan: the gate shares one view of a plan among the
// accounts on it (to keep its memory small), so an override of one
// account must not reach another on the same plan, and a changed plan must
// reach both once they are read again.
func TestGateSharedPlan(t *testing.T) {
	f := newFixture(t, nil)
	f.issue(t, "a1", 0)
	f.issue(t, "a2", 0)
	assert.True(t, f.check(t, "a1", "live_chat").Allowed)
	assert.True(t, f.check(t, "a2", "live_chat").Allowed)
	assert.False(t, f.check(t, "a2", "analytics").Allowed)

	require.NoError(t, f.svc.SetOverride(f.ctx, "p1", "a1", "analytics", true))
	require.NoError(t, f.svc.SetOverride(f.ctx, "p1", "a1", "live_chat", false))
	assert.True(t, f.check(t, "a1", "analytics").Allowed, "a1's override")
	assert.False(t, f.check(t, "a1", "live_chat").Allowed, "a1's override")
	assert.False(t, f.check(t, "a2", "analytics").Allowed, "a1's override is not a2's")
	assert.True(t, f.check(t, "a2", "live_chat").Allowed, "a1's override is not a2's")

	_, err := f.svc.UpdatePlan(f.ctx, licensing.PlanParams{PlatformID: "p1", ID: "basic", Name: f.plan.Name,
		Features: []string{"analytics"}, Limits: f.plan.Limits})
	require.NoError(t, err)
	f.svc.Gate().ForgetAll() // what a plan change makes every process do, at the latest after the TTL
	assert.True(t, f.check(t, "a2", "analytics").Allowed, "the changed plan")
	assert.False(t, f.check(t, "a2", "live_chat").Allowed, "the changed plan")
	assert.False(t, f.check(t, "a1", "live_chat").Allowed, "a1's override still holds")
}
