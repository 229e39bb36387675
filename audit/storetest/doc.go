// Package storetest is the conformance suite every [audit.Store] must pass.
//
// A store's own tests call [Run] with a function that returns the store to
// exercise:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) audit.Store { return memstore.New() })
//	}
//
// The subtests run in parallel and may all receive stores over one shared
// database: each uses its own random platform IDs and never assumes the
// table is empty. The one exception is the purge subtest, which removes
// events of any platform: it works in the year 2001 and assumes that no
// other event before 2002 exists, so do not run other code that records
// such old events on the same database at the same time.
//
// The suite drives the Store interface directly, as audit.Service would
// after checking arguments: times are UTC at microsecond precision, limits
// are positive. It never reads the clock and never sleeps.
package storetest
