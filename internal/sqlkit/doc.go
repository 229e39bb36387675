// Package sqlkit holds what every SQL store of tenantry shares: the dialect
// chosen from the driver name, squirrel builders with the right placeholders,
// time and list encodings that round-trip identically on SQLite and
// PostgreSQL, a migration runner with one version line per package, a
// transaction helper that retries on lock contention, the mapping of
// driver errors to sentinels and the naming of unique violations, the
// running of squirrel statements (Exec, Select, Get), bounded multi-row
// inserts (InsertRows) and one-parameter ID lists (Dialect.In).
package sqlkit
