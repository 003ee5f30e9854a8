// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"errors"
	"fmt"
	"strings"
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

// Audit retention names.
const (
	WorkflowAuditRetention          = "AuditRetentionWorkflow"
	WorkflowAuditRetentionScheduled = "AuditRetentionScheduledWorkflow"

	ActivityAuditListRetentionOrgs   = "AuditListRetentionOrgs"
	ActivityAuditArchiveOrg          = "AuditArchiveOrg"
	ActivityAuditPurgeOrg            = "AuditPurgeOrg"
	ActivityAuditDropEmptyPartitions = "AuditDropEmptyPartitions"

	FeatureAuditLogs = "AUDIT_LOGS"
)

// auditRetentionOrgsPerRun bounds the orgs one run handles before it continues as new, which
// keeps the history short however many orgs there are.
const auditRetentionOrgsPerRun = 100

// AuditRetentionWorkflowID is the business id of the run for a UTC date (SPEC §9).
func AuditRetentionWorkflowID(date time.Time) string {
	return "audit-retention/" + date.UTC().Format(time.DateOnly)
}

// AuditRetentionInput starts a run; AfterOrgID and Carry are set by continue-as-new.
type AuditRetentionInput struct {
	AfterOrgID string
	Carry      AuditRetentionResult
}

// AuditRetentionResult sums what a run did.
type AuditRetentionResult struct {
	Orgs              int
	Days              int
	Parts             int
	EventsArchived    int64
	ArchivesPurged    int
	ObjectsDeleted    int
	PartitionsDropped []string
	FailedOrgs        []string
}

// AuditRetentionWorkflow tiers every org's audit log (SPEC §4.2): archive days older than
// the hot window to S3, delete archives past retention, then drop empty old partitions. One
// org failing does not stop the others; the run then fails naming them.
func AuditRetentionWorkflow(ctx workflow.Context, in AuditRetentionInput) (AuditRetentionResult, error) {
	res := in.Carry
	now := workflow.Now(ctx).UTC()
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 10},
	})
	long := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		// The activities heartbeat every few seconds, so a dead worker's attempt is retried
		// elsewhere within seconds (archiving resumes; see audit.ArchiveOrg).
		HeartbeatTimeout: 15 * time.Second,
		RetryPolicy:      &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute, MaximumAttempts: 20},
	})
	var orgs []activities.RetentionOrg
	if err := workflow.ExecuteActivity(short, ActivityAuditListRetentionOrgs, activities.ListRetentionOrgsInput{After: in.AfterOrgID, Limit: auditRetentionOrgsPerRun}).Get(ctx, &orgs); err != nil {
		return res, err
	}
	for _, o := range orgs {
		res.Orgs++
		var ar activities.ArchiveOrgResult
		if err := workflow.ExecuteActivity(long, ActivityAuditArchiveOrg, activities.ArchiveOrgInput{OrgID: o.OrgID, HotDays: o.HotDays, Now: now}).Get(ctx, &ar); err != nil {
			workflow.GetLogger(ctx).Error("audit archive failed", "org_id", o.OrgID, "error", err)
			res.FailedOrgs = append(res.FailedOrgs, o.OrgID)
			continue
		}
		res.Days += ar.Days
		res.Parts += ar.Parts
		res.EventsArchived += ar.Events
		var pr activities.PurgeOrgResult
		if err := workflow.ExecuteActivity(long, ActivityAuditPurgeOrg, activities.PurgeOrgInput{OrgID: o.OrgID, RetentionDays: o.RetentionDays, Now: now}).Get(ctx, &pr); err != nil {
			workflow.GetLogger(ctx).Error("audit purge failed", "org_id", o.OrgID, "error", err)
			res.FailedOrgs = append(res.FailedOrgs, o.OrgID)
			continue
		}
		res.ArchivesPurged += pr.Parts
		res.ObjectsDeleted += pr.Objects
	}
	if len(orgs) == auditRetentionOrgsPerRun {
		return res, workflow.NewContinueAsNewError(ctx, WorkflowAuditRetention, AuditRetentionInput{AfterOrgID: orgs[len(orgs)-1].OrgID, Carry: res})
	}
	var dropped []string
	if err := workflow.ExecuteActivity(long, ActivityAuditDropEmptyPartitions, now).Get(ctx, &dropped); err != nil {
		return res, err
	}
	res.PartitionsDropped = append(res.PartitionsDropped, dropped...)
	if len(res.FailedOrgs) > 0 {
		return res, temporal.NewApplicationError(fmt.Sprintf("audit retention failed for %d org(s): %s", len(res.FailedOrgs), strings.Join(res.FailedOrgs, ", ")), "retention_incomplete", res)
	}
	return res, nil
}

// AuditRetentionScheduledInput is the schedule's (empty) argument.
type AuditRetentionScheduledInput struct{}

// AuditRetentionScheduledWorkflow is what the daily Schedule starts: it runs the day's
// AuditRetentionWorkflow under its business id audit-retention/{date} (a schedule can only
// suffix its own ids with a timestamp). If an on-demand run for the date is going, it leaves it.
func AuditRetentionScheduledWorkflow(ctx workflow.Context, _ AuditRetentionScheduledInput) (AuditRetentionResult, error) {
	id := AuditRetentionWorkflowID(workflow.Now(ctx))
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            id,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporalx.SearchAttributes(FeatureAuditLogs, ""),
		Memo:                  map[string]any{"summary": "Daily audit tiering: archive, purge, drop partitions"},
	})
	var res AuditRetentionResult
	err := workflow.ExecuteChildWorkflow(cctx, WorkflowAuditRetention, AuditRetentionInput{}).Get(ctx, &res)
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	if errors.As(err, &started) {
		return res, nil
	}
	return res, err
}

// AuditRetentionStartOptions are the options of an on-demand run for the date.
func AuditRetentionStartOptions(taskQueue string, now time.Time) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       AuditRetentionWorkflowID(now),
		TaskQueue:                taskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowExecutionTimeout: 24 * time.Hour,
		TypedSearchAttributes:    temporalx.SearchAttributes(FeatureAuditLogs, ""),
		Memo:                     map[string]any{"summary": "On-demand audit tiering: archive, purge, drop partitions"},
	}
}

func registerAuditWorkflows(w worker.WorkflowRegistry, a Activities) {
	if a.AuditRetention == nil {
		return
	}
	w.RegisterWorkflowWithOptions(AuditRetentionWorkflow, workflow.RegisterOptions{Name: WorkflowAuditRetention})
	w.RegisterWorkflowWithOptions(AuditRetentionScheduledWorkflow, workflow.RegisterOptions{Name: WorkflowAuditRetentionScheduled})
}

func registerAuditActivities(w worker.ActivityRegistry, a Activities) {
	r := a.AuditRetention
	if r == nil {
		return
	}
	w.RegisterActivityWithOptions(r.ListRetentionOrgs, activity.RegisterOptions{Name: ActivityAuditListRetentionOrgs})
	w.RegisterActivityWithOptions(r.ArchiveOrg, activity.RegisterOptions{Name: ActivityAuditArchiveOrg})
	w.RegisterActivityWithOptions(r.PurgeOrgArchives, activity.RegisterOptions{Name: ActivityAuditPurgeOrg})
	w.RegisterActivityWithOptions(r.DropEmptyPartitions, activity.RegisterOptions{Name: ActivityAuditDropEmptyPartitions})
}

// auditSchedules is the daily retention schedule, declared only when the feature is on.
func auditSchedules(a []Activities) []temporalx.Schedule {
	if len(a) == 0 || a[0].AuditRetention == nil {
		return nil
	}
	return []temporalx.Schedule{{
		ID:         "audit-retention-daily",
		Spec:       client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 2 * time.Hour}}},
		Workflow:   WorkflowAuditRetentionScheduled,
		WorkflowID: "audit-retention-scheduled",
		Args:       []any{AuditRetentionScheduledInput{}},
		Feature:    FeatureAuditLogs,
		Overlap:    enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		// Idempotent: a missed day is done by the next run.
		CatchupWindow: 24 * time.Hour,
		Memo:          map[string]any{"summary": "Archive audit events past the hot window to S3, purge past retention"},
		RunTimeout:    24 * time.Hour,
	}}
}
