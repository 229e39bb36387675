package faulttest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/dbtest"
)

// Case is one fresh fixture, in a platform of its own, and the operation
// to run on it.
type Case struct {
	PlatformID string
	// Run runs the operation once, through the faulty handle.
	Run func(ctx context.Context) error
}

// Op is an operation under test.
type Op struct {
	Name string
	// New builds a fresh fixture (the injector is off) and returns it.
	// Fixtures must be alike: same names, same clock, so that the states
	// two of them reach compare equal once masked.
	New func(t *testing.T) Case
	// Idempotent says a retry after a lost commit (the operation done, its
	// caller told it failed) must change nothing more: an idempotency key,
	// or an operation that sees it is already done.
	Idempotent bool
}

// Fault is the fault of one run.
type Fault struct {
	// Commit says the fault hit the Nth commit, else the Nth statement.
	Commit bool
	N      int64
	Fault  dbtest.Fault
}

// DB is a faulty handle (from internal/dbtest) with its injector and a
// plain second handle on the same database.
type DB struct {
	DB     *sqlx.DB
	Faults *dbtest.Counter
	Plain  *sqlx.DB
	tables map[string]string
	// reads are the prepared snapshot queries, by table (parsed once:
	// SQLite parses every statement it is given, slowly under -race).
	reads map[string]*sqlx.Stmt
}

// Open pairs a faulty handle with a plain one. Call it once the schema is
// migrated.
func Open(t testing.TB, db *sqlx.DB, c *dbtest.Counter) *DB {
	t.Helper()
	plain := c.Plain(t)
	d := &DB{DB: db, Faults: c, Plain: plain, tables: Tables(t, plain), reads: map[string]*sqlx.Stmt{}}
	for table, col := range d.tables {
		st, err := plain.Preparex(plain.Rebind(`SELECT * FROM ` + table + ` WHERE ` + col + ` = ?`))
		if err != nil {
			t.Fatalf("faulttest: prepare the read of %s: %v", table, err)
		}
		t.Cleanup(func() { _ = st.Close() })
		d.reads[table] = st
	}
	return d
}

// Snapshot reads the platform's rows through the plain handle.
func (d *DB) Snapshot(t testing.TB, platformID string) State {
	t.Helper()
	return snapshot(t, d.tables, platformID, func(table, _ string) (*sqlx.Rows, error) {
		return d.reads[table].Queryx(platformID)
	})
}

// Result sums up a Run.
type Result struct {
	Statements, Commits int64
	// Runs is how many faulty runs were made; Undone and Done how many of
	// them ended not done and done.
	Runs, Undone, Done int
}

// String sums the runs up for the test log.
func (r Result) String() string {
	return fmt.Sprintf("%d statements, %d commits: %d faulty runs (%d not done, %d done)",
		r.Statements, r.Commits, r.Runs, r.Undone, r.Done)
}

// Run runs op once cleanly to count its statements and commits and learn
// the state it leaves, then once per statement failing there (Error, and
// on PostgreSQL DropConn) and once per commit failing it (Error, DropConn,
// LostCommit), each on a fresh fixture, and checks after each:
//
//   - the invariants (Violations);
//   - the state is the fixture's state before (not done; the operation
//     must then have returned an error) or the clean run's (done; an
//     error is only allowed for a lost commit), never anything between;
//   - after a failure that left it not done, running the operation again
//     (the injector off) succeeds and reaches the clean run's state; after
//     a lost commit, so does a retry of an Idempotent operation.
func Run(t *testing.T, d *DB, op Op) Result {
	t.Helper()
	ctx := context.Background()
	var res Result
	clean := op.New(t)
	before := d.Snapshot(t, clean.PlatformID)
	d.Faults.Reset()
	if err := clean.Run(ctx); err != nil {
		t.Fatalf("%s: the clean run failed: %v", op.Name, err)
	}
	res.Statements, res.Commits = d.Faults.Count(), d.Faults.Commits()
	want := d.Snapshot(t, clean.PlatformID)
	if v := Violations(t, d.Plain, clean.PlatformID); v != nil {
		t.Fatalf("%s: the clean run breaks invariants:\n%s", op.Name, lines(v))
	}
	if want.Equal(before) {
		t.Fatalf("%s: the clean run changed nothing", op.Name)
	}
	if res.Statements == 0 {
		t.Fatalf("%s: the clean run ran no statement", op.Name)
	}

	var faults []Fault
	// A SQLite connection is in-process and cannot drop; database/sql's
	// handling of a dropped one is the same on both, tried on PostgreSQL.
	drops := d.DB.DriverName() != "sqlite"
	for i := int64(1); i <= res.Statements; i++ {
		faults = append(faults, Fault{false, i, dbtest.Error})
		if drops {
			faults = append(faults, Fault{false, i, dbtest.DropConn})
		}
	}
	for j := int64(1); j <= res.Commits; j++ {
		faults = append(faults, Fault{true, j, dbtest.Error}, Fault{true, j, dbtest.DropConn}, Fault{true, j, dbtest.LostCommit})
	}
	for k, f := range faults {
		where := fmt.Sprintf("%s, %s at statement %d", op.Name, f.Fault, f.N)
		if f.Commit {
			where = fmt.Sprintf("%s, %s at commit %d", op.Name, f.Fault, f.N)
		}
		c := op.New(t)
		// Fixtures are alike: the state before each run is the clean
		// run's, checked on the first.
		pre := before
		if k == 0 {
			if got := d.Snapshot(t, c.PlatformID); !got.Equal(before) {
				t.Fatalf("%s: two fixtures differ (- first, + second):\n%s", op.Name, before.Diff(got))
			}
		}
		if f.Commit {
			d.Faults.FailCommit(f.N, f.Fault)
		} else {
			d.Faults.FailStatement(f.N, f.Fault)
		}
		err := c.Run(ctx)
		fired := d.Faults.Heal()
		res.Runs++
		if fired == nil {
			t.Errorf("%s: the fault was never injected (the run took another path: %v)", where, err)
			continue
		}
		where += " (" + fired.Query + ")"
		post := d.Snapshot(t, c.PlatformID)
		done, undone := post.Equal(want), post.Equal(pre)
		// The states before and after a clean run keep the invariants;
		// any other is checked.
		if !done && !undone {
			if v := Violations(t, d.Plain, c.PlatformID); v != nil {
				t.Errorf("%s: invariants broken (error: %v):\n%s", where, err, lines(v))
			}
		}
		switch {
		case done:
			res.Done++
			if err != nil && f.Fault != dbtest.LostCommit {
				t.Errorf("%s: done, but the operation reported an error: %v", where, err)
			}
			if err != nil && op.Idempotent {
				if err := c.Run(ctx); err != nil {
					t.Errorf("%s: retry after a lost commit: %v", where, err)
				} else if again := d.Snapshot(t, c.PlatformID); !again.Equal(want) {
					t.Errorf("%s: a retry after a lost commit applied again:\n%s", where, want.Diff(again))
				}
			}
			continue
		case undone:
			res.Undone++
		default:
			t.Errorf("%s: partial state (error: %v)\nagainst the state before (- before, + after):\n%s\nagainst a clean run (- clean, + after):\n%s",
				where, err, pre.Diff(post), want.Diff(post))
			continue
		}
		if err == nil {
			t.Errorf("%s: nothing done, yet the operation reported success", where)
			continue
		}
		if err := c.Run(ctx); err != nil {
			t.Errorf("%s: the retry failed: %v", where, err)
			continue
		}
		final := d.Snapshot(t, c.PlatformID)
		if !final.Equal(want) {
			t.Errorf("%s: the retry left another state than a clean run (- clean, + retried):\n%s", where, want.Diff(final))
		}
		if !final.Equal(want) {
			if v := Violations(t, d.Plain, c.PlatformID); v != nil {
				t.Errorf("%s: invariants broken after the retry:\n%s", where, lines(v))
			}
		}
	}
	return res
}

func lines(v []string) string {
	out := ""
	for _, l := range v {
		out += "  " + l + "\n"
	}
	return out
}
