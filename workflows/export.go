// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
)

// OrgExportInput names the export to run; everything else is read from Postgres by the
// activities (no bulk data through Temporal). Its shape matches export.WorkflowInput.
type OrgExportInput struct {
	OrgID    string
	ExportID string
}

// OrgExportResult is the outcome: the final status and the file's counts.
type OrgExportResult struct {
	Status    string
	Rows      int64
	SizeBytes int64
	SHA256    string
}

// ExportHeartbeatTimeout bounds how long a dead worker holds an export before another attempt
// resumes it. The writer heartbeats after every part (a few seconds apart at most).
var ExportHeartbeatTimeout = time.Minute

// OrgExportWorkflow runs one organization data export (SPEC §4.3): mark it started, stream the
// rows into a multipart S3 upload (resumable from heartbeat checkpoints), then record the
// file. A failure or cancellation ends the export visibly and aborts its unfinished upload.
func OrgExportWorkflow(ctx workflow.Context, in OrgExportInput) (OrgExportResult, error) {
	ref := activities.ExportRef{OrgID: in.OrgID, ExportID: in.ExportID}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 20,
		},
	})
	if err := workflow.ExecuteActivity(short, ActivityExportBegin, ref).Get(ctx, nil); err != nil {
		if ctx.Err() != nil {
			return endExport(ctx, ref, true, "cancelled by request", err)
		}
		return endExport(ctx, ref, false, failureReason(err), err)
	}

	write := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 24 * time.Hour,
		HeartbeatTimeout:    ExportHeartbeatTimeout,
		WaitForCancellation: true,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute, MaximumAttempts: 10,
		},
	})
	var f activities.ExportFile
	if err := workflow.ExecuteActivity(write, ActivityExportWrite, ref).Get(ctx, &f); err != nil {
		if ctx.Err() != nil || temporal.IsCanceledError(err) {
			return endExport(ctx, ref, true, "cancelled by request", err)
		}
		return endExport(ctx, ref, false, failureReason(err), err)
	}
	if err := workflow.ExecuteActivity(short, ActivityExportComplete, ref, f).Get(ctx, nil); err != nil {
		if ctx.Err() != nil {
			return endExport(ctx, ref, true, "cancelled by request", err)
		}
		return endExport(ctx, ref, false, failureReason(err), err)
	}
	return OrgExportResult{Status: "COMPLETED", Rows: f.Rows, SizeBytes: f.SizeBytes, SHA256: f.SHA256}, nil
}

// endExport records a failed or cancelled export. It runs on a disconnected context so the
// cleanup happens even when the workflow itself is being cancelled.
func endExport(ctx workflow.Context, ref activities.ExportRef, cancelled bool, reason string, cause error) (OrgExportResult, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 30,
		},
	})
	status := "FAILED"
	if cancelled {
		status = "CANCELLED"
	}
	if err := workflow.ExecuteActivity(dctx, ActivityExportEnd, ref, activities.ExportEnd{Cancelled: cancelled, Reason: reason}).Get(dctx, nil); err != nil {
		return OrgExportResult{Status: status}, err
	}
	return OrgExportResult{Status: status}, cause
}

// failureReason is the message shown in the export's error field: a domain error's own text,
// otherwise a generic line (infrastructure errors may name internal hosts).
func failureReason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.NonRetryable() && app.Type() != "" {
		return app.Error()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "the export timed out; the workflow history has the details"
	}
	return "the export failed after repeated attempts; the workflow history has the details"
}
