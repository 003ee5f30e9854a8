// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"testing"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
)

func TestMaintenanceWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Maintenance
	env.RegisterActivityWithOptions(a.EnsureAuditPartitions, activity.RegisterOptions{Name: ActivityEnsureAuditPartitions})
	env.RegisterActivityWithOptions(a.ExpireIdempotencyRecords, activity.RegisterOptions{Name: ActivityExpireIdempotency})
	env.OnActivity(ActivityEnsureAuditPartitions, mock.Anything, mock.Anything).Return(int32(2), nil)
	env.OnActivity(ActivityExpireIdempotency, mock.Anything).Return(int64(7), nil)
	env.ExecuteWorkflow(MaintenanceWorkflow, MaintenanceInput{})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res activities.MaintenanceResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, activities.MaintenanceResult{PartitionsCreated: 2, IdempotencyExpired: 7}, res)
}

// TestReplayHistories replays every recorded history in testdata/ against today's workflow
// code: a non-deterministic change fails here before it breaks running executions.
func TestReplayHistories(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	RegisterWorkflows(replayer, Activities{Maintenance: &activities.Maintenance{}})
	for file, name := range map[string]string{"testdata/maintenance.json": WorkflowMaintenance} {
		require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file), "%s (%s)", file, name)
	}
}
