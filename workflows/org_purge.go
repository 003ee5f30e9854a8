// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/bytechefhq/bytechef-ee/activities"
)

// OrgPurgeBatch is how many due orgs one run handles; the rest wait for the next run (the
// schedule is daily and the work idempotent, so nothing is lost by waiting).
const OrgPurgeBatch = 50

// OrgPurgeInput is empty today; a struct keeps the signature stable as it grows.
type OrgPurgeInput struct{}

// OrgPurgeResult counts what one run removed.
type OrgPurgeResult struct {
	OrgsPurged  int
	RowsDeleted int64
	// Failed lists orgs whose purge failed this run; the next run tries them again.
	Failed []string
}

// OrgPurgeWorkflow removes the data of soft-deleted organizations once their grace period
// (identity.OrgDeletionGraceDays) has ended. Deleting an org over the API only marks it; this
// daily run does the removal, so the HTTP path never waits on Temporal and a delete made
// while Temporal is down is still purged. One org's failure does not stop the others.
func OrgPurgeWorkflow(ctx workflow.Context, _ OrgPurgeInput) (OrgPurgeResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    5,
		},
	})
	var res OrgPurgeResult
	var due []string
	if err := workflow.ExecuteActivity(ctx, ActivityOrgsDueForPurge, workflow.Now(ctx), OrgPurgeBatch).Get(ctx, &due); err != nil {
		return res, err
	}
	purgeCtx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Hour,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    5 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    5,
		},
	})
	for _, org := range due {
		var r activities.PurgeResult
		if err := workflow.ExecuteActivity(purgeCtx, ActivityPurgeOrg, org).Get(ctx, &r); err != nil {
			workflow.GetLogger(ctx).Error("org purge failed", "org_id", org, "error", err)
			res.Failed = append(res.Failed, org)
			continue
		}
		res.OrgsPurged++
		res.RowsDeleted += r.RowsDeleted
	}
	return res, nil
}
