// Package conformance holds what the conformance suites of tenantry's
// stores (tenancy/storetest, licensing/storetest, audit/storetest) share:
// running a table of parallel subtests over a store harness, racing calls
// released together and checking that exactly one wins, checking that
// times come back in UTC, running a check from another platform,
// reading back the audit events a store under test wrote, and listening
// for the changes a store notifies.
//
// It is a plain package, not a _test one, because the suites are plain
// packages that each store implementation's tests import.
package conformance
