// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package export owns organization data exports (SPEC §4.3): requests and their lifecycle,
// the CSV format of each export type, and the streaming writer that turns a consistent
// snapshot of Postgres rows into one multipart S3 object with bounded memory. Temporal runs
// the writer (activities/export.go); this package knows nothing of workers.
package export

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Type is what an export contains.
type Type string

// The export types.
const (
	Executions      Type = "EXECUTIONS"
	WorkflowConfigs Type = "WORKFLOW_CONFIGS"
	Usage           Type = "USAGE"
	AuditLogs       Type = "AUDIT_LOGS"
)

// Types lists the export types.
var Types = []Type{Executions, WorkflowConfigs, Usage, AuditLogs}

// Status is where an export is in its lifecycle.
type Status string

// The export states.
const (
	Requested  Status = "REQUESTED"
	InProgress Status = "IN_PROGRESS"
	Completed  Status = "COMPLETED"
	Failed     Status = "FAILED"
	Cancelled  Status = "CANCELLED"
)

// Limits of a request. The range is bounded so one export stays a few hours of work at most;
// longer histories are exported as several ranges.
const (
	MaxRange        = 400 * 24 * time.Hour
	MaxWorkspaceIDs = 100
	// DefaultURLTTL is how long a download URL minted by GET stays valid unless asked otherwise.
	DefaultURLTTL = 15 * time.Minute
)

// Export is one export request and its outcome.
type Export struct {
	ID            uuid.UUID
	OrgID         uuid.UUID
	Type          Type
	Status        Status
	From, To      time.Time
	WorkspaceIDs  []uuid.UUID
	ObjectKey     string
	RowsWritten   int64
	RowsEstimated *int64
	RowCount      *int64
	SizeBytes     *int64
	SHA256        *string
	Error         *string
	CreatedAt     time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	FileDeletedAt *time.Time
}

// Running reports whether the export has not reached a final state.
func (e Export) Running() bool { return e.Status == Requested || e.Status == InProgress }

// RequestInput is an admin's export request as received.
type RequestInput struct {
	Type         string
	From, To     string
	WorkspaceIDs []string
	RequestedBy  string
}

// Download is a presigned URL for an export's file.
type Download struct {
	URL       string
	ExpiresAt time.Time
}

// Starter starts and cancels the export workflow. The Temporal-backed implementation lives
// with the workflows (workflows.ExportStarter); the service only needs these two calls.
type Starter interface {
	// StartExport starts the workflow; starting an export that already runs or ran is not an error.
	StartExport(ctx context.Context, orgID, exportID uuid.UUID) error
	// CancelExport requests cancellation; ErrNoWorkflow when no such workflow is running.
	CancelExport(ctx context.Context, orgID, exportID uuid.UUID) error
}

// File is what a finished write produced: only keys and counts, as Temporal carries it.
type File struct {
	Key       string
	Rows      int64
	SizeBytes int64
	SHA256    string
}

// Checkpoint is the writer's resumable state, recorded (as activity heartbeat details) after
// every part S3 has acknowledged. A retried write continues from it: the parts before it stay,
// the rows after its keyset position are read again from the same snapshot.
type Checkpoint struct {
	UploadID string
	Parts    int32
	Rows     int64
	Bytes    int64
	// Keyset position of the last row in the uploaded parts.
	AfterTime    time.Time
	AfterID      string
	AfterVersion int32
	// Hash is the marshalled sha256 state over the bytes of the uploaded parts.
	Hash []byte
	// Completing is set just before CompleteMultipartUpload; SHA256 is then final.
	Completing bool
	SHA256     string
}

// ObjectKey is where an export's file lives in the bucket.
func ObjectKey(orgID, exportID uuid.UUID) string {
	return "exports/" + orgID.String() + "/" + exportID.String() + ".csv"
}
