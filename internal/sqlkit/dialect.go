package sqlkit

import (
	"fmt"
	"strings"

	sq "github.com/Masterminds/squirrel"
	"github.com/jmoiron/sqlx"
)

// Dialect is the SQL dialect of a database handle.
type Dialect int

const (
	// SQLite is modernc.org/sqlite, driver name "sqlite".
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5/stdlib, driver name "pgx".
	Postgres
)

// String returns "sqlite" or "postgres"; these are also the folder names of
// the embedded migrations.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// DialectOf returns the dialect of db from its driver name.
func DialectOf(db *sqlx.DB) (Dialect, error) {
	return DialectFor(db.DriverName())
}

// DialectFor returns the dialect that serves the database/sql driver name.
func DialectFor(driverName string) (Dialect, error) {
	switch strings.ToLower(driverName) {
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "pgx", "pgx/v5", "postgres", "postgresql":
		return Postgres, nil
	}
	return 0, fmt.Errorf("sqlkit: unsupported driver %q (use \"sqlite\" from modernc.org/sqlite or \"pgx\" from github.com/jackc/pgx/v5/stdlib)", driverName)
}

// Builder returns a squirrel statement builder with the dialect's placeholders.
func (d Dialect) Builder() sq.StatementBuilderType {
	if d == Postgres {
		return sq.StatementBuilder.PlaceholderFormat(sq.Dollar)
	}
	return sq.StatementBuilder.PlaceholderFormat(sq.Question)
}

// Rebind turns a query written with '?' placeholders into the dialect's form.
func (d Dialect) Rebind(query string) string {
	if d == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, query)
	}
	return query
}

// CaseFold returns the SQL expression that lowercases expr for
// case-insensitive search on this dialect.
func (d Dialect) CaseFold(expr string) string {
	return "lower(" + expr + ")"
}

// EscapeLike escapes the LIKE wildcards in s; pair it with ESCAPE '\'.
func EscapeLike(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}
