// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

type noWorkflow struct{}

func (noWorkflow) StartExport(context.Context, uuid.UUID, uuid.UUID) error { return nil }
func (noWorkflow) CancelExport(context.Context, uuid.UUID, uuid.UUID) error {
	return export.ErrNoWorkflow
}

// TestExportActivities runs the export activities in the activity test environment over real
// Postgres and S3: a write that starts from heartbeat details of a completed upload returns
// the recorded file without writing again; a finished export refuses to begin again
// (non-retryable); ending twice is a no-op.
func TestExportActivities(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	store := testenv.Bucket(t)
	org, err := identity.NewService(pool, config.Config{Region: "us"}).CreateOrg(ctx, identity.CreateOrgInput{Name: "A", Slug: "a"})
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `INSERT INTO execution_event (org_id, execution_id, workflow_id, status, started_at)
		SELECT $1, 'e' || i, 'w', 'COMPLETED', timestamptz '2026-02-01' + i * interval '1 minute' FROM generate_series(1, 50) AS i`, org.ID)
	require.NoError(t, err)
	svc := export.NewService(pool, store, noWorkflow{}, nil, nil)
	x, err := svc.Request(ctx, org.ID, export.RequestInput{Type: "EXECUTIONS", From: "2026-01-01T00:00:00Z", To: "2026-03-01T00:00:00Z"})
	require.NoError(t, err)
	var checkpoints []export.Checkpoint
	a := &Export{Service: svc, Writer: &export.Writer{DB: pool, Blob: store}}
	ref := ExportRef{OrgID: org.ID.String(), ExportID: x.ID.String()}

	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err = env.ExecuteActivity(a.BeginExport, ref)
	require.NoError(t, err)
	val, err := env.ExecuteActivity(a.WriteExport, ref)
	require.NoError(t, err)
	var f ExportFile
	require.NoError(t, val.Get(&f))
	require.EqualValues(t, 50, f.Rows)

	// A retry whose heartbeat says the upload was being completed returns the same file.
	w := &export.Writer{DB: pool, Blob: store}
	x2, err := svc.Request(ctx, org.ID, export.RequestInput{Type: "EXECUTIONS", From: "2026-01-01T00:00:00Z", To: "2026-03-01T00:00:00Z"})
	require.NoError(t, err)
	_, err = svc.Begin(ctx, org.ID, x2.ID)
	require.NoError(t, err)
	_, err = w.Write(ctx, org.ID, x2.ID, nil, func(cp export.Checkpoint) error { checkpoints = append(checkpoints, cp); return nil })
	require.NoError(t, err)
	env2 := s.NewTestActivityEnvironment()
	env2.RegisterActivity(a)
	env2.SetHeartbeatDetails(checkpoints[len(checkpoints)-1])
	ref2 := ExportRef{OrgID: org.ID.String(), ExportID: x2.ID.String()}
	val, err = env2.ExecuteActivity(a.WriteExport, ref2)
	require.NoError(t, err)
	var f2 ExportFile
	require.NoError(t, val.Get(&f2))
	require.Equal(t, f.Rows, f2.Rows)
	require.Equal(t, f.SHA256, f2.SHA256)

	_, err = env.ExecuteActivity(a.CompleteExport, ref, f)
	require.NoError(t, err)
	_, err = env.ExecuteActivity(a.CompleteExport, ref, f)
	require.NoError(t, err)
	_, err = env.ExecuteActivity(a.BeginExport, ref)
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	require.True(t, app.NonRetryable(), "%v", err)
	_, err = env.ExecuteActivity(a.EndExport, ExportRef{OrgID: org.ID.String(), ExportID: x2.ID.String()}, ExportEnd{Reason: "boom"})
	require.NoError(t, err)
	_, err = env.ExecuteActivity(a.EndExport, ExportRef{OrgID: org.ID.String(), ExportID: x2.ID.String()}, ExportEnd{Reason: "boom"})
	require.NoError(t, err)
	got, err := svc.Get(ctx, org.ID, x2.ID)
	require.NoError(t, err)
	require.Equal(t, export.Failed, got.Status)
	// Malformed ids are permanent failures.
	_, err = env.ExecuteActivity(a.BeginExport, ExportRef{OrgID: "x", ExportID: "y"})
	require.ErrorAs(t, err, &app)
	require.True(t, app.NonRetryable())
}
