// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package workflows holds the product's Temporal workflows (deterministic: they import only
// the SDK's workflow and temporal packages and the activity types) and the one place where
// workflows and activities are registered under stable names.
package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
)

// Workflow names are constants: renaming a Go function must not break running executions.
const (
	WorkflowMaintenance = "MaintenanceWorkflow"
	WorkflowOrgExport   = "OrgExportWorkflow"
	WorkflowOrgPurge    = "OrgPurgeWorkflow"
)

// Activity names.
const (
	ActivityEnsureAuditPartitions = "EnsureAuditPartitions"
	ActivityExpireIdempotency     = "ExpireIdempotencyRecords"
	ActivityExportBegin           = "ExportBegin"
	ActivityExportWrite           = "ExportWrite"
	ActivityExportComplete        = "ExportComplete"
	ActivityExportEnd             = "ExportEnd"
	ActivityOrgsDueForPurge       = "OrgsDueForPurge"
	ActivityPurgeOrg              = "PurgeOrg"
)

// Features, as set in the ByteChefFeature search attribute.
const (
	FeatureCore = "CORE"
)

// Activities bundles every activity implementation the worker hosts; nil members are
// features that are disabled and not registered.
type Activities struct {
	Maintenance *activities.Maintenance
	// Export is the organization data export (AUDIT_LOGS toggle).
	Export *activities.Export
	// OrgPurge removes deleted orgs' data after the grace period (admin core, always on).
	OrgPurge *activities.OrgPurge
	// AuditRetention tiers the audit log (AUDIT_LOGS toggle).
	AuditRetention *activities.AuditRetention
	// Directory is directory sync and the SCIM deprovision purge (SCIM toggle).
	Directory *activities.Directory
}

// Register registers the workflows and activities of the enabled features on w.
func Register(w worker.Registry, a Activities) {
	RegisterWorkflows(w, a)
	RegisterActivities(w, a)
}

// RegisterWorkflows registers the workflows of the enabled features (a nil member of a means
// the feature is off). The replay tests use it with a workflow replayer.
func RegisterWorkflows(w worker.WorkflowRegistry, a Activities) {
	w.RegisterWorkflowWithOptions(MaintenanceWorkflow, workflow.RegisterOptions{Name: WorkflowMaintenance})
	if a.Export != nil {
		w.RegisterWorkflowWithOptions(OrgExportWorkflow, workflow.RegisterOptions{Name: WorkflowOrgExport})
	}
	w.RegisterWorkflowWithOptions(OrgPurgeWorkflow, workflow.RegisterOptions{Name: WorkflowOrgPurge})
	registerAuditWorkflows(w, a)
	registerDirectoryWorkflows(w, a)
}

// RegisterActivities registers the activities of the enabled features.
func RegisterActivities(w worker.ActivityRegistry, a Activities) {
	w.RegisterActivityWithOptions(a.Maintenance.EnsureAuditPartitions, activity.RegisterOptions{Name: ActivityEnsureAuditPartitions})
	w.RegisterActivityWithOptions(a.Maintenance.ExpireIdempotencyRecords, activity.RegisterOptions{Name: ActivityExpireIdempotency})
	if a.Export != nil {
		w.RegisterActivityWithOptions(a.Export.BeginExport, activity.RegisterOptions{Name: ActivityExportBegin})
		w.RegisterActivityWithOptions(a.Export.WriteExport, activity.RegisterOptions{Name: ActivityExportWrite})
		w.RegisterActivityWithOptions(a.Export.CompleteExport, activity.RegisterOptions{Name: ActivityExportComplete})
		w.RegisterActivityWithOptions(a.Export.EndExport, activity.RegisterOptions{Name: ActivityExportEnd})
	}
	w.RegisterActivityWithOptions(a.OrgPurge.OrgsDueForPurge, activity.RegisterOptions{Name: ActivityOrgsDueForPurge})
	w.RegisterActivityWithOptions(a.OrgPurge.PurgeOrg, activity.RegisterOptions{Name: ActivityPurgeOrg})
	registerAuditActivities(w, a)
	registerDirectoryActivities(w, a)
}

// Schedules declares the Temporal Schedules of the core and, given the worker's activities,
// of the enabled features (a feature whose activities are nil has no schedule).
func Schedules(a ...Activities) []temporalx.Schedule {
	return append([]temporalx.Schedule{{
		ID:         "maintenance-daily",
		Spec:       client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 30 * time.Minute}}},
		Workflow:   WorkflowMaintenance,
		WorkflowID: "maintenance",
		Args:       []any{MaintenanceInput{}},
		Feature:    FeatureCore,
		Overlap:    enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		// A missed run is caught up within a day; older misses are pointless (it is idempotent).
		CatchupWindow: 24 * time.Hour,
		Memo:          map[string]any{"summary": "Create audit partitions ahead and expire idempotency records"},
		RunTimeout:    30 * time.Minute,
	}, {
		ID:         "org-purge-daily",
		Spec:       client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 24 * time.Hour, Offset: 90 * time.Minute}}},
		Workflow:   WorkflowOrgPurge,
		WorkflowID: "org-purge",
		Args:       []any{OrgPurgeInput{}},
		Feature:    FeatureCore,
		Overlap:    enumspb.SCHEDULE_OVERLAP_POLICY_SKIP,
		// Idempotent: a missed day is simply done by the next run.
		CatchupWindow: 24 * time.Hour,
		Memo:          map[string]any{"summary": "Remove the data of organizations deleted more than the grace period ago"},
		RunTimeout:    12 * time.Hour,
	}}, append(auditSchedules(a), directorySchedules(a)...)...)
}
