// Package pgtest gives tests a real PostgreSQL: one server per test binary,
// started on first use from Debian's binaries in a temporary folder and
// listening on loopback only, and a fresh empty database per test.
//
//	db := pgtest.Open(t)      // a *sql.DB on a new database, dropped after t
//	url := pgtest.URL(t)      // the same as a postgres:// URL, for a binary
//
// To run a package's SQLite tests on PostgreSQL too, its database helper
// asks Requested(t), and one test reruns the others under its name:
//
//	func TestPostgres(t *testing.T) { pgtest.Rerun(t, TestA, TestB) }
//
// A missing PostgreSQL fails the test with what to install; it never skips.
// The server stops when the test binary exits (the kernel signals it when
// its parent dies); TestMain may call Stop to also remove its folder at
// once, which Main does.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// Driver is the database/sql driver name that opens the URLs URL returns.
const Driver = "pgx"

// BinEnv names the environment variable that overrides where initdb and
// postgres are looked for.
const BinEnv = "SIJIL_PG_BIN"

// superuser owns every test database; password is set per server.
const superuser = "sijil"

// dirPrefix starts the name of every server's folder under os.TempDir, so
// that folders left by a killed test binary are found and removed.
const dirPrefix = "sijil-pgtest-"

var (
	once    sync.Once
	srv     *server
	srvErr  error
	dbCount atomic.Int64
)

// server is the running PostgreSQL of this test binary.
type server struct {
	dir      string // holds data/ and the server's log
	port     int
	password string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when the server process has exited
	admin    *sql.DB       // on the postgres database, for CREATE/DROP DATABASE
}

// Main runs a package's tests and then stops the server if one started.
// Use it as the whole of a TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop shuts the server down and removes its folder. Tests that call Open
// or URL afterwards fail.
func Stop() {
	if srv == nil {
		return
	}
	srv.admin.Close()
	// SIGINT is PostgreSQL's fast shutdown: no waiting for clients.
	srv.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-srv.exited:
	case <-time.After(10 * time.Second):
		srv.cmd.Process.Kill()
		<-srv.exited
	}
	os.RemoveAll(srv.dir)
	srv, srvErr = nil, errors.New("pgtest: the server was stopped")
}

// URL creates a new empty database for tb and returns its postgres:// URL,
// password included. The database is dropped when tb ends, after the
// test's own cleanups have closed their connections.
func URL(tb testing.TB) string {
	tb.Helper()
	s := start(tb)

	name := dbName(tb)
	ctx := context.Background()
	// template0 is the pristine template: template1 may carry whatever an
	// earlier test added to it.
	_, err := s.admin.ExecContext(ctx,
		`CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8'`)
	if err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		// FORCE ends connections a test leaked, so one leak does not make
		// every later drop fail.
		_, err := s.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		if err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// Open creates a new empty database for tb and opens it through pgx's
// database/sql driver. The handle is closed and the database dropped when
// tb ends.
func Open(tb testing.TB) *sql.DB {
	tb.Helper()
	u := URL(tb)
	db, err := sql.Open(Driver, u)
	if err != nil {
		tb.Fatalf("pgtest: open %s: %v", Redact(u), err)
	}
	// Registered after URL's drop, so it runs before it.
	tb.Cleanup(func() { db.Close() })
	return db
}

// Rerunner is the name of the test under which Requested is true.
const Rerunner = "TestPostgres"

// Rerun runs each test again as a subtest of t, named after it. t must be
// the test named Rerunner, so that database helpers asking Requested give
// the tests PostgreSQL.
func Rerun(t *testing.T, tests ...func(*testing.T)) {
	t.Helper()
	if t.Name() != Rerunner {
		t.Fatalf("pgtest.Rerun must be called from %s, not %s", Rerunner, t.Name())
	}
	for _, test := range tests {
		name := runtime.FuncForPC(reflect.ValueOf(test).Pointer()).Name()
		name = strings.TrimPrefix(name[strings.LastIndex(name, ".")+1:], "Test")
		t.Run(name, test)
	}
}

// Requested reports whether tb runs under Rerun, and so whether a database
// helper should open PostgreSQL (with Open) rather than SQLite.
func Requested(tb testing.TB) bool {
	return strings.HasPrefix(tb.Name(), Rerunner+"/")
}

// Redact returns a database URL with its password replaced, for messages.
func Redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable database URL)"
	}
	return p.Redacted()
}

// dbName makes a database name that is unique in this server and says
// which test made it, for a reader of the server log.
func dbName(tb testing.TB) string {
	clean := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(tb.Name(), "_"))
	if len(clean) > 40 {
		clean = clean[:40]
	}
	return fmt.Sprintf("t%d_%s", dbCount.Add(1), clean)
}

func (s *server) url(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(superuser, s.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)), Path: "/" + db,
		RawQuery: "sslmode=disable"}
	return u.String()
}

// start starts the server on first use and fails tb if it cannot.
func start(tb testing.TB) *server {
	tb.Helper()
	once.Do(func() { srv, srvErr = startServer() })
	if srvErr != nil {
		tb.Fatal(srvErr)
	}
	return srv
}

func startServer() (*server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	removeStale()

	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &server{dir: dir, password: randomHex(16)}
	cred, err := runAs(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.initdb(bin, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}

	// The port is free when picked but may be taken before the server
	// binds it: try a few.
	for try := 0; ; try++ {
		err = s.run(bin, cred)
		if err == nil || try == 2 {
			break
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// findBin returns the folder holding initdb and postgres: $SIJIL_PG_BIN,
// then Debian's versioned folders (which are not on PATH), newest first,
// then PATH.
func findBin() (string, error) {
	var dirs []string
	if d := os.Getenv(BinEnv); d != "" {
		dirs = append(dirs, d)
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(versioned, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	dirs = append(dirs, versioned...)
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("pgtest: PostgreSQL is not installed (no initdb and postgres in " +
		"$" + BinEnv + ", /usr/lib/postgresql/*/bin or PATH): run `make deps`, which " +
		"installs the Debian package postgresql")
}

// pgVersion reads the major version from /usr/lib/postgresql/N/bin.
func pgVersion(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// runAs returns the credentials to run PostgreSQL with: none for an
// ordinary user, the postgres system user's for root, whom initdb refuses.
// dir is handed to that user.
func runAs(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, PostgreSQL needs the postgres "+
			"system user, which is missing (%v): run `make deps`", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (s *server) initdb(bin string, cred *syscall.Credential) error {
	pwfile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.password+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if cred != nil {
		if err := os.Chown(pwfile, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("pgtest: %w", err)
		}
	}
	defer os.Remove(pwfile)

	// Password authentication over TCP, as production has: the URL's
	// password is really checked.
	cmd := exec.Command(filepath.Join(bin, "initdb"), "--pgdata", filepath.Join(s.dir, "data"),
		"--username", superuser, "--pwfile", pwfile, "--auth", "scram-sha-256",
		"--encoding", "UTF8", "--locale", "C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	cmd.Dir = s.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	return nil
}

// run starts postgres on a free loopback port and waits until it accepts
// connections.
func (s *server) run(bin string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	logPath := filepath.Join(s.dir, "postgres.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	defer logFile.Close()

	// Durability is worthless for a throw-away server; no Unix socket, so
	// nothing is written outside the folder.
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", filepath.Join(s.dir, "data"),
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", "",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	s.exited = make(chan struct{})
	started := make(chan error, 1)
	// The kernel sends Pdeathsig when the thread that started the child
	// exits, not the process: start it from a thread that lives as long
	// as the server, so the server dies with the test binary and no
	// sooner.
	go func() {
		runtime.LockOSThread()
		err := s.cmd.Start()
		started <- err
		if err == nil {
			s.cmd.Wait()
			close(s.exited)
		}
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("pgtest: start postgres: %w", err)
	}

	if err := s.waitReady(logPath); err != nil {
		s.cmd.Process.Kill()
		<-s.exited
		return err
	}
	return nil
}

// waitReady connects until the server answers, it exits, or 30 s pass.
func (s *server) waitReady(logPath string) error {
	admin, err := sql.Open(Driver, s.url("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = admin.PingContext(ctx)
		cancel()
		if err == nil {
			s.admin = admin
			return nil
		}
		select {
		case <-s.exited:
			admin.Close()
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtest: postgres exited at start:\n%s", out)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			admin.Close()
			out, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtest: postgres did not accept connections in 30 s: %v\n%s",
				err, out)
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// removeStale removes the folders of servers whose test binary died
// without Stop: their server died with it, but nothing else removes them.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(filepath.Base(d),
			dirPrefix), "-", 2)[0])
		if err != nil || pid == os.Getpid() {
			continue
		}
		// Signal 0 checks existence; EPERM means alive under another user.
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
