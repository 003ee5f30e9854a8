// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/bytechefhq/bytechef-ee/activities"
)

func newOrgPurgeEnv(t *testing.T) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.OrgPurge
	env.RegisterActivityWithOptions(a.OrgsDueForPurge, activity.RegisterOptions{Name: ActivityOrgsDueForPurge})
	env.RegisterActivityWithOptions(a.PurgeOrg, activity.RegisterOptions{Name: ActivityPurgeOrg})
	return env
}

func TestOrgPurgeWorkflow(t *testing.T) {
	env := newOrgPurgeEnv(t)
	start := time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC)
	env.SetStartTime(start)
	// The due list is asked with the workflow's own clock and the batch bound.
	env.OnActivity(ActivityOrgsDueForPurge, mock.Anything, mock.MatchedBy(func(now time.Time) bool { return now.Equal(start) }), OrgPurgeBatch).
		Return([]string{"org-a", "org-b", "org-c"}, nil).Once()
	env.OnActivity(ActivityPurgeOrg, mock.Anything, "org-a").Return(activities.PurgeResult{OrgID: "org-a", RowsDeleted: 10}, nil).Once()
	// org-b fails permanently: it is reported and the run goes on with org-c.
	env.OnActivity(ActivityPurgeOrg, mock.Anything, "org-b").Return(activities.PurgeResult{},
		temporal.NewNonRetryableApplicationError("still referenced", "internal", errors.New("boom"))).Once()
	env.OnActivity(ActivityPurgeOrg, mock.Anything, "org-c").Return(activities.PurgeResult{OrgID: "org-c", RowsDeleted: 5}, nil).Once()
	env.ExecuteWorkflow(OrgPurgeWorkflow, OrgPurgeInput{})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res OrgPurgeResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OrgPurgeResult{OrgsPurged: 2, RowsDeleted: 15, Failed: []string{"org-b"}}, res)
	env.AssertExpectations(t)
}

func TestOrgPurgeWorkflowRetriesTransientFailures(t *testing.T) {
	env := newOrgPurgeEnv(t)
	env.OnActivity(ActivityOrgsDueForPurge, mock.Anything, mock.Anything, mock.Anything).Return([]string{"org-a"}, nil)
	// A retryable failure (e.g. Postgres restarting) is retried by the activity's policy.
	env.OnActivity(ActivityPurgeOrg, mock.Anything, "org-a").Return(activities.PurgeResult{}, errors.New("connection reset")).Once()
	env.OnActivity(ActivityPurgeOrg, mock.Anything, "org-a").Return(activities.PurgeResult{OrgID: "org-a", RowsDeleted: 3}, nil).Once()
	env.ExecuteWorkflow(OrgPurgeWorkflow, OrgPurgeInput{})
	require.NoError(t, env.GetWorkflowError())
	var res OrgPurgeResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OrgPurgeResult{OrgsPurged: 1, RowsDeleted: 3}, res)
}

func TestOrgPurgeWorkflowNothingDue(t *testing.T) {
	env := newOrgPurgeEnv(t)
	env.OnActivity(ActivityOrgsDueForPurge, mock.Anything, mock.Anything, mock.Anything).Return([]string{}, nil)
	env.ExecuteWorkflow(OrgPurgeWorkflow, OrgPurgeInput{})
	require.NoError(t, env.GetWorkflowError())
	var res OrgPurgeResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Zero(t, res.OrgsPurged)
}
