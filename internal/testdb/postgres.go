//go:build unix

package testdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/jmoiron/sqlx"
)

// dsnEnv names the environment variable that points the tests at a PostgreSQL
// server instead of a throw-away cluster.
const dsnEnv = "TENANTRY_POSTGRES_DSN"

// Postgres returns a fresh, empty PostgreSQL database for one test, opened with
// driver "pgx", and drops it (WITH (FORCE)) when the test ends.
//
// The database is created on the server that TENANTRY_POSTGRES_DSN points at, for
// example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; that user
// must be allowed to CREATE DATABASE. If the variable is set but the server cannot
// be reached, the test fails. If the variable is not set, a throw-away cluster is
// started once per test binary from the system's initdb and postgres programs, and
// removed when the binary exits. If there is neither, the test is skipped with a
// line saying why, or fails when the environment variable CI is true.
func Postgres(t testing.TB) *sqlx.DB {
	t.Helper()
	srv, err := getServer()
	if err != nil {
		if os.Getenv(dsnEnv) != "" {
			t.Fatalf("testdb: PostgreSQL: %v", err)
		}
		unavailable(t, "PostgreSQL", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "tenantry_test_" + randomHex(8)
	if _, err := srv.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() { // runs after the Close below: cleanups run last-in first-out
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := srv.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("testdb: drop database %s: %v", name, err)
		}
	})
	db, err := sqlx.Open("pgx", withDatabase(srv.dsn, name))
	if err != nil {
		t.Fatalf("testdb: open database %s: %v", name, err)
	}
	// Test packages run in parallel against one server (100 connections
	// by default); racing goroutines queue for a connection instead of
	// exhausting it.
	db.SetMaxOpenConns(MaxOpenConns)
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("testdb: close database %s: %v", name, err)
		}
	})
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("testdb: connect to database %s: %v", name, err)
	}
	return db
}

// server is the PostgreSQL server that test databases are created on.
type server struct {
	dsn   string  // DSN of the maintenance database; a test's DSN differs only in the database name
	admin *sql.DB // open on dsn, for CREATE and DROP DATABASE
}

var (
	serverOnce sync.Once
	theServer  *server
	serverErr  error
)

// getServer finds or starts the server, once per test binary.
func getServer() (*server, error) {
	serverOnce.Do(func() { theServer, serverErr = findServer() })
	return theServer, serverErr
}

func findServer() (*server, error) {
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		var err error
		if dsn, err = startCluster(); err != nil {
			return nil, fmt.Errorf("%s is not set and no throw-away cluster could be started: %w", dsnEnv, err)
		}
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dsnEnv, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		return nil, fmt.Errorf("connect to the server of %s: %w", dsnEnv, err)
	}
	return &server{dsn: dsn, admin: admin}, nil
}

// withDatabase returns dsn, a URL or a keyword=value DSN, with its database
// replaced by name.
func withDatabase(dsn, name string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path, u.RawPath = "/"+name, ""
		return u.String()
	}
	return dsn + " dbname=" + name // in keyword=value form the last setting wins
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// The throw-away cluster.

const (
	clusterAttempts = 3                     // tries on fresh ports, in case another process takes the port first
	readyTries      = 600                   // connection attempts before giving up on a started postgres
	readyEvery      = 50 * time.Millisecond // between connection attempts
)

// errExited reports that postgres exited before it accepted connections.
var errExited = errors.New("postgres exited before accepting connections")

// janitorPipe is the write end of the janitor's stdin. It is never written to and
// never closed: the kernel closes it when the test binary exits, however it exits,
// and that end of file starts the janitor's clean-up. Held here so that no
// finalizer closes it earlier.
var janitorPipe *os.File

// startCluster starts a throw-away cluster in a new temporary folder on a free
// loopback port and returns the DSN of its maintenance database. The cluster
// lives as long as the test binary.
func startCluster() (string, error) {
	bin, err := findBinaries()
	if err != nil {
		return "", err
	}
	cred, err := clusterUser()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "tenantry-testdb-")
	if err != nil {
		return "", err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			_ = os.RemoveAll(dir)
			return "", err
		}
	}
	// From here on the janitor removes dir when the binary exits, or at once
	// (closing the pipe) if the cluster cannot be started.
	if err := startJanitor(dir, cred); err != nil {
		_ = os.RemoveAll(dir)
		return "", err
	}
	fail := func(err error) (string, error) {
		_ = janitorPipe.Close() // the janitor would remove dir now, but may be unable to reach it
		_ = os.RemoveAll(dir)
		return "", err
	}

	data := filepath.Join(dir, "data")
	var out bytes.Buffer
	initdb := command(cred, dir, &out, bin.initdb,
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	if err := run(initdb); err != nil {
		err = withOutput(fmt.Errorf("%s: %w", bin.initdb, err), out.Bytes())
		if cred != nil {
			err = fmt.Errorf("%w (initdb runs as uid %d: can it reach %s?)", err, cred.Uid, dir)
		}
		return fail(err)
	}

	var last error
	for range clusterAttempts {
		var dsn string
		if dsn, last = startPostgres(bin.postgres, cred, dir); last == nil {
			return dsn, nil
		}
		if !errors.Is(last, errExited) {
			break // a postgres that runs but does not answer will not do better on another port
		}
	}
	return fail(last)
}

// startPostgres starts postgres on the cluster in dir, on a free port, and waits
// until it accepts connections.
func startPostgres(postgres string, cred *syscall.Credential, dir string) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	logPath := filepath.Join(dir, "postgres.log")
	log, err := os.Create(logPath)
	if err != nil {
		return "", err
	}
	defer log.Close() // postgres has its own copy
	cmd := command(cred, dir, log, postgres,
		"-D", filepath.Join(dir, "data"),
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", // a test cluster need not survive a crash
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
	)
	exited, err := start(cmd)
	if err != nil {
		return "", fmt.Errorf("%s: %w", postgres, err)
	}
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	if err := waitReady(dsn, exited); err != nil {
		if !errors.Is(err, errExited) {
			_ = cmd.Process.Kill()
			<-exited
		}
		log, _ := os.ReadFile(logPath)
		return "", withOutput(fmt.Errorf("%s on port %d: %w", postgres, port, err), log)
	}
	return dsn, nil
}

// waitReady polls dsn until the server accepts a connection, a bounded number of
// times, and stops early when the server exits.
func waitReady(dsn string, exited <-chan error) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	tick := time.NewTicker(readyEvery)
	defer tick.Stop()
	for range readyTries {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-exited:
			return fmt.Errorf("%w: %v", errExited, werr)
		case <-tick.C:
		}
	}
	return fmt.Errorf("not accepting connections after %d tries: %w", readyTries, err)
}

// pgBinaries are the programs that make and run a cluster.
type pgBinaries struct{ initdb, postgres string }

// findBinaries looks for initdb and postgres on PATH, then in
// /usr/lib/postgresql/<version>/bin (Debian's layout), newest version first.
func findBinaries() (pgBinaries, error) {
	initdb, err1 := exec.LookPath("initdb")
	postgres, err2 := exec.LookPath("postgres")
	if err1 == nil && err2 == nil {
		return pgBinaries{initdb, postgres}, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { // newest first
		return slices.Compare(versionOf(b), versionOf(a))
	})
	for _, d := range dirs {
		b := pgBinaries{filepath.Join(d, "initdb"), filepath.Join(d, "postgres")}
		if isExecutable(b.initdb) && isExecutable(b.postgres) {
			return b, nil
		}
	}
	return pgBinaries{}, errors.New("no initdb and postgres programs on PATH or in /usr/lib/postgresql/*/bin")
}

// versionOf returns the version in /usr/lib/postgresql/<version>/bin as numbers
// ("9.6" is [9 6]), for sorting.
func versionOf(binDir string) []int {
	var v []int
	for _, part := range strings.Split(filepath.Base(filepath.Dir(binDir)), ".") {
		n, _ := strconv.Atoi(part)
		v = append(v, n)
	}
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// clusterUser returns who the cluster runs as: nil for the current user, or, when
// running as root (which postgres refuses), the postgres system user, else nobody.
func clusterUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 == nil && err2 == nil {
			return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
		}
	}
	return nil, errors.New("running as root, which postgres refuses, and there is no postgres (or nobody) user to run it as")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// command prepares a cluster program: run as cred (nil: as ourselves) in dir,
// output to out, and killed if the test binary dies first.
func command(cred *syscall.Credential, dir string, out io.Writer, path string, args ...string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr(cred)
	return cmd
}

// start starts cmd and returns a channel that receives its exit. Linux sends the
// Pdeathsig signal when the thread that started the child ends, not only when the
// process does, so the start happens on a goroutine locked to its thread, which
// stays blocked in Wait (and so keeps the thread) as long as the child runs.
func start(cmd *exec.Cmd) (<-chan error, error) {
	started := make(chan error, 1)
	exited := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		exited <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return exited, nil
}

// run starts cmd as start does and waits for it.
func run(cmd *exec.Cmd) error {
	exited, err := start(cmd)
	if err != nil {
		return err
	}
	return <-exited
}

// janitorScript cleans up after the cluster in folder $1. It runs as the
// cluster's user, in a process group of its own (so that an interrupt from the
// terminal does not stop it), and waits for end of file on its stdin: the test
// binary has exited, and its postgres was killed with it. It then makes sure that
// postgres is gone, removes the System V shared memory segment that a killed
// postmaster leaves behind (listed on line 7 of postmaster.pid), and removes the
// folder.
const janitorScript = `
dir=$1
cat >/dev/null
pidfile="$dir/data/postmaster.pid"
if [ -f "$pidfile" ]; then
	{ read -r pid; read -r _; read -r _; read -r _; read -r _; read -r _; read -r key shmid; } <"$pidfile"
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null
		n=0
		while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n+1)); done
	fi
	[ -n "$shmid" ] && ipcrm -m "$shmid" 2>/dev/null
fi
rm -rf "$dir"
`

// startJanitor starts janitorScript for dir and keeps its stdin open in
// janitorPipe.
func startJanitor(dir string, cred *syscall.Credential) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close() // the janitor has its own copy
	cmd := exec.Command("/bin/sh", "-c", janitorScript, "testdb-janitor", dir)
	cmd.Dir = "/"
	cmd.Stdin = r // stdout and stderr go to /dev/null, so go test does not wait for it
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = w.Close()
		return fmt.Errorf("start clean-up script: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reaps it should it end early
	janitorPipe = w
	return nil
}

// withOutput adds to err the end of a program's output, when there is any.
func withOutput(err error, out []byte) error {
	const max = 2000
	if len(out) > max {
		out = out[len(out)-max:]
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		return fmt.Errorf("%w\n%s", err, s)
	}
	return err
}
