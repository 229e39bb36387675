package licensing_test

import (
	"context"
	"testing"
)

// TestGateWarmAllocatesNothing keeps the warm gate's promise (no
// allocation; bench/ times it) as a test.
func TestGateWarmAllocatesNothing(t *testing.T) {
	f := newFixture(t, nil)
	f.issue(t, "a1", 0)
	gate, ctx := f.svc.Gate(), context.Background()
	_, _ = gate.Check(ctx, "p1", "a1", "live_chat")
	if n := testing.AllocsPerRun(1000, func() { _, _ = gate.Check(ctx, "p1", "a1", "live_chat") }); n != 0 {
		t.Fatalf("warm Check allocates %v times", n)
	}
}
