// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"context"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
)

// WorkflowName is the registered name of OrgExportWorkflow (workflows.WorkflowOrgExport; a
// test there keeps the two equal). This package may use the Temporal client, not workflow code.
const WorkflowName = "OrgExportWorkflow"

// Feature is the ByteChefFeature search attribute of export workflows: exports belong to the
// AUDIT_LOGS toggle (SPEC §8.2).
const Feature = "AUDIT_LOGS"

// WorkflowInput is the workflow's input as sent by the starter (workflows.OrgExportInput has
// the same shape): only ids; the workflow reads everything else from Postgres.
type WorkflowInput struct {
	OrgID    string
	ExportID string
}

// WorkflowID is the business-key workflow id of an export (SPEC §9).
func WorkflowID(orgID, exportID uuid.UUID) string {
	return "export/" + orgID.String() + "/" + exportID.String()
}

// TemporalStarter starts and cancels export workflows on a Temporal task queue.
type TemporalStarter struct {
	Client    client.Client
	TaskQueue string
}

// StartExport starts the workflow. The id reuse policy rejects a second run of the same id,
// so a duplicate start (a retried request, a second replica) never exports twice; it is
// reported as success because the export is running or ran.
func (s TemporalStarter) StartExport(ctx context.Context, orgID, exportID uuid.UUID) error {
	_, err := s.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       WorkflowID(orgID, exportID),
		TaskQueue:                                s.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		WorkflowExecutionTimeout:                 48 * time.Hour,
		TypedSearchAttributes:                    temporalx.SearchAttributes(Feature, orgID.String()),
		Memo:                                     map[string]any{"summary": fmt.Sprintf("Data export %s of organization %s", exportID, orgID)},
	}, WorkflowName, WorkflowInput{OrgID: orgID.String(), ExportID: exportID.String()})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}

// CancelExport requests cancellation of the export's workflow.
func (s TemporalStarter) CancelExport(ctx context.Context, orgID, exportID uuid.UUID) error {
	err := s.Client.CancelWorkflow(ctx, WorkflowID(orgID, exportID), "")
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return ErrNoWorkflow
	}
	return err
}
