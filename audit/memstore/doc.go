// Package memstore is an in-memory [audit.Store], for host unit tests and
// prototypes. It keeps everything in one process and loses it on exit.
//
// It passes the same conformance suite as audit/sqlstore
// (audit/storetest), so a host can test against it and run on SQL.
package memstore
