// Package dbtest opens test databases whose statements are counted, so that
// a test can assert that an operation runs a constant number of queries
// whatever the size of its input:
//
//	db, n := dbtest.SQLite(t)
//	// ... migrate db, build a store on it, add rows ...
//	n.Reset()
//	_, err := store.ListAccounts(ctx, q)
//	require.EqualValues(t, 2, n.Count())
//
// The handle wraps the real driver (modernc.org/sqlite or pgx) in a
// database/sql driver that counts every statement a connection or a
// prepared statement executes (Exec, Query, QueryRow), and keeps the real
// driver's name ("sqlite", "pgx") as its sqlx driver name, so that code
// choosing its SQL dialect from db.DriverName() behaves as in production.
// Transactions' BEGIN, COMMIT and ROLLBACK, pings and Prepare itself are
// not counted.
//
// Every statement passes through one point (Counter.before), where a later
// version can also fail the Nth statement for fault injection.
package dbtest
