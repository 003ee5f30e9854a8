// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package directory

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
)

// SyncInterval is how often an org's directory is pulled.
const SyncInterval = 15 * time.Minute

// TemporalScheduler keeps per-org Temporal Schedules and starts manual runs. This package
// uses the Temporal client only, never workflow code.
type TemporalScheduler struct {
	Client    client.Client
	TaskQueue string
}

func (t TemporalScheduler) action(orgID uuid.UUID) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		// Temporal appends the scheduled time, so each run's id is dirsync/{org}/scheduled-<time>.
		ID:                       WorkflowID(orgID, "scheduled"),
		Workflow:                 WorkflowName,
		Args:                     []any{WorkflowInput{OrgID: orgID.String(), Trigger: "SCHEDULE"}},
		TaskQueue:                t.TaskQueue,
		WorkflowExecutionTimeout: 6 * time.Hour,
		TypedSearchAttributes:    temporalx.SearchAttributes(Feature, orgID.String()),
		Memo:                     map[string]any{"summary": "Scheduled directory sync of org " + orgID.String()},
	}
}

// EnsureSchedule creates the org's schedule (every 15 minutes, overlap SKIP, catch-up one
// interval) or updates it to that declaration. Idempotent.
func (t TemporalScheduler) EnsureSchedule(ctx context.Context, orgID uuid.UUID) error {
	spec := client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: SyncInterval}}}
	sc := t.Client.ScheduleClient()
	_, err := sc.Create(ctx, client.ScheduleOptions{ID: ScheduleID(orgID), Spec: spec, Action: t.action(orgID),
		Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, CatchupWindow: SyncInterval,
		Memo: map[string]any{"summary": "Directory sync every 15 minutes"}})
	if err == nil || !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return err
	}
	return sc.GetHandle(ctx, ScheduleID(orgID)).Update(ctx, client.ScheduleUpdateOptions{
		DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
			s := in.Description.Schedule
			s.Spec = &spec
			s.Action = t.action(orgID)
			if s.Policy == nil {
				s.Policy = &client.SchedulePolicies{}
			}
			s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
			s.Policy.CatchupWindow = SyncInterval
			return &client.ScheduleUpdate{Schedule: &s}, nil
		}})
}

// RemoveSchedule deletes the org's schedule; a missing one is fine.
func (t TemporalScheduler) RemoveSchedule(ctx context.Context, orgID uuid.UUID) error {
	err := t.Client.ScheduleClient().GetHandle(ctx, ScheduleID(orgID)).Delete(ctx)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// StartRun starts a manual run under its business-key id.
func (t TemporalScheduler) StartRun(ctx context.Context, orgID, runID uuid.UUID, dryRun bool) error {
	_, err := t.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       WorkflowID(orgID, runID.String()),
		TaskQueue:                t.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowExecutionTimeout: 6 * time.Hour,
		TypedSearchAttributes:    temporalx.SearchAttributes(Feature, orgID.String()),
		Memo:                     map[string]any{"summary": "Manual directory sync"},
	}, WorkflowName, WorkflowInput{OrgID: orgID.String(), RunID: runID.String(), DryRun: dryRun, Trigger: "MANUAL"})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	return err
}
