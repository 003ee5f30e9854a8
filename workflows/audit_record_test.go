// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// TestAuditRetentionReplay replays the recorded AuditRetentionWorkflow history against
// today's code.
func TestAuditRetentionReplay(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	RegisterWorkflows(replayer, Activities{Maintenance: &activities.Maintenance{}, AuditRetention: &activities.AuditRetention{}})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/audit_retention.json"))
}

// TestRecordAuditRetentionHistory runs AuditRetentionWorkflow on the real dev server with
// real activities (Postgres, S3) and refreshes testdata/audit_retention.json when
// RECORD_HISTORIES=1.
func TestRecordAuditRetentionHistory(t *testing.T) {
	if os.Getenv("RECORD_HISTORIES") == "" {
		t.Skip("set RECORD_HISTORIES=1 to re-record workflow histories")
	}
	c := testenv.SharedTemporal(t).Client(t)
	pool := dbtest.New(t)
	svc := audit.NewService(pool, testenv.Bucket(t), nil, nil)
	ctx := context.Background()
	org := uuid.New()
	_, err := pool.Exec(ctx, "INSERT INTO organization (id, slug, name, region) VALUES ($1, 'acme', 'Acme', 'us')", org)
	require.NoError(t, err)
	_, err = svc.Ingest(ctx, org, []audit.IngestItem{{ID: uuid.NewString(), OccurredAt: time.Now().AddDate(0, 0, -10).Format(time.RFC3339),
		EventType: "workflow.executed", Category: "WORKFLOWS", ActionData: json.RawMessage(`{}`)}})
	require.NoError(t, err)
	_, err = svc.PutPolicy(ctx, org, 5, 365, nil)
	require.NoError(t, err)
	queue := "record-audit-retention"
	w := worker.New(c, queue, worker.Options{})
	Register(w, Activities{Maintenance: &activities.Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)},
		AuditRetention: &activities.AuditRetention{Audit: svc, Region: "us"}})
	require.NoError(t, w.Start())
	defer w.Stop()
	recordHistory(t, c, queue, "testdata/audit_retention.json", "audit-retention/record-"+uuid.NewString()[:8], WorkflowAuditRetention, AuditRetentionInput{})
}
