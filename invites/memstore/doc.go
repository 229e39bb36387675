// Package memstore is an in-memory [invites.Store], for host unit tests and
// prototypes. It keeps everything in one process and loses it on exit.
//
// Like every invitations store it holds no rules and never reads the clock
// nor makes an ID or a token: invites.Service computes every value before
// the store sees it. It passes the same conformance suite as
// invites/sqlstore (invites/storetest), so a host can test against it and
// run on SQL.
//
// Every mutation is atomic: the store checks everything first under one
// lock, then writes the audit event it is given to its [audit.Store], and
// changes nothing when that fails. The invariants the SQL stores leave to
// the database hold here under any concurrency: IDs and token hashes unique
// on their platform, at most one pending invitation per platform, kind,
// email, account and resource, version guards on updates, and exactly one
// winner among concurrent claims of a token.
package memstore
