package testdb

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
)

// Reopen opens the PostgreSQL database of db (from Postgres) again, as
// another process would: a new pool from the same connection string. It is
// closed when the test ends.
func Reopen(t testing.TB, db *sqlx.DB) *sqlx.DB {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatalf("testdb: reopen: %v", err)
	}
	var dsn string
	err = conn.Raw(func(dc any) error {
		dsn = dc.(*stdlib.Conn).Conn().Config().ConnString()
		return nil
	})
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("testdb: reopen: %v", err)
	}
	other, err := sqlx.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("testdb: reopen: %v", err)
	}
	t.Cleanup(func() {
		if err := other.Close(); err != nil {
			t.Errorf("testdb: close the reopened database: %v", err)
		}
	})
	return other
}
