// Package fanout calls, in the writer's goroutine, every function that
// listens for a store's changes: the in-process side of the change
// listeners of tenantry's stores (licensing and branding memstore, and
// their sqlstore on SQLite).
//
// A Hub holds the listeners of one store; a Registry holds a Hub for each
// key that has listeners (a SQLite database handle), so that every store
// on one handle hears the others. Listen returns only once no call of its
// function is in flight, and a panicking listener releases the ones after
// it.
package fanout
