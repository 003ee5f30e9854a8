// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/policyclient"
)

// TestPolicyDecisionsSurvivePostgresCrash keeps clients asking for decisions while Postgres
// crashes (immediate shutdown) and comes back: every call that was allowed has its committed
// record (no tool call runs without a recorded decision), calls while the database is down
// are refused rather than allowed unrecorded, and decisions resume afterwards.
func TestPolicyDecisionsSurvivePostgresCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Postgres cluster")
	}
	t.Parallel()
	pg := dbtest.StartServer(t)
	ctx := context.Background()
	pool := pg.Pool(t)
	h := newHarnessOn(t, pool, nil, policyRoutes)
	f := h.policyFixture("crash")
	srv := httptest.NewServer(h.engine)
	defer srv.Close()
	client := policyclient.New(srv.URL, f.evalKey)

	var mu sync.Mutex
	var allowed []string
	refused := 0
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				id := uuid.NewString()
				d := client.Evaluate(ctx, policyclient.Call{Phase: policyclient.PreExecution, UserID: f.userID, WorkspaceID: f.workspaceID,
					ServerID: "github", ToolName: "createIssue", Args: map[string]any{"repo": "site"}, CorrelationID: id})
				mu.Lock()
				if d.Allowed() {
					allowed = append(allowed, id)
				} else {
					refused++
				}
				mu.Unlock()
			}
		}()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(allowed) }
	require.Eventually(t, func() bool { return count() > 200 }, 30*time.Second, 10*time.Millisecond)
	pg.Restart(2 * time.Second)
	after := count()
	require.Eventually(t, func() bool { return count() > after+200 }, 60*time.Second, 10*time.Millisecond, "decisions resume")
	close(stop)
	wg.Wait()

	require.Positive(t, refused, "calls while the database was down were refused")
	var recorded int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM policy_tool_call WHERE org_id = $1 AND correlation_id = ANY($2::uuid[]) AND decision = 'ALLOW'",
		f.orgID, allowed).Scan(&recorded))
	require.Equal(t, len(allowed), recorded, "every allowed call has its record")
}
