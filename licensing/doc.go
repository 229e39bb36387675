// Package licensing decides whether a customer account may be served:
// licenses with their history, plans with features and limits, per-account
// feature overrides, communication credits, and the Gate the host asks on
// every chatbot message.
//
// # Licenses
//
// A license is issued on a plan for a period, assigned to an account (or
// not yet), and goes through a small state machine, every transition
// recorded in its history with who and when:
//
//	active ──payment failed──▶ (grace period) ──▶ inactive ──paid──▶ active
//	active ──end reached──▶ expired ──renewed──▶ active
//	any ──revoked──▶ revoked (final)
//
// The clock decides on every read: a license past its end, or past its
// grace period after a missed payment, is not active even before Sweep
// records it. An account holds at most one active license; the database
// enforces it, so two licenses racing for one account end with one.
//
// # Plans, features, overrides
//
// The host names its product's features once (Config.Features). A plan
// switches some on and sets limits; an override switches one on or off for
// one account; a platform may hide features from its clients, which the
// partner view still shows (Service.Features).
//
// # Credits
//
// Communication credits (SMS, voice minutes, the host's own kinds) are
// granted and debited per account; a debit never takes a balance below
// zero, and a call retried with the same idempotency key applies once.
//
// # The gate
//
// Gate.Check answers "may account A use feature F now" with the reason
// when not, from memory in tens of nanoseconds without allocating. It
// forgets an account at once when this process changes it, when another
// process does (Gate.Listen, over PostgreSQL LISTEN/NOTIFY with
// licensing/sqlstore), and after Config.GateTTL at the latest. The
// account's own state (disabled, locked, deleted) reaches it through
// Config.AccountState, which the root package wires to tenancy.
//
// licensing imports no other domain package. Who may manage licenses is the
// host's to say (Config.Authorize); every change needs a principal in the
// context (audit.WithPrincipal) and is recorded in the audit trail.
package licensing
