// Package storetest is the conformance suite every [licensing.Store] must
// pass.
//
// A store's own tests call [Run] with a function that returns a [Harness]:
// the store to exercise and the [audit.Store] its events land in.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storetest.Harness {
//			s := memstore.New(nil)
//			return storetest.Harness{Store: s, Audit: s.Audit()}
//		})
//	}
//
// The suite drives the Store interface directly, as licensing.Service does
// after checking arguments and computing every value: IDs are UUIDs made by
// the suite, times are UTC at microsecond precision from a fixed base time
// (never the clock), limits are positive, and every audit event is built by
// hand with ActorID "system:storetest". It never sleeps: the only waits are
// for a [licensing.ChangeListener]'s notifications, bounded by a generous
// timeout.
//
// Subtests run in parallel and may all receive stores over one shared
// database: each uses platforms of its own with random IDs and never
// assumes that a table is empty. DueLicenses, which reads across platforms,
// is exercised with times decades before the base time, which no other
// subtest uses; every other license the suite writes ends, and misses its
// payments, after the base time.
//
// Races (at most one license stored Active per account, debits that never
// take a balance below zero, one application per idempotency key) start
// their goroutines together and check that exactly the expected number of
// calls won, that the losers wrote nothing, and that the winners' events
// landed.
//
// Where store.go leaves a detail open, the suite takes the reading below and
// checks nothing stricter:
//
//   - A plan whose Features or Limits are empty comes back with nil, not an
//     empty slice or map, whether it was written with nil or with an empty
//     value. Lists (Plans, Overrides, HiddenFeatures, ListLicenses,
//     CreditHistory, Balances) that find nothing may be nil or empty.
//   - History of a license that does not exist (or lives on another
//     platform) may return ErrNotFound or nothing.
//   - GateFacts lists overrides in any order; Overrides lists them by
//     feature.
//   - DueLicenses orders by EndsAt; the suite's data is built so that
//     ordering by the time each license fell due gives the same order.
//   - An idempotent replay (a key already used for the account) writes
//     nothing: no entry and no event. A call that failed did not use its
//     key. Keys are per account, whatever the kind.
//   - A page cursor is built from the last record returned, as
//     licensing.Service builds it: LicenseCursor{CreatedAt, ID} and
//     CreditCursor{At, ID}.
//   - A ChangeListener is told, for a license write, about the account the
//     license is assigned to, and for a move about the account it left too;
//     for SetOverride and DeleteOverride about the override's account.
package storetest
