// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/policy"
	"github.com/bytechefhq/bytechef-ee/policyclient"
)

// TestPolicyHTTPLoad drives POST /api/v1/policy/evaluate over loopback HTTP with keep-alive
// clients (the policyclient package), against the production engine and a real database.
// By default it is a short smoke run; BYTECHEF_POLICY_LOAD=<seconds> runs the SPEC §10
// measurement (1,000 rules, 10 applicable) and prints decisions/s and latency percentiles.
// It is bounded: at most 120 s and 64 connections, on 127.0.0.1 only.
func TestPolicyHTTPLoad(t *testing.T) {
	t.Parallel()
	duration, rules, workers := 300*time.Millisecond, 50, 4
	full := false
	if s := os.Getenv("BYTECHEF_POLICY_LOAD"); s != "" {
		secs, err := strconv.Atoi(s)
		require.NoError(t, err)
		duration, rules, workers, full = time.Duration(min(max(secs, 1), 120))*time.Second, 1000, 32, true
		if w, err := strconv.Atoi(os.Getenv("BYTECHEF_POLICY_LOAD_WORKERS")); err == nil {
			workers = min(max(w, 1), 64)
		}
	}
	var svc *policy.Service
	h := newHarness(t, map[string]string{"BYTECHEF_HTTP_BODY_LIMIT": "1048576"}, func(h *harness) []Routes {
		svc = newPolicyService(h.t, h)
		return []Routes{PolicyRoutes{Policy: svc}}
	})
	f := h.policyFixture("load")
	ctx := context.Background()
	orgID := uuid.MustParse(f.orgID)
	for i := range rules {
		in := policy.RuleInput{Name: fmt.Sprintf("r%d", i), Phase: policy.PreExecution, Action: policy.ActionBlock,
			Target: policy.Target{Type: policy.TargetOrganization}, Priority: int32(i % 7),
			Scope: policy.Scope{ServerID: fmt.Sprintf("srv-%d", i)}, Condition: fmt.Sprintf(`args.repo == "secret-%d"`, i)}
		if i < 10 {
			in.Scope.ServerID = "github"
		}
		if i == 0 {
			in.Action, in.Tags, in.Condition = policy.ActionTag, []string{"public-repo"}, `args.repo.startsWith("pub")`
		}
		_, err := svc.CreateRule(ctx, orgID, in)
		require.NoError(t, err)
	}

	srv := httptest.NewServer(h.engine) // 127.0.0.1, real TCP
	defer srv.Close()
	client := policyclient.New(srv.URL, f.evalKey)
	call := policyclient.Call{Phase: policyclient.PreExecution, UserID: f.userID, WorkspaceID: f.workspaceID,
		ServerID: "github", ToolName: "createIssue", Args: map[string]any{"repo": "public-site", "labels": []string{"dev"}}}
	d := client.Evaluate(ctx, call)
	require.True(t, d.Allowed(), "%+v", d)
	require.Equal(t, []string{"public-repo"}, d.Tags)
	// The measured call is the common case: ALLOW without tags (every applicable rule is
	// evaluated; the decision is recorded, and no audit event is due).
	call.Args = map[string]any{"repo": "internal-tools", "labels": []string{"dev"}}

	var (
		mu     sync.Mutex
		lat    []time.Duration
		errs   atomic.Int64
		wg     sync.WaitGroup
		stopAt = time.Now().Add(duration)
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for time.Now().Before(stopAt) {
				t0 := time.Now()
				d := client.Evaluate(ctx, call)
				local = append(local, time.Since(t0))
				if !d.Allowed() {
					errs.Add(1)
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	require.Zero(t, errs.Load(), "decisions that were not ALLOW")
	slices.Sort(lat)
	pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	var recorded int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM policy_tool_call WHERE org_id = $1`, f.orgID).Scan(&recorded))
	require.Equal(t, len(lat)+1, recorded, "every answered decision is recorded")
	if full {
		fmt.Printf("policy HTTP load: %d CPUs, %d keep-alive workers, %s, %d rules (10 applicable)\n", runtime.NumCPU(), workers, elapsed.Round(time.Millisecond), rules)
		fmt.Printf("| decisions | decisions/s | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|\n")
		fmt.Printf("| %d | %.0f | %s | %s | %s | %s |\n", len(lat), float64(len(lat))/elapsed.Seconds(), pct(.5), pct(.9), pct(.99), lat[len(lat)-1])
	}
}
