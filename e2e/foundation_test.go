// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// TestFoundation drives a fresh install: migrations, bootstrap, the API over HTTP, the worker
// polling its task queue, the Schedules reconciled idempotently, and a scheduled workflow run
// to completion on the real Temporal server.
func TestFoundation(t *testing.T) {
	t.Parallel()
	// A private Temporal server: the Schedules are installation-wide, and other tests' workers
	// would reconcile them to their own task queues.
	s := StartStackOn(t, nil, PrivateTemporal(t))
	ctx := context.Background()

	// Bootstrap prints one JSON object with an admin key that works at once.
	orgID, key := s.Bootstrap("acme")
	res := s.Do("GET", "/api/v1/org", key, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	require.Equal(t, orgID, res.JSON(t)["id"])
	require.NotEmpty(t, res.Header.Get("X-Request-Id"))

	// A bootstrap with a taken slug fails clearly, without a stack trace.
	_, errOut, code := s.Run("bootstrap", "--org-name", "Again", "--org-slug", "acme", "--admin-email", "x@y.z", "--json")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "slug already exists")

	// Keys created over HTTP: shown once, scoped, revocable.
	created := s.Do("POST", "/api/v1/api-keys", key, map[string]any{"name": "ci", "scopes": []string{"audit:read"}})
	require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
	secret := created.JSON(t)["secret"].(string)
	require.Equal(t, http.StatusForbidden, s.Do("GET", "/api/v1/api-keys", secret, nil).Status)
	require.Equal(t, http.StatusNoContent, s.Do("DELETE", "/api/v1/api-keys/"+created.JSON(t)["id"].(string), key, nil).Status)
	require.Equal(t, http.StatusUnauthorized, s.Do("GET", "/api/v1/org", secret, nil).Status)

	// Readiness reports every dependency.
	ready := s.Do("GET", "/readyz", "", nil).JSON(t)
	require.Equal(t, map[string]any{"postgres": "ok", "temporal": "ok", "s3": "ok"}, ready["checks"])

	// The worker polls its task queue (what the Temporal UI shows).
	tc := s.Temporal.Client(t)
	require.Eventually(t, func() bool {
		d, err := tc.DescribeTaskQueue(ctx, s.TaskQueue, enumspb.TASK_QUEUE_TYPE_WORKFLOW)
		return err == nil && len(d.GetPollers()) > 0
	}, 30*time.Second, 200*time.Millisecond)

	// `schedules sync` is idempotent: running it again changes nothing and succeeds.
	for range 2 {
		_, errOut, code := s.Run("schedules", "sync")
		require.Equal(t, 0, code, errOut)
	}
	h := tc.ScheduleClient().GetHandle(ctx, "maintenance-daily")
	desc, err := h.Describe(ctx)
	require.NoError(t, err)
	action := desc.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.Equal(t, s.TaskQueue, action.TaskQueue)

	// Trigger it and wait for the run to complete on this stack's worker.
	require.NoError(t, h.Trigger(ctx, client.ScheduleTriggerOptions{}))
	require.Eventually(t, func() bool {
		list, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = 'MaintenanceWorkflow' AND ExecutionStatus = 'Completed' AND TaskQueue = '" + s.TaskQueue + "'",
		})
		return err == nil && len(list.GetExecutions()) > 0
	}, 60*time.Second, 500*time.Millisecond)

	// Migrations report nothing pending.
	out, _, code := s.Run("migrate", "status")
	require.Equal(t, 0, code, out)
	require.NotContains(t, out, "pending")
}

// TestConfigErrors checks that bad configuration stops the process with one line naming the variable.
func TestConfigErrors(t *testing.T) {
	t.Parallel()
	s := &Stack{t: t, env: map[string]string{}}
	cases := map[string]string{
		"BYTECHEF_HTTP_ADDR":           "not-an-address",
		"BYTECHEF_ADMIN_API_KEY":       "short",
		"BYTECHEF_SSO_ENABLED":         "maybe",
		"BYTECHEF_ENCRYPTION_KEYS":     "k1:notbase64!!",
		"BYTECHEF_DATABASE_URL":        "mysql://x",
		"BYTECHEF_REGION":              "US East",
		"BYTECHEF_TEMPORAL_ADDRESS":    ":7233",
		"BYTECHEF_S3_BUCKET":           "Bad_Bucket",
		"BYTECHEF_LOG_LEVEL":           "loud",
		"BYTECHEF_HTTP_BODY_LIMIT":     "-1",
		"BYTECHEF_REGION_URLS":         "eu=notaurl",
		"BYTECHEF_SHUTDOWN_TIMEOUT":    "soon",
		"BYTECHEF_PUBLIC_URL":          "ftp://x",
		"BYTECHEF_S3_FORCE_PATH_STYLE": "yes please",
	}
	for name, val := range cases {
		s.env = map[string]string{name: val}
		_, errOut, code := s.Run("serve")
		require.Equal(t, 2, code, "%s=%s: %s", name, val, errOut)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		require.Len(t, lines, 1, "%s: %s", name, errOut)
		require.Contains(t, lines[0], name)
		if name == "BYTECHEF_ENCRYPTION_KEYS" || name == "BYTECHEF_ADMIN_API_KEY" {
			require.NotContains(t, lines[0], val, "a secret was echoed")
		}
	}
}
