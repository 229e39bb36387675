// Package memstore is an in-memory [tenancy.Store], for host unit tests and
// prototypes. It keeps everything in one process and loses it on exit.
//
// Like every tenancy store it holds no rules and never reads the clock nor
// makes an ID: tenancy.Service computes every value before the store sees
// it. It passes the same conformance suite as tenancy/sqlstore
// (tenancy/storetest), so a host can test against it and run on SQL.
//
// Every mutation is atomic: the store checks everything first under one
// lock, then writes the audit events it is given to its [audit.Store], and
// changes nothing when that fails. When a call carries several events and
// the audit store refuses one of them, the events inserted before it stay
// in the audit store, which has no way to take them back; the tenancy
// records are left untouched.
//
// Quotas hold under any concurrency: a pool's Allocated is kept equal to
// the sum of its resource's allocations, which never exceed its capacity,
// and an allocation's Used stays between zero and its Limit.
package memstore
