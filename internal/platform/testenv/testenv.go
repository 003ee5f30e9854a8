// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package testenv starts the real peers tests need — the Versity S3 gateway and the Temporal
// dev server — from the pinned binaries in ./bin (built by `make tools`), on free loopback
// ports, once per test process. Child processes die with the test process.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

// BinDir finds the repository's bin directory (BYTECHEF_BIN_DIR overrides).
func BinDir() (string, error) {
	if d := os.Getenv("BYTECHEF_BIN_DIR"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "bin"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Binary returns the path of a pinned tool, or fails the test with how to build it.
func Binary(t testing.TB, name string) string {
	t.Helper()
	dir, err := BinDir()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("testenv: %s not found; run `make tools` first", p)
	}
	return p
}

// FreeAddr returns a free 127.0.0.1:port.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Start runs a command that is killed when the test process exits (Pdeathsig) and returns it.
func Start(t testing.TB, logName string, bin string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, args...)
	logf, err := os.CreateTemp("", "bytechef-"+logName+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	err = cmd.Start()
	logf.Close() // the child has its own descriptor
	if err != nil {
		t.Fatalf("testenv: start %s: %v", bin, err)
	}
	return cmd
}

// WaitTCP waits until addr accepts connections.
func WaitTCP(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("testenv: %s did not come up within %s", addr, timeout)
}

// S3Server is a running Versity gateway.
type S3Server struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
	Cmd       *exec.Cmd
}

var (
	s3Once   sync.Once
	s3Shared *S3Server
	s3Err    error
)

// StartS3 starts a new Versity gateway serving a fresh directory (for tests that restart it).
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	bin := Binary(t, "versitygw")
	dir, err := os.MkdirTemp("", "bytechef-s3-*")
	if err != nil {
		t.Fatal(err)
	}
	data, meta := filepath.Join(dir, "data"), filepath.Join(dir, "meta")
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	addr := FreeAddr(t)
	s := &S3Server{Endpoint: "http://" + addr, AccessKey: "bytechef-test", SecretKey: "bytechef-test-secret", Region: "us-east-1"}
	s.Cmd = Start(t, "s3", bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--region", s.Region, "--port", addr, "--quiet",
		"posix", "--sidecar", meta, data)
	if err := WaitTCP(addr, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	return s
}

// SharedS3 returns the gateway shared by the tests of this process.
func SharedS3(t testing.TB) *S3Server {
	t.Helper()
	s3Once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				s3Err = fmt.Errorf("%v", r)
			}
		}()
		s3Shared = StartS3(nopT{t})
	})
	if s3Err != nil {
		t.Fatal(s3Err)
	}
	return s3Shared
}

// Config returns a configuration pointing the blob store at this server and bucket.
func (s *S3Server) Config(bucket string) config.Config {
	return config.Config{S3Endpoint: s.Endpoint, S3Region: s.Region, S3Bucket: bucket, S3ForcePathStyle: true}
}

// Env returns the environment variables that point the product at this server and bucket.
func (s *S3Server) Env(bucket string) map[string]string {
	return map[string]string{
		"BYTECHEF_S3_ENDPOINT": s.Endpoint, "BYTECHEF_S3_REGION": s.Region, "BYTECHEF_S3_BUCKET": bucket,
		"BYTECHEF_S3_FORCE_PATH_STYLE": "true", "AWS_ACCESS_KEY_ID": s.AccessKey, "AWS_SECRET_ACCESS_KEY": s.SecretKey,
	}
}

// Store returns a blob store for bucket on this server, with the server's credentials.
func (s *S3Server) Store(bucket string) (*blob.Store, error) {
	return blob.New(context.Background(), s.Config(bucket),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")))
}

// Bucket returns a blob store on a new, empty bucket of the shared gateway.
func Bucket(t testing.TB) *blob.Store {
	t.Helper()
	return SharedS3(t).Bucket(t)
}

// Bucket returns a blob store on a new, empty bucket of this server.
func (s *S3Server) Bucket(t testing.TB) *blob.Store {
	t.Helper()
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	store, err := s.Store("test-" + hex.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := store.EnsureBucket(context.Background()); err != nil {
		t.Fatalf("testenv: create bucket: %v", err)
	}
	return store
}

// TemporalServer is a running Temporal dev server.
type TemporalServer struct {
	Address   string
	UIAddress string
	Cmd       *exec.Cmd
	bin       string
	args      []string
}

var (
	tOnce   sync.Once
	tShared *TemporalServer
	tErr    error
)

// StartTemporal starts a dev server with the product's search attributes registered.
func StartTemporal(t testing.TB) *TemporalServer {
	t.Helper()
	bin := Binary(t, "temporal")
	dir, err := os.MkdirTemp("", "bytechef-temporal-*")
	if err != nil {
		t.Fatal(err)
	}
	addr, ui := FreeAddr(t), FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	_, uiPort, _ := net.SplitHostPort(ui)
	s := &TemporalServer{Address: addr, UIAddress: ui, bin: bin, args: []string{"server", "start-dev", "--ip", "127.0.0.1", "--port", port,
		"--ui-port", uiPort, "--headless", "--db-filename", filepath.Join(dir, "temporal.db"), "--log-level", "error",
		"--search-attribute", "ByteChefOrgId=Keyword", "--search-attribute", "ByteChefFeature=Keyword"}}
	t.Cleanup(func() { s.Crash(); _ = os.RemoveAll(dir) }) // before Start: also when it times out
	s.Start(t)
	return s
}

// Start starts the server (again, after Crash) and waits until it is healthy.
func (s *TemporalServer) Start(t testing.TB) {
	t.Helper()
	s.Cmd = Start(t, "temporal", s.bin, s.args...)
	if err := WaitTCP(s.Address, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: s.Address, Logger: quietLogger})
		if err == nil {
			_, err = c.CheckHealth(context.Background(), &client.CheckHealthRequest{})
			c.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: temporal dev server not healthy: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Crash kills the server with SIGKILL. Start brings it back on the same ports and database
// file, so its workflows, timers and schedules resume.
func (s *TemporalServer) Crash() {
	if s.Cmd == nil {
		return
	}
	_ = syscall.Kill(-s.Cmd.Process.Pid, syscall.SIGKILL)
	_ = s.Cmd.Wait()
	s.Cmd = nil
}

// Restart crashes the server, keeps it down for downtime, and starts it again.
func (s *TemporalServer) Restart(t testing.TB, downtime time.Duration) {
	t.Helper()
	s.Crash()
	time.Sleep(downtime)
	s.Start(t)
}

// SharedTemporal returns the dev server shared by the tests of this process.
func SharedTemporal(t testing.TB) *TemporalServer {
	t.Helper()
	tOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				tErr = fmt.Errorf("%v", r)
			}
		}()
		tShared = StartTemporal(nopT{t})
	})
	if tErr != nil {
		t.Fatal(tErr)
	}
	return tShared
}

// Client returns a client of the server, closed when the test ends.
func (s *TemporalServer) Client(t testing.TB) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{HostPort: s.Address, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

var quietLogger = sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))

// nopT lets shared servers outlive the test that started them: failures panic into the
// Once (reported to every caller) and cleanups are not tied to one test.
type nopT struct{ testing.TB }

func (n nopT) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (n nopT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (n nopT) Cleanup(func())                    {}
func (n nopT) Helper()                           {}
