// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
)

func retentionEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	registerAuditActivities(env, Activities{AuditRetention: &activities.AuditRetention{}})
	env.RegisterWorkflowWithOptions(AuditRetentionWorkflow, workflow.RegisterOptions{Name: WorkflowAuditRetention})
	return env
}

func TestAuditRetentionWorkflow(t *testing.T) {
	env := retentionEnv(t)
	orgs := []activities.RetentionOrg{{OrgID: "a", HotDays: 90, RetentionDays: 365}, {OrgID: "b", HotDays: 7, RetentionDays: 30}}
	env.OnActivity(ActivityAuditListRetentionOrgs, mock.Anything, activities.ListRetentionOrgsInput{Limit: auditRetentionOrgsPerRun}).Return(orgs, nil)
	env.OnActivity(ActivityAuditArchiveOrg, mock.Anything, mock.MatchedBy(func(in activities.ArchiveOrgInput) bool { return in.OrgID == "a" && in.HotDays == 90 })).
		Return(activities.ArchiveOrgResult{Days: 2, Parts: 3, Events: 100}, nil)
	env.OnActivity(ActivityAuditArchiveOrg, mock.Anything, mock.MatchedBy(func(in activities.ArchiveOrgInput) bool { return in.OrgID == "b" })).
		Return(activities.ArchiveOrgResult{Days: 1, Parts: 1, Events: 5}, nil)
	env.OnActivity(ActivityAuditPurgeOrg, mock.Anything, mock.Anything).Return(activities.PurgeOrgResult{Parts: 1, Objects: 2}, nil)
	env.OnActivity(ActivityAuditDropEmptyPartitions, mock.Anything, mock.Anything).Return([]string{"audit_event_2025_01"}, nil)
	env.ExecuteWorkflow(AuditRetentionWorkflow, AuditRetentionInput{})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res AuditRetentionResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, AuditRetentionResult{Orgs: 2, Days: 3, Parts: 4, EventsArchived: 105, ArchivesPurged: 2, ObjectsDeleted: 4,
		PartitionsDropped: []string{"audit_event_2025_01"}}, res)
}

// One org's archive failing (after its retries) does not stop the others; the run fails
// naming it, and the org is not purged.
func TestAuditRetentionWorkflowOrgFailure(t *testing.T) {
	env := retentionEnv(t)
	orgs := []activities.RetentionOrg{{OrgID: "a", HotDays: 1, RetentionDays: 2}, {OrgID: "b", HotDays: 1, RetentionDays: 2}}
	env.OnActivity(ActivityAuditListRetentionOrgs, mock.Anything, mock.Anything).Return(orgs, nil)
	env.OnActivity(ActivityAuditArchiveOrg, mock.Anything, mock.MatchedBy(func(in activities.ArchiveOrgInput) bool { return in.OrgID == "a" })).
		Return(activities.ArchiveOrgResult{}, temporal.NewNonRetryableApplicationError("s3 down", "unavailable", errors.New("503")))
	env.OnActivity(ActivityAuditArchiveOrg, mock.Anything, mock.Anything).Return(activities.ArchiveOrgResult{Events: 1}, nil)
	purged := 0
	env.OnActivity(ActivityAuditPurgeOrg, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.PurgeOrgInput) (activities.PurgeOrgResult, error) {
		require.Equal(t, "b", in.OrgID)
		purged++
		return activities.PurgeOrgResult{}, nil
	})
	env.OnActivity(ActivityAuditDropEmptyPartitions, mock.Anything, mock.Anything).Return([]string{}, nil)
	env.ExecuteWorkflow(AuditRetentionWorkflow, AuditRetentionInput{})
	require.True(t, env.IsWorkflowCompleted())
	require.ErrorContains(t, env.GetWorkflowError(), "failed for 1 org(s): a")
	require.Equal(t, 1, purged)
}

// Past one page of orgs the run continues as new from the last org, carrying its totals.
func TestAuditRetentionWorkflowContinuesAsNew(t *testing.T) {
	env := retentionEnv(t)
	var orgs []activities.RetentionOrg
	for i := 0; i < auditRetentionOrgsPerRun; i++ {
		orgs = append(orgs, activities.RetentionOrg{OrgID: fmt.Sprintf("org-%03d", i), HotDays: 90, RetentionDays: 365})
	}
	env.OnActivity(ActivityAuditListRetentionOrgs, mock.Anything, mock.Anything).Return(orgs, nil)
	env.OnActivity(ActivityAuditArchiveOrg, mock.Anything, mock.Anything).Return(activities.ArchiveOrgResult{Events: 1}, nil)
	env.OnActivity(ActivityAuditPurgeOrg, mock.Anything, mock.Anything).Return(activities.PurgeOrgResult{}, nil)
	env.ExecuteWorkflow(AuditRetentionWorkflow, AuditRetentionInput{})
	require.True(t, env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	require.Equal(t, WorkflowAuditRetention, can.WorkflowType.Name)
}

func TestAuditRetentionScheduledWorkflow(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(AuditRetentionScheduledWorkflow, workflow.RegisterOptions{Name: WorkflowAuditRetentionScheduled})
	env.RegisterWorkflowWithOptions(AuditRetentionWorkflow, workflow.RegisterOptions{Name: WorkflowAuditRetention})
	env.SetStartTime(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	var childID string
	env.OnWorkflow(WorkflowAuditRetention, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, _ AuditRetentionInput) (AuditRetentionResult, error) {
		childID = workflow.GetInfo(ctx).WorkflowExecution.ID
		return AuditRetentionResult{Orgs: 3}, nil
	})
	env.ExecuteWorkflow(AuditRetentionScheduledWorkflow, AuditRetentionScheduledInput{})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, "audit-retention/2026-12-03", childID)
	require.Len(t, auditSchedules([]Activities{{AuditRetention: &activities.AuditRetention{}}}), 1)
	require.Empty(t, auditSchedules(nil))
}
