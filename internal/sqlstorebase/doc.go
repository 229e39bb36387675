// Package sqlstorebase holds the wiring every domain SQL store of tenantry
// (tenancy, licensing, invites) shares: the wrapped database handle with its
// dialect, the audit store on the same database whose events those stores
// write inside their own transactions, and the migration of the audit line
// before the store's own line.
package sqlstorebase
