package sqlkit

import (
	"net/url"
	"path/filepath"
	"strings"
)

// SQLitePragmas are the connection settings every SQLite connection of
// tenantry gets, in the query-string form of modernc.org/sqlite. The driver
// applies them to each new connection of the pool, so every connection
// behaves the same:
//
//   - journal_mode(WAL): readers never block the writer and the writer never
//     blocks readers, so a page can be served while an account is saved.
//   - busy_timeout(10000): a connection that finds the database locked waits
//     up to 10 seconds for the lock instead of failing at once with
//     SQLITE_BUSY.
//   - foreign_keys(1): SQLite enforces REFERENCES only when asked, per
//     connection; without it an account could point at a missing platform.
//   - synchronous(NORMAL): with WAL this is crash-safe (a power cut may lose
//     the last commits, never corrupt the file) and much faster than FULL.
//   - _txlock=immediate: every transaction starts with BEGIN IMMEDIATE and
//     takes the write lock at once, so two transactions that read then write
//     never deadlock on upgrading their locks (which busy_timeout cannot
//     resolve).
const SQLitePragmas = "_pragma=journal_mode(WAL)" +
	"&_pragma=busy_timeout(10000)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(NORMAL)" +
	"&_txlock=immediate"

// SQLiteDSN returns the data source name that opens the SQLite database
// file at path with driver "sqlite" (modernc.org/sqlite) and SQLitePragmas.
//
// path is a plain file path, relative or absolute, in the operating
// system's form. It is turned into a SQLite "file:" URI with its special
// characters percent-escaped, so that any file name works, including ones
// holding '?', '#', '%' or spaces.
func SQLiteDSN(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) && !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive path: file:///C:/dir/file.db
	}
	esc := (&url.URL{Path: p}).EscapedPath()
	if strings.HasPrefix(p, "/") {
		// An empty authority, so that a path beginning with "//" is not
		// taken for a host name.
		return "file://" + esc + "?" + SQLitePragmas
	}
	return "file:" + esc + "?" + SQLitePragmas
}
