// Package memstore is an in-memory [branding.Store], for host unit tests
// and prototypes. It keeps everything in one process and loses it on exit.
//
// Like every branding store it holds no rules and never reads the clock nor
// makes an ID: branding.Service computes every value before the store sees
// it. It passes the same conformance suite as branding/sqlstore
// (branding/storetest), so a host can test against it and run on SQL.
//
// Every mutation is atomic: the store checks everything first under one
// lock, then writes the audit event it is given to its [audit.Store], and
// changes nothing when that fails. The invariants the SQL stores leave to
// the database hold here under any concurrency: a host held by one
// platform only, at most one primary domain per platform (a new primary
// demotes the previous one in the same call), provider names unique on
// their platform case-insensitively, and version guards on every
// versioned record.
//
// The store is also a [branding.ChangeListener] for the one process it
// lives in: ListenChanges hears every domain change made through this
// store.
package memstore
