// Package storetest is the conformance suite every [invites.Store] must
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
// The suite drives the Store interface directly, as invites.Service does
// after checking arguments and computing every value: IDs are UUIDs and
// token hashes hex SHA-256 digests made by the suite, times are UTC at
// microsecond precision from a fixed base time (never the clock), limits
// are positive, and every audit event is built by hand with ActorID
// "system:storetest". It never sleeps.
//
// Subtests run in parallel and may all receive stores over one shared
// database: each uses platforms of its own with random IDs and never
// assumes that a table is empty.
//
// Races (50 claims of one invitation, inserts of one pending invitation,
// updates from one version) start their goroutines together and check
// that exactly one call won, that the losers got the expected error and
// wrote nothing, and that only the winner's event landed.
//
// Where store.go leaves a detail open, the suite takes the reading below and
// checks nothing stricter:
//
//   - An invitation whose Permissions are empty comes back with nil, whether
//     it was written with nil or with an empty slice. Lists that find
//     nothing may be nil or empty.
//   - Insert stores every field as given, Version included, whatever the
//     kind (the store holds no rules).
//   - Update is only ever given changes to Status, TokenHash, SentAt,
//     DecidedAt and DecidedBy (and the bumped Version); afterwards Get
//     returns the invitation as given.
//   - Claim, when it wins, stores and returns the invitation with Status
//     Accepted, DecidedAt r.Now, DecidedBy r.UserID and Version one more;
//     every other field is unchanged. A claim that fails changes nothing.
//   - Claim refusals are checked only where one reading exists: Pending and
//     expired at r.Now is ErrExpired; Accepted, Revoked or Declined (and not
//     past expiry) are ErrUsed, ErrRevoked, ErrDeclined.
//   - A token hash in use is one held by a stored invitation of the same
//     platform; the suite never reuses a hash across platforms.
//   - Query.Email and the other filters match exactly; the suite's values
//     are never substrings of one another.
//   - A page cursor is built from the last record returned, as
//     invites.Service builds it: Cursor{CreatedAt, ID}.
//   - CountSince counts invitations whatever their status.
package storetest
