package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/audit"
	"github.com/tenantry/tenantry/internal/testdb"
	"github.com/tenantry/tenantry/tenancy"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// writeDatabases are the databases the write-path benchmarks (quota,
// template, purge) run on, as sub-benchmarks named after them.
var writeDatabases = []struct {
	name string
	open func(testing.TB) *sqlx.DB
}{
	{"sqlite", testdb.SQLite},
	{"postgres", testdb.Postgres},
}

// writesNow is the write-path benchmarks' fixed clock.
var writesNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// writesHost is the context of the host's provisioning job: a system
// principal, allowed everything a benchmark sets up.
var writesHost = audit.WithPrincipal(context.Background(), audit.System("bench"))

// tenancyOn migrates db and returns a tenancy Service on its SQL store with
// the given platforms created.
func tenancyOn(tb testing.TB, db *sqlx.DB, platforms ...string) (*tenancy.Service, *sqlstore.Store) {
	tb.Helper()
	store := testdb.Store(tb, db, sqlstore.Migrate, sqlstore.New)
	svc := tenancy.New(store, &tenancy.Config{Now: func() time.Time { return writesNow }})
	for _, p := range platforms {
		if _, err := svc.CreatePlatform(writesHost, tenancy.CreatePlatformParams{ID: p, Name: "Platform " + p}); err != nil {
			tb.Fatalf("create platform %s: %v", p, err)
		}
	}
	return svc, store
}

// placeholders returns the VALUES list of rows rows of cols parameters each
// in the dialect of db, numbered from 1 on PostgreSQL:
// "(?, ?), (?, ?)" or "($1, $2), ($3, $4)".
func placeholders(db *sqlx.DB, rows, cols int) string {
	var b strings.Builder
	n := 0
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			n++
			if db.DriverName() == "pgx" {
				fmt.Fprintf(&b, "$%d", n)
			} else {
				b.WriteByte('?')
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
