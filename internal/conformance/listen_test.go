package conformance_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/internal/fanout"
)

func TestListenHelpers(t *testing.T) {
	var h fanout.Hub[string]
	heard := conformance.Listen(t, h.Listen)
	var r conformance.Recorder[string]
	conformance.Listening(t, func(ctx context.Context, ready func()) error { return h.Listen(ctx, ready, r.Hear) })

	conformance.Silent(t, heard, "nothing yet")
	h.Deliver("a", "b", "c")
	conformance.Heard(t, heard, "a", "synchronous")
	conformance.Next(t, heard, "b", "next")
	conformance.Await(t, heard, "c")
	require.Equal(t, []string{"a", "b", "c"}, r.Take())
	require.Empty(t, r.Take(), "taken")
}
