// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package activities

import (
	"context"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
)

// OrgPurgeBatchRows bounds the rows deleted per table per step, so each step is a short
// transaction and the activity heartbeats often.
const OrgPurgeBatchRows = 5000

// OrgPurge removes the data of organizations whose deletion grace period has ended.
type OrgPurge struct {
	IDs *identity.Service
}

// PurgeResult says what purging one org removed.
type PurgeResult struct {
	OrgID       string
	RowsDeleted int64
}

// OrgsDueForPurge lists up to limit deleted orgs whose grace period ended before now.
func (a *OrgPurge) OrgsDueForPurge(ctx context.Context, now time.Time, limit int) ([]string, error) {
	ids, err := a.IDs.OrgsDueForPurge(ctx, now, limit)
	if err != nil {
		return nil, classify(err)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, nil
}

// PurgeOrg deletes all of one org's rows in batches, heartbeating the running count (a
// retried attempt simply continues: what is gone stays gone), then leaves the org as a
// tombstone. Idempotent.
func (a *OrgPurge) PurgeOrg(ctx context.Context, orgID string) (PurgeResult, error) {
	id, err := uuid.Parse(orgID)
	if err != nil {
		return PurgeResult{}, temporal.NewNonRetryableApplicationError("invalid org id", "validation_failed", err)
	}
	res := PurgeResult{OrgID: orgID}
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &res.RowsDeleted)
	}
	for {
		n, err := a.IDs.PurgeOrgStep(ctx, id, OrgPurgeBatchRows)
		if err != nil {
			return res, classify(err)
		}
		res.RowsDeleted += n
		activity.RecordHeartbeat(ctx, res.RowsDeleted)
		if n == 0 {
			break
		}
	}
	return res, classify(a.IDs.FinishPurge(ctx, id))
}
