// Package storetest is the conformance suite every [branding.Store] must
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
// The suite drives the Store interface directly, as branding.Service does
// after checking arguments and computing every value: IDs are UUIDs made
// by the suite, hosts are canonical (lower-case ASCII), verification tokens
// and sealed secrets are arbitrary bytes, times are UTC at microsecond
// precision from a fixed base time (never the clock), and every audit event
// is built by hand with ActorID "system:storetest". It never sleeps.
//
// Subtests run in parallel and may all receive stores over one shared
// database: each uses platforms of its own with random IDs, and hosts made
// from those IDs (hosts are unique across platforms), and never assumes
// that a table is empty.
//
// Races (20 platforms inserting one host; 20 domains of one platform made
// primary at once; theme, login settings and provider-name writes from one
// version or of one key) start their goroutines together and check that
// exactly one call won (for the primary race: that exactly one primary
// remains), that the losers got the expected error and wrote nothing, and
// that only the winners' events landed.
//
// Where store.go leaves a detail open, the suite takes the reading below and
// checks nothing stricter:
//
//   - PutTheme and PutLoginSettings with a Version above 1 on a record that
//     does not exist are ErrNotFound (not ErrStale), as UpdateDomain and
//     UpdateProvider are for a missing domain or provider. A version other
//     than the stored one plus one is ErrStale; Version 1 over an existing
//     record is ErrConflict, whatever its version.
//   - Every write stores every field as given, Version and times included
//     (the store holds no rules), except where store.go says otherwise:
//     UpdateDomain writes only VerifiedAt, Primary, VerificationToken and
//     Version (Default and CreatedAt keep their stored values), and
//     UpdateProvider keeps the stored CreatedAt.
//   - A StoredProvider's clear ClientSecret is never kept: it comes back
//     empty even when given. Empty Scopes come back nil; an empty
//     SealedSecret comes back empty (nil or not). Slices and byte slices
//     are copies: changing what was given or returned changes nothing
//     stored.
//   - A new primary demotes only the platform's previous primary (Primary
//     false, Version one more), in the same call; other domains keep their
//     versions. InsertDomain does not demote: inserting a Primary domain on
//     a platform that has one is ErrConflict (at most one primary per
//     platform, which the database enforces). The suite makes only verified
//     domains primary, so it does not say what LookupHost gives as
//     PrimaryHost for an unverified primary.
//   - When 20 calls race to make different domains primary, a store may
//     refuse some of them with ErrConflict or ErrStale (a unique index
//     caught the race) as long as they write nothing; at least one wins.
//   - A host is held by one platform whatever its state (unverified,
//     default, primary); deleting it frees it for any platform.
//   - Domains lists by host, Providers by name case-insensitively. The
//     suite's hosts in one list differ only in labels of equal length made
//     of lower-case letters and digits, and its provider names are ASCII,
//     so that byte order, lower(name) and a linguistic collation agree on
//     what the suite checks (but byte order on the raw names does not:
//     "alpha" comes before "Bravo").
//   - A provider name is "taken" when another provider of the same
//     platform has it under ASCII case folding; the suite uses no other
//     letters. The same name, or the same provider ID, on another platform
//     is fine.
//   - Lists that find nothing may be nil or empty.
//   - A write whose audit event cannot be stored (its ID taken) fails with
//     some error and changes nothing.
package storetest
