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
// The Counter is also the handle's fault injector, for tests that prove an
// operation is all or nothing: count an operation's statements and
// commits first, then run it again once per statement failing there, and
// once per commit failing it:
//
//	n.FailStatement(i, dbtest.Error)   // the ith statement from now fails
//	n.FailStatement(i, dbtest.DropConn) // ... or its connection drops
//	n.FailCommit(j, dbtest.LostCommit) // the jth commit is made, its reply lost
//	err := op()
//	fired := n.Heal()                  // disarm; what was injected
//
// and read the state back through a second, plain handle on the same
// database (Counter.Plain).
package dbtest
