package fanout_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tenantry/tenantry/internal/conformance"
	"github.com/tenantry/tenantry/internal/fanout"
)

// listenFunc is Hub.Listen or Registry.Listen on one key.
type listenFunc func(ctx context.Context, ready func(), fn func(string)) error

// listen registers fn through l until the test ends, and returns once it
// is registered.
func listen(t *testing.T, l listenFunc, fn func(string)) {
	t.Helper()
	conformance.Listening(t, func(ctx context.Context, ready func()) error { return l(ctx, ready, fn) })
}

// each runs fn over a Hub and over one key of a Registry: the same
// guarantees hold for both.
func each(t *testing.T, fn func(t *testing.T, listen listenFunc, deliver func(...string))) {
	t.Run("hub", func(t *testing.T) {
		var h fanout.Hub[string]
		fn(t, h.Listen, h.Deliver)
	})
	t.Run("registry", func(t *testing.T) {
		var r fanout.Registry[int, string]
		fn(t,
			func(ctx context.Context, ready func(), f func(string)) error { return r.Listen(ctx, 1, ready, f) },
			func(vs ...string) { r.Deliver(1, vs...) })
	})
}

func TestDeliverInOrderToEveryListener(t *testing.T) {
	each(t, func(t *testing.T, l listenFunc, deliver func(...string)) {
		deliver("unheard") // nobody listens yet
		var a, b conformance.Recorder[string]
		listen(t, l, a.Hear)
		listen(t, l, b.Hear)
		deliver("x", "y", "z")
		deliver()
		require.Equal(t, []string{"x", "y", "z"}, a.Take())
		require.Equal(t, []string{"x", "y", "z"}, b.Take())
	})
}

func TestListenEndedContext(t *testing.T) {
	each(t, func(t *testing.T, l listenFunc, deliver func(...string)) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		require.ErrorIs(t, l(ctx, func() { called = true }, func(string) { called = true }), context.Canceled)
		deliver("x")
		require.False(t, called)
	})
}

func TestNoCallAfterListenReturns(t *testing.T) {
	each(t, func(t *testing.T, l listenFunc, deliver func(...string)) {
		lctx, cancel := context.WithCancel(context.Background())
		entered, release := make(chan struct{}), make(chan struct{})
		var after atomic.Bool
		returned := make(chan error, 1)
		ready := make(chan struct{})
		go func() {
			err := l(lctx, func() { close(ready) }, func(string) {
				if after.Load() {
					t.Error("called after Listen returned")
				}
				close(entered)
				<-release
			})
			after.Store(true)
			returned <- err
		}()
		<-ready
		delivered := make(chan struct{})
		go func() { deliver("x"); close(delivered) }()
		<-entered
		cancel()
		select {
		case <-returned:
			t.Fatal("Listen returned while its listener was running")
		default:
		}
		close(release)
		<-delivered
		require.ErrorIs(t, <-returned, context.Canceled)
		deliver("y") // nobody listens any more
	})
}

func TestPanickingListenerReleasesOthers(t *testing.T) {
	each(t, func(t *testing.T, l listenFunc, deliver func(...string)) {
		var r conformance.Recorder[string]
		listen(t, l, r.Hear)
		listen(t, l, func(string) { panic("boom") })
		require.Panics(t, func() { deliver("x") })
		// The cleanups of listen cancel both and wait for them to return: a
		// listener left counted as running would hang the test here.
	})
}

func TestRegistryKeys(t *testing.T) {
	var r fanout.Registry[string, int]
	var a, b conformance.Recorder[string]
	on := func(rec *conformance.Recorder[string]) func(int) {
		return func(v int) { rec.Hear(strconv.Itoa(v)) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for key, rec := range map[string]*conformance.Recorder[string]{"a": &a, "b": &b} {
		ready := make(chan struct{})
		wg.Go(func() {
			require.ErrorIs(t, r.Listen(ctx, key, func() { close(ready) }, on(rec)), context.Canceled)
		})
		<-ready
	}
	require.Equal(t, 2, r.Len())
	r.Deliver("a", 1)
	r.Deliver("b", 2, 3)
	r.Deliver("c", 4)
	require.Equal(t, []string{"1"}, a.Take())
	require.Equal(t, []string{"2", "3"}, b.Take())
	cancel()
	wg.Wait()
	require.Zero(t, r.Len(), "no hub outlives its last listener")
}
