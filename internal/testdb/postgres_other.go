//go:build !unix

package testdb

import (
	"errors"
	"testing"

	"github.com/jmoiron/sqlx"
)

// Postgres skips (or, under CI=true, fails): starting a throw-away cluster
// needs a Unix system. Point TENANTRY_POSTGRES_DSN at a server to run the
// PostgreSQL tests elsewhere is not supported here either.
func Postgres(t testing.TB) *sqlx.DB {
	t.Helper()
	unavailable(t, "PostgreSQL", errors.New("the test helpers need a Unix system"))
	return nil
}
