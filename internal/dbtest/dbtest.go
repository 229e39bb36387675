package dbtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/internal/testdb"
)

// Counter counts the statements run on a database opened by this package,
// and the commits of its transactions; armed (FailStatement, FailCommit)
// it is also the handle's fault injector. It is safe for concurrent use.
type Counter struct {
	n       atomic.Int64
	commits atomic.Int64

	mu   sync.Mutex
	plan plan

	// driverName and dsn open the same database again (Plain).
	driverName, dsn string
}

// Count returns how many statements ran since the handle was opened or
// the last Reset.
func (c *Counter) Count() int64 { return c.n.Load() }

// Commits returns how many transactions were committed (or their commit
// tried) since the handle was opened or the last Reset.
func (c *Counter) Commits() int64 { return c.commits.Load() }

// Reset sets the counts back to zero. It does not disarm a fault.
func (c *Counter) Reset() {
	c.n.Store(0)
	c.commits.Store(0)
}

// before is called before each statement is handed to the real driver; it
// returns the fault to inject in its place, if one is armed for it.
func (c *Counter) before(query string) *InjectedError {
	n := c.n.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plan.stmtAt == 0 || n != c.plan.stmtAt || c.plan.fired != nil {
		return nil
	}
	c.plan.fired = &InjectedError{Fault: c.plan.fault, Statement: c.plan.stmtN, Query: query}
	return c.plan.fired
}

// beforeCommit is called before each commit; it returns the fault to
// inject, if one is armed for it.
func (c *Counter) beforeCommit() *InjectedError {
	n := c.commits.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.plan.commitAt == 0 || n != c.plan.commitAt || c.plan.fired != nil {
		return nil
	}
	c.plan.fired = &InjectedError{Fault: c.plan.fault, Commit: c.plan.commitN, Query: "COMMIT"}
	return c.plan.fired
}

// undo takes back a count for a statement the real driver declined with
// driver.ErrSkip (database/sql then runs it through a prepared statement,
// which is counted in its turn).
func (c *Counter) undo() { c.n.Add(-1) }

// Counting opens dsn with the registered database/sql driver driverName
// ("sqlite" or "pgx"), every statement counted, and closes it when the
// test ends. The returned handle reports driverName as its DriverName.
func Counting(t testing.TB, driverName, dsn string) (*sqlx.DB, *Counter) {
	t.Helper()
	connector, err := openConnector(driverName, dsn)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	c := &Counter{driverName: driverName, dsn: dsn}
	db := sqlx.NewDb(sql.OpenDB(&countingConnector{inner: connector, c: c}), driverName)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("dbtest: close %s database: %v", driverName, err)
		}
	})
	if err := db.Ping(); err != nil {
		t.Fatalf("dbtest: open %s database: %v", driverName, err)
	}
	return db, c
}

// openConnector returns the real driver's connector for dsn.
func openConnector(driverName, dsn string) (driver.Connector, error) {
	probe, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	if err := probe.Close(); err != nil {
		return nil, err
	}
	if dc, ok := drv.(driver.DriverContext); ok {
		return dc.OpenConnector(dsn)
	}
	return dsnConnector{dsn: dsn, drv: drv}, nil
}

// dsnConnector is the connector of a driver without one of its own.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// SQLite returns a fresh, counted SQLite database in a file under
// t.TempDir(), opened with sqlkit.SQLiteDSN as the library opens it.
func SQLite(t testing.TB) (*sqlx.DB, *Counter) {
	t.Helper()
	return Counting(t, "sqlite", sqlkit.SQLiteDSN(filepath.Join(t.TempDir(), "test.db")))
}

// Postgres returns a fresh, counted PostgreSQL database. The database is
// made (and dropped at the end) by testdb.Postgres, which skips or fails
// the test as it documents when no server can be had; it is then opened a
// second time, counted, on the same server: from TENANTRY_POSTGRES_DSN with
// the database name replaced, or else at the address, port and user the
// server reports (testdb's throw-away cluster trusts local connections).
func Postgres(t testing.TB) (*sqlx.DB, *Counter) {
	t.Helper()
	plain := testdb.Postgres(t)
	var where struct {
		Database string         `db:"database"`
		User     string         `db:"usr"`
		Addr     sql.NullString `db:"addr"`
		Port     sql.NullInt64  `db:"port"`
	}
	err := plain.Get(&where, `SELECT current_database() AS database, current_user AS usr,
		host(inet_server_addr()) AS addr, inet_server_port() AS port`)
	if err != nil {
		t.Fatalf("dbtest: locate the PostgreSQL test database: %v", err)
	}
	dsn, err := postgresDSN(os.Getenv("TENANTRY_POSTGRES_DSN"), where.Database, where.User, where.Addr.String, where.Port.Int64)
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	db, c := Counting(t, "pgx", dsn)
	db.SetMaxOpenConns(testdb.MaxOpenConns) // as testdb bounds its own pools
	return db, c
}

// postgresDSN returns the DSN of database name: base (a URL or a
// keyword=value DSN) with its database replaced, or, when base is empty, a
// URL built from the server's user, address and port.
func postgresDSN(base, name, user, addr string, port int64) (string, error) {
	if base == "" {
		if addr == "" || port == 0 {
			return "", errors.New("the PostgreSQL test server is reached through a Unix socket, and TENANTRY_POSTGRES_DSN is not set")
		}
		u := url.URL{Scheme: "postgres", User: url.User(user), Host: net.JoinHostPort(addr, strconv.FormatInt(port, 10)),
			Path: "/" + name, RawQuery: "sslmode=disable"}
		return u.String(), nil
	}
	if u, err := url.Parse(base); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		return u.String(), nil
	}
	return base + " dbname=" + name, nil // in keyword=value form the last setting wins
}

// Each runs fn once per dialect with a fresh counted database, as subtests
// "sqlite" and "postgres" (which skips, or under CI=true fails, without a
// PostgreSQL server; see testdb.Postgres).
func Each(t *testing.T, fn func(t *testing.T, db *sqlx.DB, c *Counter)) {
	t.Helper()
	for _, b := range []struct {
		name string
		open func(testing.TB) (*sqlx.DB, *Counter)
	}{{"sqlite", SQLite}, {"postgres", Postgres}} {
		t.Run(b.name, func(t *testing.T) {
			db, c := b.open(t)
			fn(t, db, c)
		})
	}
}
