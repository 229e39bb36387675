package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tenantry/tenantry/internal/dbtest"
	"github.com/tenantry/tenantry/internal/sqlkit"
	"github.com/tenantry/tenantry/tenancy/sqlstore"
)

// The accounts-page data sets are generated once and kept: a SQLite file
// under os.TempDir() and a PostgreSQL database on the server of
// TENANTRY_POSTGRES_DSN, both named after the shape and the size (see
// pageBenchName), so that the small smoke data set and the full one live
// side by side. A kept database is used again while its tenancy migration
// version is the current one and it holds the expected number of accounts;
// otherwise it is made again. Bump pageBenchShape whenever the generator
// changes what it writes.
const pageBenchShape = 1

// pageBenchSpec is the data set: with -full 100,000 accounts of 10 users
// each (1,000,000 users), else 2,000 accounts of 10.
func pageBenchSpec() pageGenSpec { return pageGenSpec{Accounts: size(2_000, 100_000), Members: 10} }

// pageBenchName names the kept data set: its shape and size, for example
// accounts_v1_100000x10.
func pageBenchName() string {
	spec := pageBenchSpec()
	return fmt.Sprintf("accounts_v%d_%dx%d", pageBenchShape, spec.Accounts, spec.Members)
}

// pageBenchSQLite opens the benchmark's SQLite file, generating it first
// when it is missing or stale, with its statements counted.
func pageBenchSQLite(b *testing.B) (*sqlx.DB, *dbtest.Counter) {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), "tenantry-bench")
	path := filepath.Join(dir, pageBenchName()+".db")
	if db, err := pageOpenSQLite(path); err == nil {
		why := pageStale(ctx, db)
		if why == "" {
			b.Logf("sqlite: using %s, generated earlier", path)
			_ = db.Close()
			return dbtest.Counting(b, "sqlite", sqlkit.SQLiteDSN(path))
		}
		b.Logf("sqlite: %s is stale (%s); generating it again", path, why)
		_ = db.Close()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	stats, err := pageBuildSQLite(ctx, path)
	if err != nil {
		b.Fatalf("sqlite: generate %s: %v", path, err)
	}
	b.Logf("sqlite: generated %s: %v", path, stats)
	return dbtest.Counting(b, "sqlite", sqlkit.SQLiteDSN(path))
}

// pageOpenSQLite opens an existing SQLite file as the library opens one.
func pageOpenSQLite(path string) (*sqlx.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sqlx.Open("sqlite", sqlkit.SQLiteDSN(path))
	if err != nil {
		return nil, err
	}
	return db, db.Ping()
}

// pageBuildSQLite generates the data set in a file of its own, then moves
// it to path, so that an interrupted run leaves no half-filled file there.
func pageBuildSQLite(ctx context.Context, path string) (pageGenStats, error) {
	tmp := fmt.Sprintf("%s.building-%d", path, os.Getpid())
	defer func() {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			_ = os.Remove(tmp + suffix)
		}
	}()
	// Bulk-load settings: no fsync, a large page cache, one connection.
	db, err := sqlx.Open("sqlite", sqlkit.SQLiteDSN(tmp)+"&_pragma=synchronous(OFF)&_pragma=cache_size(-262144)")
	if err != nil {
		return pageGenStats{}, err
	}
	db.SetMaxOpenConns(1)
	stats, err := pageFill(ctx, db)
	if cerr := db.Close(); err == nil {
		err = cerr // the last connection's close checkpoints and removes the WAL
	}
	if err != nil {
		return stats, err
	}
	return stats, os.Rename(tmp, path)
}

// pageFill migrates db and generates the benchmark's data set into it.
func pageFill(ctx context.Context, db *sqlx.DB) (pageGenStats, error) {
	if err := sqlstore.Migrate(ctx, db); err != nil {
		return pageGenStats{}, err
	}
	return pageGenerate(ctx, db, pageBenchSpec())
}

// pageStale says why a kept database cannot be used ("" when it can).
func pageStale(ctx context.Context, db *sqlx.DB) string {
	want, err := pageTenancyVersion()
	if err != nil {
		return err.Error()
	}
	var have sql.NullInt64
	err = db.GetContext(ctx, &have, db.Rebind(`SELECT MAX(version) FROM `+sqlkit.MigrationsTable+` WHERE line = ?`), "tenancy")
	switch {
	case err != nil:
		return "no migrations table: " + err.Error()
	case have.Int64 != int64(want):
		return fmt.Sprintf("tenancy migration version %d, want %d", have.Int64, want)
	}
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM tenantry_accounts`); err != nil {
		return err.Error()
	}
	if want := pageBenchSpec().Accounts; n != want {
		return fmt.Sprintf("%d accounts, want %d", n, want)
	}
	return ""
}

// pageTenancyVersion is the latest tenancy migration version: the number
// of up migrations (they are numbered from 1 without gaps).
func pageTenancyVersion() (int, error) {
	ups, err := fs.Glob(sqlstore.Migrations, "sqlite/*.up.sql")
	if err != nil || len(ups) == 0 {
		return 0, fmt.Errorf("no tenancy migrations found: %v", err)
	}
	return len(ups), nil
}

// pageBenchPostgres opens the benchmark's PostgreSQL database
// tenantry_bench_<pageBenchName> on the server of TENANTRY_POSTGRES_DSN,
// generating it first when it is missing or stale, with its statements
// counted. It skips the benchmark when the variable is not set.
func pageBenchPostgres(b *testing.B) (*sqlx.DB, *dbtest.Counter) {
	b.Helper()
	base := os.Getenv("TENANTRY_POSTGRES_DSN")
	if base == "" {
		b.Skip("TENANTRY_POSTGRES_DSN is not set: the PostgreSQL benchmark needs a server on which it may " +
			"create the database tenantry_bench_accounts_v<N>_<size> once (kept for later runs)")
	}
	ctx := context.Background()
	name := "tenantry_bench_" + pageBenchName()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if db, err := pageOpenPostgres(ctx, admin, base, name); err == nil {
		why := pageStale(ctx, db)
		if why == "" {
			b.Logf("postgres: using database %s, generated earlier", name)
			_ = db.Close()
			return pageCountingPostgres(b, base, name)
		}
		b.Logf("postgres: database %s is stale (%s); generating it again", name, why)
		_ = db.Close()
	}
	stats, err := pageBuildPostgres(ctx, admin, base, name)
	if err != nil {
		b.Fatalf("postgres: generate %s: %v", name, err)
	}
	b.Logf("postgres: generated database %s: %v", name, stats)
	return pageCountingPostgres(b, base, name)
}

// pageCountingPostgres opens the kept database name with its statements
// counted.
func pageCountingPostgres(b *testing.B, base, name string) (*sqlx.DB, *dbtest.Counter) {
	db, n := dbtest.Counting(b, "pgx", pageWithDatabase(base, name))
	db.SetMaxOpenConns(4)
	return db, n
}

// errNoDatabase reports a kept database that does not exist.
var errNoDatabase = errors.New("no such database")

func pageOpenPostgres(ctx context.Context, admin *sql.DB, base, name string) (*sqlx.DB, error) {
	var n int
	if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errNoDatabase
	}
	db, err := sqlx.Open("pgx", pageWithDatabase(base, name))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	return db, db.PingContext(ctx)
}

// pageBuildPostgres generates the data set in database name+"_building",
// analyses it, then renames it to name, under an advisory lock so that two
// runs do not build at once.
func pageBuildPostgres(ctx context.Context, admin *sql.DB, base, name string) (pageGenStats, error) {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return pageGenStats{}, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return pageGenStats{}, err
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, name) }()
	building := name + "_building"
	for _, q := range []string{
		"DROP DATABASE IF EXISTS " + building + " WITH (FORCE)",
		"DROP DATABASE IF EXISTS " + name + " WITH (FORCE)",
		"CREATE DATABASE " + building,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return pageGenStats{}, err
		}
	}
	stats, err := pageFillPostgres(ctx, pageWithDatabase(base, building))
	if err != nil {
		return stats, err
	}
	_, err = conn.ExecContext(ctx, "ALTER DATABASE "+building+" RENAME TO "+name)
	return stats, err
}

// pageFillPostgres generates the data set into the database at dsn and
// leaves it vacuumed and analysed, as autovacuum would after a while.
func pageFillPostgres(ctx context.Context, dsn string) (pageGenStats, error) {
	db, err := sqlx.Open("pgx", dsn)
	if err != nil {
		return pageGenStats{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stats, err := pageFill(ctx, db)
	if err != nil {
		return stats, err
	}
	start := time.Now()
	if _, err := db.ExecContext(ctx, "VACUUM ANALYZE"); err != nil {
		return stats, err
	}
	stats.Took += time.Since(start)
	return stats, nil
}

// pageWithDatabase returns dsn, a URL or a keyword=value DSN, with its
// database replaced by name.
func pageWithDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		return u.String()
	}
	return dsn + " dbname=" + name // in keyword=value form the last setting wins
}
