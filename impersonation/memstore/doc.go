// Package memstore is an in-memory [impersonation.Store], for host unit
// tests and prototypes. It keeps everything in one process and loses it on
// exit.
//
// Like every impersonation store it holds no rules and never reads the
// clock nor makes an ID or a token: impersonation.Service computes every
// value before the store sees it. It passes the same conformance suite as
// impersonation/sqlstore (impersonation/storetest), so a host can test
// against it and run on SQL.
//
// Every mutation is atomic: the store checks everything first under one
// lock, then writes the audit events it is given to its [audit.Store], and
// changes no session when that fails. Session IDs and token hashes are
// unique on their platform, and of concurrent Ends and EndAlls exactly one
// ends each session. One limit of memory: when EndAll writes several
// events and the audit store refuses one, those written before it stay
// (an audit store cannot take an event back), though no session ends.
package memstore
