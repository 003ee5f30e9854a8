// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
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

// TestReplayOrgPurgeHistory replays a recorded run (one org purged) against today's code.
func TestReplayOrgPurgeHistory(t *testing.T) {
	replayer := worker.NewWorkflowReplayer()
	RegisterWorkflows(replayer, Activities{Maintenance: &activities.Maintenance{}, OrgPurge: &activities.OrgPurge{}})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/org_purge.json"))
}

// TestRecordOrgPurgeHistory re-records testdata/org_purge.json when RECORD_HISTORIES=1: a real
// run on the Temporal dev server that purges one deleted org from a real database.
func TestRecordOrgPurgeHistory(t *testing.T) {
	if os.Getenv("RECORD_HISTORIES") == "" {
		t.Skip("set RECORD_HISTORIES=1 to re-record workflow histories")
	}
	ctx := context.Background()
	pool := dbtest.New(t)
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	ids := identity.NewService(pool, cfg)
	org, err := ids.CreateOrg(ctx, identity.CreateOrgInput{Name: "Gone", Slug: "gone"})
	require.NoError(t, err)
	_, err = ids.DeleteOrg(ctx, org.ID.String(), "gone")
	require.NoError(t, err)
	_, err = pool.Exec(ctx, `UPDATE organization SET purge_after = now() - interval '1 minute' WHERE id = $1`, org.ID)
	require.NoError(t, err)

	c := testenv.SharedTemporal(t).Client(t)
	queue := "record-org-purge"
	w := worker.New(c, queue, worker.Options{})
	Register(w, Activities{Maintenance: &activities.Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)}, OrgPurge: &activities.OrgPurge{IDs: ids}})
	require.NoError(t, w.Start())
	defer w.Stop()
	recordHistory(t, c, queue, "testdata/org_purge.json", "org-purge-record-"+org.ID.String(), WorkflowOrgPurge, OrgPurgeInput{})
}
