package sqlkit

import (
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// MigrationsTable records, per version line, which migrations are applied.
const MigrationsTable = "tenantry_schema_migrations"

// Line is one package's numbered migrations. FS holds, for each dialect, a
// folder named after it ("sqlite", "postgres") with files
// NNNN_name.up.sql and NNNN_name.down.sql.
type Line struct {
	// Name identifies the line in MigrationsTable, e.g. "tenancy".
	Name string
	// FS holds the sqlite/ and postgres/ folders.
	FS fs.FS
}

// Migration is one numbered step of a line.
type Migration struct {
	Version int
	Name    string
	Up      string
	Down    string
}

var migrationFile = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$`)

// Migrations reads and checks the line's migrations for dialect d, in
// version order: versions start at 1, have no gaps, and each has both an up
// and a down file.
func (l Line) Migrations(d Dialect) ([]Migration, error) {
	dir := d.String()
	entries, err := fs.ReadDir(l.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlkit: migrations %s/%s: %w", l.Name, dir, err)
	}
	byVersion := map[int]*Migration{}
	for _, e := range entries {
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlkit: migrations %s/%s: unexpected file %q", l.Name, dir, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(l.FS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlkit: migrations %s: %w", l.Name, err)
		}
		mig := byVersion[v]
		if mig == nil {
			mig = &Migration{Version: v, Name: m[2]}
			byVersion[v] = mig
		}
		if m[3] == "up" {
			mig.Up = string(body)
		} else {
			mig.Down = string(body)
		}
	}
	out := make([]Migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("sqlkit: migrations %s/%s: version %d missing", l.Name, dir, i+1)
		}
		if m.Up == "" || m.Down == "" {
			return nil, fmt.Errorf("sqlkit: migrations %s/%s: version %d needs both up and down files", l.Name, dir, m.Version)
		}
	}
	return out, nil
}

// Migrate applies every migration of the line not applied yet.
func Migrate(ctx context.Context, db *sqlx.DB, l Line) error {
	return MigrateTo(ctx, db, l, -1)
}

// MigrateTo moves the line up or down to version target (0 removes it all;
// -1 means the latest). Each step runs in its own transaction together with
// its record in MigrationsTable; on PostgreSQL an advisory lock per line
// keeps concurrent processes from applying a step twice, on SQLite the write
// lock does.
func MigrateTo(ctx context.Context, db *sqlx.DB, l Line, target int) error {
	w, err := Wrap(db)
	if err != nil {
		return err
	}
	migs, err := l.Migrations(w.Dialect)
	if err != nil {
		return err
	}
	if target < 0 {
		target = len(migs)
	}
	if target > len(migs) {
		return fmt.Errorf("sqlkit: migrate %s: target version %d is past the latest (%d)", l.Name, target, len(migs))
	}
	if err := ensureMigrationsTable(ctx, w); err != nil {
		return err
	}
	for {
		done := false
		err := w.InTx(ctx, func(tx *sqlx.Tx) error {
			if err := lockLine(ctx, w.Dialect, tx, l.Name); err != nil {
				return err
			}
			cur, err := currentVersion(ctx, w.Dialect, tx, l.Name)
			if err != nil {
				return err
			}
			switch {
			case cur == target:
				done = true
				return nil
			case cur > len(migs):
				return fmt.Errorf("sqlkit: migrate %s: database is at version %d, newer than this code knows (%d)", l.Name, cur, len(migs))
			case cur < target:
				m := migs[cur]
				if _, err := tx.ExecContext(ctx, m.Up); err != nil {
					return fmt.Errorf("sqlkit: migrate %s up to %d (%s): %w", l.Name, m.Version, m.Name, err)
				}
				_, err = tx.ExecContext(ctx, w.Dialect.Rebind(`INSERT INTO `+MigrationsTable+` (line, version, name, applied_at) VALUES (?, ?, ?, ?)`),
					l.Name, m.Version, m.Name, w.Dialect.Time(time.Now()))
				return err
			default:
				m := migs[cur-1]
				if _, err := tx.ExecContext(ctx, m.Down); err != nil {
					return fmt.Errorf("sqlkit: migrate %s down from %d (%s): %w", l.Name, m.Version, m.Name, err)
				}
				_, err = tx.ExecContext(ctx, w.Dialect.Rebind(`DELETE FROM `+MigrationsTable+` WHERE line = ? AND version = ?`), l.Name, m.Version)
				return err
			}
		})
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// Version returns the line's applied version (0 when none).
func Version(ctx context.Context, db *sqlx.DB, l Line) (int, error) {
	w, err := Wrap(db)
	if err != nil {
		return 0, err
	}
	if err := ensureMigrationsTable(ctx, w); err != nil {
		return 0, err
	}
	return currentVersion(ctx, w.Dialect, db, l.Name)
}

func ensureMigrationsTable(ctx context.Context, w DB) error {
	timeType := "BIGINT"
	if w.Dialect == Postgres {
		timeType = "TIMESTAMPTZ"
	}
	q := `CREATE TABLE IF NOT EXISTS ` + MigrationsTable + ` (
		line TEXT NOT NULL,
		version INTEGER NOT NULL,
		name TEXT NOT NULL,
		applied_at ` + timeType + ` NOT NULL,
		PRIMARY KEY (line, version))`
	err := w.InTx(ctx, func(tx *sqlx.Tx) error {
		if err := lockLine(ctx, w.Dialect, tx, MigrationsTable); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, q)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlkit: create %s: %w", MigrationsTable, err)
	}
	return nil
}

func lockLine(ctx context.Context, d Dialect, tx *sqlx.Tx, line string) error {
	if d != Postgres {
		return nil // the SQLite write lock, taken at BEGIN IMMEDIATE, already serialises.
	}
	h := fnv.New64a()
	h.Write([]byte("tenantry-migrate:" + line))
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64()))
	return err
}

func currentVersion(ctx context.Context, d Dialect, q sqlx.QueryerContext, line string) (int, error) {
	var v *int
	err := sqlx.GetContext(ctx, q, &v, d.Rebind(`SELECT MAX(version) FROM `+MigrationsTable+` WHERE line = ?`), line)
	if err != nil {
		return 0, fmt.Errorf("sqlkit: read version of %s: %w", line, err)
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
