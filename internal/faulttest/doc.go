// Package faulttest runs an operation once per statement and per commit
// with a fault injected there (see internal/dbtest), and checks that each
// run left the database fully done or fully not done, consistent, and
// ready for the operation to be retried to the state of a clean run.
//
// State is read through a plain second handle on the same database: every
// tenantry table's rows of one platform, with the values that differ from
// run to run (IDs, tokens, hashes) masked, so that the state after a
// failed run compares exactly with the state before it (not done) or with
// the state a clean run left (done). Invariants checks the rules that
// hold across tables whatever happened: pools against allocations, credit
// balances against their ledger, one active license per account, no
// orphan rows.
package faulttest
