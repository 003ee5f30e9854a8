// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package dbtest

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Server is a private Postgres cluster for tests that must stop or crash the database, which
// the shared server cannot allow. It runs the installed Postgres binaries
// (/usr/lib/postgresql/*/bin) as the postgres user when the test runs as root (Postgres
// refuses to run as root), listens only on a Unix socket in its own directory (no port to
// race for, and nothing else can answer in its place while it is down), and dies with the
// test process.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	cred *syscall.Credential
	cmd  *exec.Cmd
	done chan struct{}
}

// StartServer creates and starts a new cluster; it is removed when the test ends.
func StartServer(t testing.TB) *Server {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(bins, func(i, j int) bool { return pgMajor(bins[i]) < pgMajor(bins[j]) })
	if len(bins) == 0 {
		t.Fatal("dbtest: no Postgres binaries under /usr/lib/postgresql: apt-get install -y postgresql")
	}
	s := &Server{t: t, bin: bins[len(bins)-1]}
	dir, err := os.MkdirTemp("", "bcee-pg-")
	if err != nil {
		t.Fatal(err)
	}
	s.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("dbtest: running as root needs a postgres user to run the cluster: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	initdb := s.command("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("dbtest: initdb: %v\n%s", err, out)
	}
	t.Cleanup(s.Crash) // registered first: also stops a cluster whose start timed out
	s.Start()
	return s
}

func pgMajor(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir
	// Go sets the parent-death signal after switching credentials, so it survives the switch.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	return cmd
}

// URL is the connection URL of database name on this cluster.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@/%s?host=%s&sslmode=disable", name, url.QueryEscape(s.dir))
}

// Start starts the postmaster and waits until it accepts queries.
func (s *Server) Start() {
	s.t.Helper()
	logf, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	s.cmd = s.command("postgres", "-D", filepath.Join(s.dir, "data"), "-k", s.dir, "-c", "listen_addresses=", "-c", "max_connections=200")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		s.t.Fatalf("dbtest: start postgres: %v", err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); logf.Close(); close(done) }(s.cmd, s.done)
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := pgx.Connect(context.Background(), s.URL("postgres"))
		if err == nil {
			c.Close(context.Background())
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			s.t.Fatalf("dbtest: postgres did not come up: %v\n%s", err, log)
		}
		select {
		case <-s.done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			s.t.Fatalf("dbtest: postgres exited at start\n%s", log)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Crash stops the cluster the way a crash does: SIGQUIT is Postgres's immediate shutdown,
// which kills every backend without a checkpoint, so the next Start replays the WAL. Every
// open connection breaks and uncommitted transactions are lost; committed ones must survive.
func (s *Server) Crash() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
	s.cmd = nil
}

// Restart crashes the cluster, keeps it down for downtime, and starts it again.
func (s *Server) Restart(downtime time.Duration) {
	s.t.Helper()
	s.Crash()
	time.Sleep(downtime)
	s.Start()
}

// Pool creates a database on the cluster, applies every migration, and returns a pool on
// it, closed when the test ends. The pool reconnects by itself after Restart.
func (s *Server) Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE bytechef_ee"); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, s.URL("bytechef_ee"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := database.MigrateUp(ctx, pool, io.Discard); err != nil {
		t.Fatalf("dbtest: migrate: %v", err)
	}
	return pool
}
