package fanout

import (
	"context"
	"sync"
)

// Hub calls its listeners with every value delivered to it. The zero Hub
// is ready to use; a Hub must not be copied after first use.
type Hub[T any] struct {
	mu   sync.Mutex
	next int
	fns  map[int]*listener[T]
}

// listener is one registered function; calls counts its calls in flight,
// so that Listen returns only once they are over.
type listener[T any] struct {
	fn    func(T)
	calls sync.WaitGroup
}

// Listen registers fn until ctx ends, calls ready (when not nil) once fn is
// registered, and then returns ctx.Err() once no call of fn is in flight:
// no call starts after Listen has returned. When ctx has already ended it
// returns ctx.Err() at once, without calling ready.
func (h *Hub[T]) Listen(ctx context.Context, ready func(), fn func(T)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := &listener[T]{fn: fn}
	id := h.add(l)
	if ready != nil {
		ready()
	}
	<-ctx.Done()
	h.remove(id)
	l.calls.Wait()
	return ctx.Err()
}

// Deliver calls every listener registered now with each of vs, in order,
// in the caller's goroutine: a listener hears all of vs before the next
// listener hears the first. It returns once every call has returned. The
// caller must hold no lock that a listener may take.
func (h *Hub[T]) Deliver(vs ...T) {
	if len(vs) == 0 {
		return
	}
	h.mu.Lock()
	active := make([]*listener[T], 0, len(h.fns))
	for _, l := range h.fns {
		l.calls.Add(1)
		active = append(active, l)
	}
	h.mu.Unlock()
	// Should a listener panic, the ones not yet called are released.
	defer func() {
		for _, l := range active {
			l.calls.Done()
		}
	}()
	for len(active) > 0 {
		l := active[0]
		active = active[1:]
		l.deliver(vs)
	}
}

// add registers l and returns its ID.
func (h *Hub[T]) add(l *listener[T]) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fns == nil {
		h.fns = map[int]*listener[T]{}
	}
	h.next++
	h.fns[h.next] = l
	return h.next
}

// remove unregisters listener id and returns how many remain; calls
// already started may still run.
func (h *Hub[T]) remove(id int) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.fns, id)
	return len(h.fns)
}

// deliver calls l.fn with each of vs, then marks the call done, even when
// fn panics.
func (l *listener[T]) deliver(vs []T) {
	defer l.calls.Done()
	for _, v := range vs {
		l.fn(v)
	}
}

// Registry holds a Hub for each key that has listeners. A key's Hub exists
// only while someone listens on it: nothing outlives the last listener.
// The zero Registry is ready to use; a Registry must not be copied after
// first use.
type Registry[K comparable, T any] struct {
	mu sync.Mutex
	m  map[K]*Hub[T]
}

// Listen is Hub.Listen on key's Hub, made when it is the first listener.
func (r *Registry[K, T]) Listen(ctx context.Context, key K, ready func(), fn func(T)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l := &listener[T]{fn: fn}
	r.mu.Lock()
	if r.m == nil {
		r.m = map[K]*Hub[T]{}
	}
	h := r.m[key]
	if h == nil {
		h = &Hub[T]{}
		r.m[key] = h
	}
	id := h.add(l)
	r.mu.Unlock()

	if ready != nil {
		ready()
	}
	<-ctx.Done()

	r.mu.Lock()
	if h.remove(id) == 0 && r.m[key] == h {
		delete(r.m, key)
	}
	r.mu.Unlock()
	l.calls.Wait()
	return ctx.Err()
}

// Deliver is Hub.Deliver on key's Hub; it does nothing when nobody listens
// on key.
func (r *Registry[K, T]) Deliver(key K, vs ...T) {
	r.mu.Lock()
	h := r.m[key]
	r.mu.Unlock()
	if h != nil {
		h.Deliver(vs...)
	}
}

// Len returns how many keys have listeners.
func (r *Registry[K, T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}
