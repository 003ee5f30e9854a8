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

// MaintenanceInput is empty today; a struct keeps the signature stable as it grows.
type MaintenanceInput struct{}

// MaintenanceWorkflow keeps the database ready: audit partitions exist months ahead (there
// is no default partition, so a missing month would refuse events) and stale idempotency
// records are removed. Runs daily from a Schedule.
func MaintenanceWorkflow(ctx workflow.Context, _ MaintenanceInput) (activities.MaintenanceResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
			MaximumAttempts:    10,
		},
	})
	var res activities.MaintenanceResult
	if err := workflow.ExecuteActivity(ctx, ActivityEnsureAuditPartitions, workflow.Now(ctx)).Get(ctx, &res.PartitionsCreated); err != nil {
		return res, err
	}
	if err := workflow.ExecuteActivity(ctx, ActivityExpireIdempotency).Get(ctx, &res.IdempotencyExpired); err != nil {
		return res, err
	}
	return res, nil
}
