// Package storetest is the conformance suite every [impersonation.Store]
// must pass.
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
// The suite drives the Store interface directly, as impersonation.Service
// does after checking arguments and computing every value: IDs are UUIDs
// and token hashes hex SHA-256 digests of random bytes made by the suite,
// times are UTC at microsecond precision from a fixed base time (never the
// clock), limits are positive, and every audit event is built by hand with
// ActorID "system:storetest". It never sleeps.
//
// Subtests run in parallel and may all receive stores over one shared
// database: each uses platforms of its own with random IDs and never
// assumes that a table is empty.
//
// Races (50 Ends of one session; EndAll calls and Ends over overlapping
// sessions; inserts with one token hash or one ID) start their goroutines
// together and check that every session ended exactly once, that the
// losers got the expected error and wrote nothing, and that exactly one end
// event per session landed, the winner's.
//
// Where store.go leaves a detail open, the suite takes the reading below and
// checks nothing stricter:
//
//   - Insert stores every field as given, EndedAt and EndReason included
//     (the store holds no rules); a session stored ended cannot be ended
//     again (ErrEnded).
//   - An ID or token hash is "in use" when a stored session of the same
//     platform holds it, ended or not; the same ID or hash on another
//     platform is allowed.
//   - End and EndAll store EndedAt = At and EndReason = Reason and change no
//     other field; End ignores ExpiresAt and StartedAt.
//   - EndAll with neither AccountID nor UserID matches every session of the
//     platform (the sweeper, with ExpiredOnly). With a Limit it ends the
//     first Limit matches in StartedAt then ID order, the order it returns
//     them in.
//   - EndAll's Event callback is pure: the suite's builds a new event per
//     call and remembers the last one per session, since a store may call
//     it again when it retries a transaction. Only the events of sessions
//     the call returned may land.
//   - Query.ActiveAt keeps sessions with no EndedAt and ExpiresAt after the
//     instant, as Session.ActiveAt; the suite asks only for instants at or
//     after every StartedAt and after every EndedAt it stored.
//   - Filters match exactly; the suite's values are never substrings of one
//     another except where it checks that a prefix matches nothing.
//   - A page cursor is built from the last record returned:
//     Cursor{StartedAt, ID}. IDs compare as byte strings.
//   - A List or EndAll that finds nothing may return nil or an empty slice.
//   - A write whose audit event cannot be stored (its ID taken) fails with
//     some error and changes no session. After such a failing EndAll the
//     suite does not check that the events written before the failing one
//     are gone: an in-memory store writing to a separate audit store cannot
//     take them back.
package storetest
