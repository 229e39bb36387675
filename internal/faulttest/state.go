package faulttest

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// Row is one row, column to masked value.
type Row map[string]string

// String prints the row's columns in name order, for diffs.
func (r Row) String() string {
	cols := make([]string, 0, len(r))
	for c := range r {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var b strings.Builder
	for i, c := range cols {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%s", c, r[c])
	}
	return b.String()
}

// State is every tenantry table's rows of one platform, by table.
type State map[string][]Row

// Lines renders s one row a line, tables and rows sorted: what two states
// are compared by.
func (s State) Lines() []string {
	var out []string
	for table, rows := range s {
		for _, r := range rows {
			out = append(out, table+": "+r.String())
		}
	}
	sort.Strings(out)
	return out
}

// Equal reports whether s and o hold the same rows.
func (s State) Equal(o State) bool { return slices.Equal(s.Lines(), o.Lines()) }

// Diff lists the rows only in s ("-") and only in o ("+").
func (s State) Diff(o State) string {
	a, b := s.Lines(), o.Lines()
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var out []string
	for l, n := range count {
		for ; n > 0; n-- {
			out = append(out, "- "+l)
		}
		for ; n < 0; n++ {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// Clone returns a deep copy of s.
func (s State) Clone() State {
	out := State{}
	for t, rows := range s {
		for _, r := range rows {
			c := Row{}
			for k, v := range r {
				c[k] = v
			}
			out[t] = append(out[t], c)
		}
	}
	return out
}

var (
	uuidRE   = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	hexRE    = regexp.MustCompile(`\b[0-9a-f]{32,}\b`)
	argon2RE = regexp.MustCompile(`\$argon2id\$[^"\s]*`)
)

// mask hides what differs from run to run of one operation: IDs
// (UUIDs), token hashes and tokens (long hex), password hashes, and the
// content of binary columns (sealed secrets: their length stays).
func mask(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("<%d bytes>", len(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	s := fmt.Sprint(v)
	s = uuidRE.ReplaceAllString(s, "<id>")
	s = argon2RE.ReplaceAllString(s, "<argon2>")
	return hexRE.ReplaceAllString(s, "<hex>")
}

// Tables lists the tenantry tables of db and, for each, the column that
// names its platform ("platform_id", or "id" for the platforms table).
func Tables(t testing.TB, db *sqlx.DB) map[string]string {
	t.Helper()
	var names []string
	var err error
	switch db.DriverName() {
	case "sqlite":
		err = db.Select(&names, `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tenantry%'`)
	default:
		err = db.Select(&names, `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name LIKE 'tenantry%'`)
	}
	if err != nil {
		t.Fatalf("faulttest: list tables: %v", err)
	}
	out := map[string]string{}
	for _, n := range names {
		rows, err := db.Queryx(`SELECT * FROM ` + n + ` WHERE 1 = 0`)
		if err != nil {
			t.Fatalf("faulttest: columns of %s: %v", n, err)
		}
		cols, err := rows.Columns()
		_ = rows.Close()
		if err != nil {
			t.Fatalf("faulttest: columns of %s: %v", n, err)
		}
		switch {
		case n == "tenantry_platforms":
			out[n] = "id"
		case slices.Contains(cols, "platform_id"):
			out[n] = "platform_id"
		}
	}
	return out
}

// Snapshot reads every row of the platform in tables (from Tables).
func Snapshot(t testing.TB, db *sqlx.DB, tables map[string]string, platformID string) State {
	t.Helper()
	return snapshot(t, tables, platformID, func(table, col string) (*sqlx.Rows, error) {
		return db.Queryx(db.Rebind(`SELECT * FROM `+table+` WHERE `+col+` = ?`), platformID)
	})
}

func snapshot(t testing.TB, tables map[string]string, platformID string, query func(table, col string) (*sqlx.Rows, error)) State {
	t.Helper()
	s := State{}
	for table, col := range tables {
		rows, err := query(table, col)
		if err != nil {
			t.Fatalf("faulttest: read %s: %v", table, err)
		}
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				_ = rows.Close()
				t.Fatalf("faulttest: read %s: %v", table, err)
			}
			r := Row{}
			for k, v := range m {
				r[k] = mask(v)
			}
			s[table] = append(s[table], r)
		}
		if err := rows.Close(); err != nil {
			t.Fatalf("faulttest: read %s: %v", table, err)
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("faulttest: read %s: %v", table, err)
		}
	}
	return s
}
