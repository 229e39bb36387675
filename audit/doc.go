// Package audit is the history every tenantry package writes to: who did
// what to which account, when, on whose behalf, and what changed.
//
// It also carries the acting [Principal] in the context. The host's login
// middleware (or the impersonation middleware) sets it once per request with
// [WithPrincipal]; every service reads it to authorise a change and to name
// the actor in the event it records. Background jobs act as a named system
// principal ([System]).
//
// Events are kept for a retention period (6 months by default) and then
// removed by [Service.Purge] in bounded batches, so that no single statement
// holds the table for long.
package audit
