// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
)

// Directory sync names (SPEC §3.5).
const (
	WorkflowDirectorySync     = "DirectorySyncWorkflow"
	WorkflowSCIMPurge         = "SCIMDeprovisionPurgeWorkflow"
	ActivityDirectoryBegin    = "DirectoryBeginSync"
	ActivityDirectoryFetch    = "DirectoryFetch"
	ActivityDirectoryApply    = "DirectoryApply"
	ActivityDirectoryFinish   = "DirectoryFinishSync"
	ActivitySCIMPurge         = "SCIMPurgeDeprovisioned"
	FeatureSCIM               = "SCIM"
	directoryCallsPerRun      = 50
	directoryHeartbeatTimeout = 2 * time.Minute
)

// DirectoryHeartbeatTimeout bounds how long a dead worker holds a fetch or apply call
// before another worker resumes it from the last heartbeat (tests shorten it).
var DirectoryHeartbeatTimeout = directoryHeartbeatTimeout

// DirectorySyncInput starts (or, after continue-as-new, resumes) a sync run. The first four
// fields are what the API and the schedule send (directory.WorkflowInput); the rest is the
// position carried across continue-as-new — positions only, never directory data.
type DirectorySyncInput struct {
	OrgID   string
	RunID   string
	DryRun  bool
	Trigger string

	Stage string // "" or "fetch", then "apply"
	Fetch activities.DirectoryFetchState
	Apply activities.DirectoryApplyState
	// CallsPerRun is how many activity calls one execution makes before continuing as new
	// (0: 50); MaxSteps bounds the pages or batches per call (0: the activity's time budget).
	CallsPerRun int
	MaxSteps    int
}

// DirectorySyncResult is the run's outcome.
type DirectorySyncResult struct {
	RunID  string
	Status string
	Counts map[string]int64
}

// DirectorySyncWorkflow pulls the org's directory (SPEC §3.5): fetch pages into Postgres,
// apply the diff in idempotent batches, record the summary with drift. Long runs continue
// as new with their position; a crashed worker's activity resumes from its heartbeat.
func DirectorySyncWorkflow(ctx workflow.Context, in DirectorySyncInput) (DirectorySyncResult, error) {
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	if in.RunID == "" {
		var b activities.DirectoryBegin
		id := workflow.GetInfo(ctx).WorkflowExecution.ID
		if err := workflow.ExecuteActivity(short, ActivityDirectoryBegin, in.OrgID, id, in.DryRun).Get(ctx, &b); err != nil {
			return DirectorySyncResult{}, err
		}
		if b.Skip {
			return DirectorySyncResult{Status: "SKIPPED"}, nil
		}
		in.RunID = b.RunID
	}
	ref := activities.DirectoryRunRef{OrgID: in.OrgID, RunID: in.RunID}
	long := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    DirectoryHeartbeatTimeout,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 2 * time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 20},
	})
	limit := in.CallsPerRun
	if limit <= 0 {
		limit = directoryCallsPerRun
	}
	calls := 0
	if in.Stage == "" {
		in.Stage = "fetch"
	}
	for in.Stage == "fetch" {
		if calls >= limit {
			return DirectorySyncResult{}, workflow.NewContinueAsNewError(ctx, WorkflowDirectorySync, in)
		}
		var st activities.DirectoryFetchState
		if err := workflow.ExecuteActivity(long, ActivityDirectoryFetch, activities.DirectoryStep{Ref: ref, Fetch: in.Fetch, MaxSteps: in.MaxSteps}).Get(ctx, &st); err != nil {
			return endDirectorySync(ctx, ref, err)
		}
		calls++
		in.Fetch = st
		if st.Phase == "done" {
			in.Stage = "apply"
		}
	}
	for in.Stage == "apply" {
		if calls >= limit {
			return DirectorySyncResult{}, workflow.NewContinueAsNewError(ctx, WorkflowDirectorySync, in)
		}
		var st activities.DirectoryApplyState
		if err := workflow.ExecuteActivity(long, ActivityDirectoryApply, activities.DirectoryStep{Ref: ref, Apply: in.Apply, MaxSteps: in.MaxSteps}).Get(ctx, &st); err != nil {
			return endDirectorySync(ctx, ref, err)
		}
		calls++
		in.Apply = st
		if st.Phase == "done" {
			in.Stage = "finish"
		}
	}
	var sum activities.DirectoryRunSummary
	if err := workflow.ExecuteActivity(short, ActivityDirectoryFinish, ref, "").Get(ctx, &sum); err != nil {
		return DirectorySyncResult{RunID: in.RunID}, err
	}
	return DirectorySyncResult{RunID: in.RunID, Status: sum.Status, Counts: sum.Counts}, nil
}

// endDirectorySync records a failed run (on a disconnected context, so it happens even when
// the workflow is cancelled) and returns the cause.
func endDirectorySync(ctx workflow.Context, ref activities.DirectoryRunRef, cause error) (DirectorySyncResult, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 30},
	})
	reason := "the sync failed after repeated attempts; the workflow history has the details"
	var app *temporal.ApplicationError
	if errors.As(cause, &app) && app.NonRetryable() {
		reason = app.Error()
	}
	var sum activities.DirectoryRunSummary
	if err := workflow.ExecuteActivity(dctx, ActivityDirectoryFinish, ref, reason).Get(dctx, &sum); err != nil {
		return DirectorySyncResult{RunID: ref.RunID, Status: "FAILED"}, err
	}
	return DirectorySyncResult{RunID: ref.RunID, Status: "FAILED", Counts: sum.Counts}, cause
}

// SCIMPurgeInput is empty; a struct keeps the signature stable.
type SCIMPurgeInput struct{}

// SCIMPurgeBatch bounds one run; the daily schedule does the rest next time.
const SCIMPurgeBatch = 10000

// SCIMDeprovisionPurgeWorkflow hard-deletes SCIM users deprovisioned longer ago than their
// org's deprovision_retention_days (default 30).
func SCIMDeprovisionPurgeWorkflow(ctx workflow.Context, _ SCIMPurgeInput) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5},
	})
	var n int
	err := workflow.ExecuteActivity(ctx, ActivitySCIMPurge, workflow.Now(ctx), SCIMPurgeBatch).Get(ctx, &n)
	return n, err
}

func registerDirectoryWorkflows(w worker.WorkflowRegistry, a Activities) {
	if a.Directory == nil {
		return
	}
	w.RegisterWorkflowWithOptions(DirectorySyncWorkflow, workflow.RegisterOptions{Name: WorkflowDirectorySync})
	w.RegisterWorkflowWithOptions(SCIMDeprovisionPurgeWorkflow, workflow.RegisterOptions{Name: WorkflowSCIMPurge})
}

func registerDirectoryActivities(w worker.ActivityRegistry, a Activities) {
	d := a.Directory
	if d == nil {
		return
	}
	w.RegisterActivityWithOptions(d.BeginSync, activity.RegisterOptions{Name: ActivityDirectoryBegin})
	w.RegisterActivityWithOptions(d.FetchDirectory, activity.RegisterOptions{Name: ActivityDirectoryFetch})
	w.RegisterActivityWithOptions(d.ApplyDirectory, activity.RegisterOptions{Name: ActivityDirectoryApply})
	w.RegisterActivityWithOptions(d.FinishSync, activity.RegisterOptions{Name: ActivityDirectoryFinish})
	w.RegisterActivityWithOptions(d.PurgeDeprovisioned, activity.RegisterOptions{Name: ActivitySCIMPurge})
}

// directorySchedules is the daily deprovision purge; the per-org sync schedules are created
// with each org's directory connection (directory.TemporalScheduler).
func directorySchedules(a []Activities) []temporalx.Schedule {
	if len(a) == 0 || a[0].Directory == nil {
		return nil
	}
	return []temporalx.Schedule{{
		ID:            "scim-deprovision-purge-daily",
		Spec:          client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 3 * time.Hour}}},
		Workflow:      WorkflowSCIMPurge,
		WorkflowID:    "scim-deprovision-purge",
		Args:          []any{SCIMPurgeInput{}},
		Feature:       FeatureSCIM,
		Overlap:       enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		CatchupWindow: 24 * time.Hour,
		Memo:          map[string]any{"summary": "Hard-delete SCIM users deprovisioned longer ago than the org's retention"},
		RunTimeout:    2 * time.Hour,
	}}
}
