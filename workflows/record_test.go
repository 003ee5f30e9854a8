// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// recordHistory runs a workflow to completion on a real Temporal dev server with real
// activities and writes its history to testdata/<file> for the replay tests.
func recordHistory(t *testing.T, c client.Client, taskQueue, file, workflowID string, wf string, args ...any) {
	t.Helper()
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflowID, TaskQueue: taskQueue, WorkflowExecutionTimeout: time.Minute}, wf, args...)
	require.NoError(t, err)
	require.NoError(t, run.Get(ctx, nil))
	hist := &historypb.History{}
	it := c.GetWorkflowHistory(ctx, workflowID, run.GetRunID(), false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o644))
}

// TestRecordHistories refreshes testdata/ when RECORD_HISTORIES=1 (after an intentional,
// versioned workflow change). It is skipped in normal runs.
func TestRecordHistories(t *testing.T) {
	if os.Getenv("RECORD_HISTORIES") == "" {
		t.Skip("set RECORD_HISTORIES=1 to re-record workflow histories")
	}
	ts := testenv.SharedTemporal(t)
	c := ts.Client(t)
	pool := dbtest.New(t)
	queue := "record-histories"
	w := worker.New(c, queue, worker.Options{})
	Register(w, Activities{Maintenance: &activities.Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)}})
	require.NoError(t, w.Start())
	defer w.Stop()
	recordHistory(t, c, queue, "testdata/maintenance.json", "maintenance-record", WorkflowMaintenance, MaintenanceInput{})
}
