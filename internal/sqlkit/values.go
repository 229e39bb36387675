package sqlkit

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Time converts t for storage: UTC at microsecond precision, as an INTEGER
// count of microseconds since the Unix epoch on SQLite (so it sorts and
// compares exactly) and as a timestamptz on PostgreSQL. The zero time is
// stored as NULL.
func (d Dialect) Time(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if d == SQLite {
		return t.UnixMicro()
	}
	return t
}

// Micro truncates t to the microsecond precision the stores keep, in UTC.
// Services apply it to every time they hand to a store so that what is
// returned equals what was stored.
func Micro(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Time scans a time stored by Dialect.Time from either dialect; NULL scans to
// the zero time.
type Time struct{ time.Time }

// Scan implements sql.Scanner.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
	case int64:
		t.Time = time.UnixMicro(v).UTC()
	case time.Time:
		t.Time = v.UTC()
	default:
		return fmt.Errorf("sqlkit: cannot scan %T into a time", src)
	}
	return nil
}

// JSON stores a Go value as JSON text on both dialects (a TEXT column on
// SQLite, TEXT or jsonb on PostgreSQL).
type JSON[T any] struct{ V T }

// Value implements driver.Valuer.
func (j JSON[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, fmt.Errorf("sqlkit: encode json: %w", err)
	}
	return string(b), nil
}

// Scan implements sql.Scanner.
func (j *JSON[T]) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		var zero T
		j.V = zero
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("sqlkit: cannot scan %T as json", src)
	}
	if err := json.Unmarshal(b, &j.V); err != nil {
		return fmt.Errorf("sqlkit: decode json: %w", err)
	}
	return nil
}

// NullString stores "" as NULL, for optional columns under a unique index.
func NullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
