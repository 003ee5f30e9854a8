// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/export"
)

// Export holds the organization data export activities.
type Export struct {
	Service *export.Service
	Writer  *export.Writer
}

// ExportRef names an export; it is all the workflow passes around.
type ExportRef struct {
	OrgID    string
	ExportID string
}

// ExportFile is the written file: its key and counts, never its data.
type ExportFile struct {
	Key       string
	Rows      int64
	SizeBytes int64
	SHA256    string
}

// ExportEnd is how an export ended when it did not complete.
type ExportEnd struct {
	Cancelled bool
	Reason    string
}

func (r ExportRef) ids() (uuid.UUID, uuid.UUID, error) {
	org, err := uuid.Parse(r.OrgID)
	if err != nil {
		return uuid.Nil, uuid.Nil, temporal.NewNonRetryableApplicationError("bad org id", "validation_failed", err)
	}
	id, err := uuid.Parse(r.ExportID)
	if err != nil {
		return uuid.Nil, uuid.Nil, temporal.NewNonRetryableApplicationError("bad export id", "validation_failed", err)
	}
	return org, id, nil
}

// BeginExport marks the export IN_PROGRESS. Idempotent.
func (a *Export) BeginExport(ctx context.Context, ref ExportRef) error {
	org, id, err := ref.ids()
	if err != nil {
		return err
	}
	_, err = a.Service.Begin(ctx, org, id)
	return classify(err)
}

// WriteExport streams the export into S3. It heartbeats a checkpoint after every uploaded
// part; a retried attempt resumes from the last checkpoint the server recorded.
func (a *Export) WriteExport(ctx context.Context, ref ExportRef) (ExportFile, error) {
	org, id, err := ref.ids()
	if err != nil {
		return ExportFile{}, err
	}
	var resume *export.Checkpoint
	if activity.HasHeartbeatDetails(ctx) {
		var cp export.Checkpoint
		if err := activity.GetHeartbeatDetails(ctx, &cp); err == nil {
			resume = &cp
		} else {
			activity.GetLogger(ctx).Warn("ignoring unreadable export checkpoint; restarting the upload", "error", err)
		}
	}
	f, err := a.Writer.Write(ctx, org, id, resume, func(cp export.Checkpoint) error {
		activity.RecordHeartbeat(ctx, cp)
		return ctx.Err()
	})
	if err != nil {
		return ExportFile{}, classify(err)
	}
	return ExportFile{Key: f.Key, Rows: f.Rows, SizeBytes: f.SizeBytes, SHA256: f.SHA256}, nil
}

// CompleteExport records the finished file (status, counts, audit event). Idempotent.
func (a *Export) CompleteExport(ctx context.Context, ref ExportRef, f ExportFile) error {
	org, id, err := ref.ids()
	if err != nil {
		return err
	}
	return classify(a.Service.Complete(ctx, org, id, export.File{Key: f.Key, Rows: f.Rows, SizeBytes: f.SizeBytes, SHA256: f.SHA256}))
}

// EndExport ends an export as FAILED or CANCELLED, aborting unfinished uploads. Idempotent.
func (a *Export) EndExport(ctx context.Context, ref ExportRef, end ExportEnd) error {
	org, id, err := ref.ids()
	if err != nil {
		return err
	}
	status := export.Failed
	if end.Cancelled {
		status = export.Cancelled
	}
	return classify(a.Service.Fail(ctx, org, id, status, end.Reason))
}
