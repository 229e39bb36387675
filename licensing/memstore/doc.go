// Package memstore is an in-memory [licensing.Store], for host unit tests
// and prototypes. It keeps everything in one process and loses it on exit.
//
// Like every licensing store it holds no rules and never reads the clock
// nor makes an ID: licensing.Service computes every value before the store
// sees it. It passes the same conformance suite as licensing/sqlstore
// (licensing/storetest), so a host can test against it and run on SQL.
//
// Every mutation is atomic: the store checks everything first under one
// lock, then writes the audit event it is given to its [audit.Store], and
// changes nothing when that fails. The invariants the SQL stores leave to
// the database hold here under any concurrency: at most one license stored
// Active per account, license numbers and plan names unique on their
// platform, version guards on updates, balances never below zero, and an
// idempotency key applying once per account.
//
// The store is also a [licensing.ChangeListener] for the one process it
// lives in: ListenChanges hears every change this store makes to an
// account's licensing facts, and every NotifyChange.
package memstore
