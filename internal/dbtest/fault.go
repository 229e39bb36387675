package dbtest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
)

// Fault is what the injector does to the statement or commit it is armed
// for.
type Fault int

const (
	// Error fails the statement (or commit) with an *InjectedError, as the
	// database reports a statement it could not run; a failed commit rolls
	// the transaction back. Stores see a driver error they do not classify
	// (not a constraint, not lock contention): the operation fails.
	Error Fault = iota + 1
	// DropConn drops the connection: the statement (or commit) fails with
	// driver.ErrBadConn and the connection refuses everything after, so
	// that database/sql rolls its transaction back and discards it. A
	// statement outside a transaction is then retried by database/sql on
	// another connection (as the next statement); one inside fails its
	// transaction.
	DropConn
	// LostCommit (commits only) commits the transaction and then reports
	// driver.ErrBadConn, as when the connection drops before the server's
	// reply arrives: the change is made, the caller is told it failed.
	LostCommit
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case Error:
		return "error"
	case DropConn:
		return "drop"
	case LostCommit:
		return "lost-commit"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// ErrInjected is matched (errors.Is) by every *InjectedError.
var ErrInjected = errors.New("dbtest: injected fault")

// InjectedError is the error of a statement or commit failed on purpose
// (with Fault Error), and what Counter.Fired reports for any fault.
type InjectedError struct {
	Fault Fault
	// Statement is the armed statement's number (counted from the
	// FailStatement call, from 1), or Commit the armed commit's.
	Statement, Commit int64
	// Query is the statement's text, or "COMMIT".
	Query string
}

// Error says which statement or commit the fault failed.
func (e *InjectedError) Error() string {
	if e.Commit > 0 {
		return fmt.Sprintf("dbtest: injected %s at commit %d", e.Fault, e.Commit)
	}
	return fmt.Sprintf("dbtest: injected %s at statement %d: %s", e.Fault, e.Statement, e.Query)
}

// Is makes errors.Is(err, ErrInjected) true.
func (e *InjectedError) Is(target error) bool { return target == ErrInjected }

// plan is the armed fault.
type plan struct {
	fault Fault
	// stmtAt and commitAt are the absolute counts at which the fault
	// fires (0: not armed for statements, commits); stmtN and commitN
	// the numbers the caller gave.
	stmtAt, commitAt int64
	stmtN, commitN   int64
	fired            *InjectedError
}

// FailStatement arms the injector: the nth statement run on the handle
// from now on (n from 1; Exec and Query each count, as Count does) fails
// with fault f (Error or DropConn), once. It replaces any armed fault.
func (c *Counter) FailStatement(n int64, f Fault) {
	if n < 1 || (f != Error && f != DropConn) {
		panic(fmt.Sprintf("dbtest: FailStatement(%d, %s)", n, f))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plan = plan{fault: f, stmtAt: c.n.Load() + n, stmtN: n}
}

// FailCommit arms the injector: the nth commit on the handle from now on
// (n from 1) fails with fault f (Error, DropConn or LostCommit), once. It
// replaces any armed fault.
func (c *Counter) FailCommit(n int64, f Fault) {
	if n < 1 || f < Error || f > LostCommit {
		panic(fmt.Sprintf("dbtest: FailCommit(%d, %s)", n, f))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.plan = plan{fault: f, commitAt: c.commits.Load() + n, commitN: n}
}

// Heal disarms the injector and returns the fault it injected since it
// was armed, or nil when the armed statement or commit never came.
func (c *Counter) Heal() *InjectedError {
	c.mu.Lock()
	defer c.mu.Unlock()
	fired := c.plan.fired
	c.plan = plan{}
	return fired
}

// Plain opens the handle's database a second time, without counting nor
// faults, as another process would (the clean handle a fault test reads
// its invariants through). It is closed when the test ends.
func (c *Counter) Plain(t testing.TB) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open(c.driverName, c.dsn)
	if err != nil {
		t.Fatalf("dbtest: reopen %s database: %v", c.driverName, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("dbtest: close the plain %s database: %v", c.driverName, err)
		}
	})
	return db
}
