package conformance

import (
	"context"
	"sync"
	"testing"
	"time"
)

// WaitTimeout bounds every wait for a notification in Listen, Await and
// Next; nothing sleeps.
const WaitTimeout = 10 * time.Second

// Listening runs listen (a store's ListenChanges with its function bound)
// until the test ends, and returns once listen has called ready. The
// cleanup checks that listen returns context.Canceled within WaitTimeout
// of its context ending.
func Listening(t testing.TB, listen func(ctx context.Context, ready func()) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- listen(ctx, func() { close(ready) }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != context.Canceled {
				t.Errorf("listening returned %v, want %v", err, context.Canceled)
			}
		case <-time.After(WaitTimeout):
			t.Errorf("listening did not return within %v of its context ending", WaitTimeout)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("listening returned before it was ready: %v", err)
	case <-time.After(WaitTimeout):
		t.Fatalf("listening not ready within %v", WaitTimeout)
	}
}

// Listen is Listening on a listen whose function takes one value, and
// returns the channel of what it hears.
func Listen[T any](t testing.TB, listen func(ctx context.Context, ready func(), fn func(T)) error) <-chan T {
	t.Helper()
	heard := make(chan T, 64)
	Listening(t, func(ctx context.Context, ready func()) error {
		return listen(ctx, ready, func(v T) { heard <- v })
	})
	return heard
}

// Recorder collects what a listener hears, for listeners called
// synchronously; it is safe for concurrent use.
type Recorder[T any] struct {
	mu    sync.Mutex
	heard []T
}

// Hear records v.
func (r *Recorder[T]) Hear(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.heard = append(r.heard, v)
}

// Take returns what was heard since the last Take, in order.
func (r *Recorder[T]) Take() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.heard
	r.heard = nil
	return h
}

// Await waits until want is heard (other notifications are skipped), and
// fails after WaitTimeout.
func Await[T comparable](t testing.TB, heard <-chan T, want T) {
	t.Helper()
	timeout := time.After(WaitTimeout)
	for {
		select {
		case got := <-heard:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no notification %+v within %v", want, WaitTimeout)
		}
	}
}

// Next waits for the next notification, which must be want; what names
// the step for the failure message.
func Next[T comparable](t testing.TB, heard <-chan T, want T, what string) {
	t.Helper()
	select {
	case got := <-heard:
		if got != want {
			t.Fatalf("%s: heard %+v, want %+v", what, got, want)
		}
	case <-time.After(WaitTimeout):
		t.Fatalf("%s: no notification within %v", what, WaitTimeout)
	}
}

// Heard checks that want was heard already, before the call that notified
// it returned (a synchronous listener); what names the step.
func Heard[T comparable](t testing.TB, heard <-chan T, want T, what string) {
	t.Helper()
	select {
	case got := <-heard:
		if got != want {
			t.Fatalf("%s: heard %+v, want %+v", what, got, want)
		}
	default:
		t.Fatalf("%s: the write returned before its listener heard it", what)
	}
}

// Silent checks that nothing is waiting to be heard; what names the step.
func Silent[T any](t testing.TB, heard <-chan T, what string) {
	t.Helper()
	select {
	case got := <-heard:
		t.Fatalf("%s: heard %+v", what, got)
	default:
	}
}
