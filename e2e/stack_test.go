// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

const adminKey = "e2e-instance-admin-key-0123456789abcdef"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the product once per test process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bytechef-e2e-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bytechef-ee")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/bytechef-ee").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// Stack is one running product process with its own database, bucket and task queue.
type Stack struct {
	URL       string
	DBURL     string
	Bucket    string
	TaskQueue string
	S3        *testenv.S3Server
	Temporal  *testenv.TemporalServer
	env       map[string]string
	cmd       *exec.Cmd
	logPath   string
	t         *testing.T
}

// StartStack runs `bytechef-ee serve` with every feature on; overrides replace env entries.
// It shares the Temporal dev server with the other tests of the process.
func StartStack(t *testing.T, overrides map[string]string) *Stack {
	t.Helper()
	return StartStackOn(t, overrides, testenv.SharedTemporal(t))
}

// PrivateTemporal starts a Temporal dev server for one test, for tests that assert on the
// installation-wide Schedules (every stack's worker reconciles them to its own task queue).
func PrivateTemporal(t *testing.T) *testenv.TemporalServer {
	t.Helper()
	return testenv.StartTemporal(t)
}

// StartStackOn is StartStack on the given Temporal server.
func StartStackOn(t *testing.T, overrides map[string]string, temporal *testenv.TemporalServer) *Stack {
	t.Helper()
	s := &Stack{t: t, S3: testenv.SharedS3(t), Temporal: temporal}
	s.DBURL = dbtest.URLFor(dbtest.NewDatabase(t))
	s.Bucket = "e2e-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	if len(s.Bucket) > 50 {
		s.Bucket = s.Bucket[:50]
	}
	s.Bucket = strings.TrimRight(s.Bucket, "-")
	store, err := s.S3.Store(s.Bucket)
	require.NoError(t, err)
	require.NoError(t, store.EnsureBucket(context.Background()))
	s.TaskQueue = "e2e-" + strings.ReplaceAll(t.Name(), "/", "-")
	addr := testenv.FreeAddr(t)
	s.URL = "http://" + addr
	s.env = map[string]string{
		"BYTECHEF_HTTP_ADDR":           addr,
		"BYTECHEF_PUBLIC_URL":          s.URL,
		"BYTECHEF_DATABASE_URL":        s.DBURL,
		"BYTECHEF_TEMPORAL_ADDRESS":    s.Temporal.Address,
		"BYTECHEF_TEMPORAL_TASK_QUEUE": s.TaskQueue,
		"BYTECHEF_ADMIN_API_KEY":       adminKey,
		"BYTECHEF_ENCRYPTION_KEYS":     "e2e1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"BYTECHEF_LOG_LEVEL":           "warn",
		"BYTECHEF_SHUTDOWN_TIMEOUT":    "5s",
		"BYTECHEF_SSO_IDP_EGRESS":      "any", // the test IdPs listen on localhost
	}
	for k, v := range s.S3.Env(s.Bucket) {
		s.env[k] = v
	}
	for _, f := range []string{"SSO", "SCIM", "AUDIT_LOGS", "APP_POLICIES", "AI_MODEL_CONTROL", "ANALYTICS", "ORGANIZATIONS", "WHITELABELING"} {
		s.env["BYTECHEF_"+f+"_ENABLED"] = "true"
	}
	for k, v := range overrides {
		s.env[k] = v
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

func (s *Stack) environ() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range s.env {
		env = append(env, k+"="+v)
	}
	return env
}

// Run runs a one-shot subcommand with the stack's environment.
func (s *Stack) Run(args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command(binary(s.t), args...)
	cmd.Env = s.environ()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// Start migrates and starts `serve`, waiting for /readyz.
func (s *Stack) Start() {
	t := s.t
	t.Helper()
	if _, errOut, code := s.Run("migrate", "up"); code != 0 {
		t.Fatalf("migrate up: %s", errOut)
	}
	logf, err := os.CreateTemp("", "bytechef-e2e-serve-*.log")
	require.NoError(t, err)
	s.logPath = logf.Name()
	s.cmd = exec.Command(binary(t), "serve")
	s.cmd.Env = s.environ()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, s.cmd.Start())
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(s.URL + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(s.logPath)
			t.Fatalf("bytechef-ee did not become ready; log:\n%s", logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop ends the process gracefully.
func (s *Stack) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Kill ends the process at once, as a crash would.
func (s *Stack) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Bootstrap creates an org with the CLI and returns its id and admin key.
func (s *Stack) Bootstrap(slug string) (orgID, key string) {
	out, errOut, code := s.Run("bootstrap", "--org-name", "Org "+slug, "--org-slug", slug, "--admin-email", "admin@"+slug+".example", "--json")
	require.Equal(s.t, 0, code, errOut)
	var b struct {
		OrgID   string `json:"org_id"`
		OrgSlug string `json:"org_slug"`
		APIKey  string `json:"api_key"`
	}
	require.NoError(s.t, json.Unmarshal([]byte(out), &b), out)
	require.Equal(s.t, slug, b.OrgSlug)
	return b.OrgID, b.APIKey
}

// Response is an HTTP answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object.
func (r Response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// Do sends a request with a bearer token; body is JSON-encoded unless it is a string.
func (s *Stack) Do(method, path, token string, body any, headers ...string) Response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(s.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	require.NoError(s.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(s.t, err)
	require.NotEqual(s.t, http.StatusInternalServerError, res.StatusCode, "%s %s: %s", method, path, b)
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}
