//go:build race

package sqlstore_test

// raceEnabled reports a -race build, where SQLite (C translated to Go) runs
// many times slower, so the bulk tests use fewer rows.
const raceEnabled = true
