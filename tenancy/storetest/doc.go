// Package storetest is the conformance suite every [tenancy.Store] must pass.
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
// The suite drives the Store interface directly, as tenancy.Service does
// after checking arguments and computing every value: IDs are UUIDs made by
// the suite, times are UTC at microsecond precision from a fixed base time
// (never the clock), limits are positive, and every audit event is built by
// hand. It never sleeps.
//
// Subtests run in parallel and may all receive stores over one shared
// database: each creates its own platforms with random IDs and never
// assumes that a table is empty.
//
// Where store.go leaves a detail open, the suite takes the reading below and
// checks nothing stricter:
//
//   - Account.Tags, Account.Sites and Member.Permissions are compared as
//     sets (order not kept), Onboarding.StepsDone in order; a nil and an
//     empty slice are the same.
//   - DeleteAccount's DeletedUserIDs are compared as a set; a user it marks
//     deleted gets a higher Version (User.Version "increases with every
//     update").
//   - Members and Memberships of an account or user that does not exist (or
//     lives on another platform) may return ErrNotFound or nothing.
//   - A page cursor is built from the last record returned, as
//     tenancy.Service builds it: for accounts the sort key and the ID only,
//     AccountCursor{Name: lower(Name), ID} under SortName and
//     AccountCursor{CreatedAt, ID} under SortNewest; for users
//     UserCursor{Email, ID}. Query.Sort is always set.
//   - Emails and account names that the suite compares in order are built so
//     that bytewise and locale collations agree.
package storetest
