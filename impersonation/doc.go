// Package impersonation lets platform staff enter a customer's dashboard
// without the customer's password — "log in as client", "log in as partner"
// or "log in as a staff member" of the account — under strict rules, with a
// banner and an Exit, and with everything recorded for both people.
//
// A Service starts sessions (Start), resolves them on every request
// (Resolve), ends them (End, EndAccount, EndUser, Sweep) and guards the
// actions never allowed while impersonating (Guard). Its policy is in one
// place: only active, regular users of active, unlocked accounts; never an
// owner, admin or operator; never oneself; never from inside another
// session; secure accounts only for secure operators; optionally only
// operators assigned to the account. The actor's own rights, the account's
// state and the subject's are checked again on every request, so a session
// whose actor was demoted, or whose account was locked, stops at once.
//
// A session token is 256 random bits, handed out once and stored only as
// its SHA-256 hash. Inside a session the context carries an
// audit.Principal whose UserID is the subject (the customer, whose rights
// apply) and whose ActorID is the staff member really acting, as in the
// "act" claim of RFC 8693; every service writing audit events records
// both.
//
// HTTP wires it into net/http: a middleware that finds the session in a
// cookie or a header and offers the banner data, a Begin helper that sets
// the cookie, and an exit handler that ends the session and hands the actor
// back to the host's own login with a new session token.
//
// The package knows users and accounts only through the Directory the
// host (or the tenantry façade) gives it. Stores: impersonation/memstore
// and impersonation/sqlstore, both passing impersonation/storetest.
package impersonation
