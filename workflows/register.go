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
)

// Activity names.
const (
	ActivityEnsureAuditPartitions = "EnsureAuditPartitions"
	ActivityExpireIdempotency     = "ExpireIdempotencyRecords"
)

// Features, as set in the ByteChefFeature search attribute.
const (
	FeatureCore = "CORE"
)

// Activities bundles every activity implementation the worker hosts; nil members are
// features that are disabled and not registered.
type Activities struct {
	Maintenance *activities.Maintenance
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
}

// RegisterActivities registers the activities of the enabled features.
func RegisterActivities(w worker.ActivityRegistry, a Activities) {
	w.RegisterActivityWithOptions(a.Maintenance.EnsureAuditPartitions, activity.RegisterOptions{Name: ActivityEnsureAuditPartitions})
	w.RegisterActivityWithOptions(a.Maintenance.ExpireIdempotencyRecords, activity.RegisterOptions{Name: ActivityExpireIdempotency})
}

// Schedules declares the Temporal Schedules of the core; features append theirs.
func Schedules() []temporalx.Schedule {
	return []temporalx.Schedule{{
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
	}}
}
