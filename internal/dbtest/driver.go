package dbtest

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
)

// errNamedArgs reports named arguments to a driver that takes only
// positional ones.
var errNamedArgs = errors.New("dbtest: the driver does not support named arguments")

// countingConnector hands out connections of the real connector wrapped
// to count their statements.
type countingConnector struct {
	inner driver.Connector
	c     *Counter
}

func (k *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := k.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &countingConn{inner: conn, c: k.c}, nil
}

func (k *countingConnector) Driver() driver.Driver { return countingDriver{k} }

// countingDriver is the connector's driver, for database/sql's Driver().
type countingDriver struct{ k *countingConnector }

func (d countingDriver) Open(dsn string) (driver.Conn, error) {
	conn, err := d.k.inner.Driver().Open(dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{inner: conn, c: d.k.c}, nil
}

// countingConn counts the statements run on a real connection. It
// implements every optional interface database/sql looks for, delegating to
// the real connection where it implements it and otherwise answering as
// database/sql does for a connection without it, so that wrapping changes
// nothing but the count.
type countingConn struct {
	inner driver.Conn
	c     *Counter
	// broken is set when a fault dropped the connection.
	broken    atomic.Bool
	closeOnce sync.Once
}

var (
	_ driver.ConnBeginTx        = (*countingConn)(nil)
	_ driver.ConnPrepareContext = (*countingConn)(nil)
	_ driver.ExecerContext      = (*countingConn)(nil)
	_ driver.QueryerContext     = (*countingConn)(nil)
	_ driver.NamedValueChecker  = (*countingConn)(nil)
	_ driver.Pinger             = (*countingConn)(nil)
	_ driver.SessionResetter    = (*countingConn)(nil)
	_ driver.Validator          = (*countingConn)(nil)
	_ driver.StmtExecContext    = (*countingStmt)(nil)
	_ driver.StmtQueryContext   = (*countingStmt)(nil)
	_ driver.NamedValueChecker  = (*countingStmt)(nil)
	_ driver.Tx                 = (*countingTx)(nil)
	_ driver.Connector          = (*countingConnector)(nil)
	_ driver.Driver             = countingDriver{}
)

func (k *countingConn) Prepare(query string) (driver.Stmt, error) {
	return k.PrepareContext(context.Background(), query)
}

func (k *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if k.broken.Load() {
		return nil, driver.ErrBadConn
	}
	var st driver.Stmt
	var err error
	if p, ok := k.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = k.inner.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{inner: st, conn: k, query: query}, nil
}

// Close closes the real connection, once (a dropped connection may be
// closed already).
func (k *countingConn) Close() error {
	var err error
	k.closeOnce.Do(func() { err = k.inner.Close() })
	return err
}

func (k *countingConn) Begin() (driver.Tx, error) {
	return k.BeginTx(context.Background(), driver.TxOptions{})
}

func (k *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if k.broken.Load() {
		return nil, driver.ErrBadConn
	}
	var tx driver.Tx
	var err error
	if b, ok := k.inner.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		tx, err = k.inner.Begin()
	}
	if err != nil {
		return nil, err
	}
	return &countingTx{inner: tx, conn: k}, nil
}

// check counts a statement about to run on the connection and injects the
// fault armed for it, if any: an *InjectedError, or driver.ErrBadConn for
// a dropped connection, which refuses everything from then on (its open
// transaction is rolled back when database/sql rolls it back or discards
// the connection).
func (k *countingConn) check(query string) error {
	if k.broken.Load() {
		return driver.ErrBadConn
	}
	return k.inject(k.c.before(query))
}

// inject applies fault f (none when zero) to the connection.
func (k *countingConn) inject(f *InjectedError) error {
	if f == nil {
		return nil
	}
	switch f.Fault {
	case DropConn, LostCommit:
		k.broken.Store(true)
		return driver.ErrBadConn
	}
	return f
}

// countingTx counts commits and injects the faults armed for them.
type countingTx struct {
	inner driver.Tx
	conn  *countingConn
}

// Commit commits the real transaction, unless a fault is armed for this
// commit: Error and DropConn roll it back instead (what the server does
// with a commit that fails or never arrives), LostCommit commits it and
// then reports the connection dropped (the reply was lost).
func (t *countingTx) Commit() error {
	if t.conn.broken.Load() {
		_ = t.inner.Rollback()
		return driver.ErrBadConn
	}
	f := t.conn.c.beforeCommit()
	if f == nil {
		return t.inner.Commit()
	}
	if f.Fault == LostCommit {
		if err := t.inner.Commit(); err != nil {
			return err
		}
	} else {
		_ = t.inner.Rollback()
	}
	return t.conn.inject(f)
}

// Rollback rolls the real transaction back; on a dropped connection it
// then reports the connection bad, so that database/sql discards it.
func (t *countingTx) Rollback() error {
	err := t.inner.Rollback()
	if t.conn.broken.Load() {
		return driver.ErrBadConn
	}
	return err
}

func (k *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := k.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip // database/sql prepares the statement instead
	}
	if err := k.check(query); err != nil {
		return nil, err
	}
	res, err := e.ExecContext(ctx, query, args)
	if err == driver.ErrSkip {
		k.c.undo()
	}
	return res, err
}

func (k *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := k.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip // database/sql prepares the statement instead
	}
	if err := k.check(query); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err == driver.ErrSkip {
		k.c.undo()
	}
	return rows, err
}

// CheckNamedValue lets the real driver accept its own argument types (pgx
// takes slices as arrays); ErrSkip asks database/sql for its default
// conversion.
func (k *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := k.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (k *countingConn) Ping(ctx context.Context) error {
	if k.broken.Load() {
		return driver.ErrBadConn
	}
	if p, ok := k.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (k *countingConn) ResetSession(ctx context.Context) error {
	if k.broken.Load() {
		return driver.ErrBadConn
	}
	if r, ok := k.inner.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (k *countingConn) IsValid() bool {
	if k.broken.Load() {
		return false
	}
	if v, ok := k.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// countingStmt counts the executions of a prepared statement.
type countingStmt struct {
	inner driver.Stmt
	conn  *countingConn
	query string
}

func (s *countingStmt) Close() error  { return s.inner.Close() }
func (s *countingStmt) NumInput() int { return s.inner.NumInput() }

func (s *countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	if err := s.conn.check(s.query); err != nil {
		return nil, err
	}
	return s.inner.Exec(args)
}

func (s *countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	if err := s.conn.check(s.query); err != nil {
		return nil, err
	}
	return s.inner.Query(args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.inner.(driver.StmtExecContext)
	if !ok {
		values, err := plainValues(args)
		if err != nil {
			return nil, err
		}
		return s.Exec(values)
	}
	if err := s.conn.check(s.query); err != nil {
		return nil, err
	}
	return e.ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.inner.(driver.StmtQueryContext)
	if !ok {
		values, err := plainValues(args)
		if err != nil {
			return nil, err
		}
		return s.Query(values)
	}
	if err := s.conn.check(s.query); err != nil {
		return nil, err
	}
	return q.QueryContext(ctx, args)
}

// CheckNamedValue defers to the real statement, then to the connection.
func (s *countingStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := s.inner.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

// plainValues turns positional named values into the values of the
// pre-context Stmt methods, as database/sql does.
func plainValues(named []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(named))
	for i, nv := range named {
		if nv.Name != "" {
			return nil, errNamedArgs
		}
		out[i] = nv.Value
	}
	return out, nil
}
