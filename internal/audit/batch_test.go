// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

// TestRecordBatch: a batch spanning orgs stores every event once, with each request's own
// actor and correlation id, and registers every id so ingestion can never reuse one.
func TestRecordBatch(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	orgA, orgB := uuid.New(), uuid.New()
	corrA, corrB := uuid.New(), uuid.New()
	items := []Pending{
		{Meta: Meta{ActorType: ActorAPIKey, ActorLabel: "key-a", CorrelationID: &corrA}, Event: Event{OrgID: orgA, Type: "api_key.created", TargetType: "api_key", TargetID: "1"}},
		{Meta: Meta{ActorType: ActorAPIKey, ActorLabel: "key-b", CorrelationID: &corrB}, Event: Event{OrgID: orgB, Type: "api_key.revoked", TargetType: "api_key", TargetID: "2", Data: map[string]any{"secret": "x"}}},
		{Meta: Meta{ActorType: ActorAPIKey, ActorLabel: "key-a", CorrelationID: &corrA}, Event: Event{OrgID: orgA, Type: "api_key.rotated", TargetType: "api_key", TargetID: "1"}},
	}
	require.NoError(t, database.InTx(ctx, pool, func(q *dbsqlc.Queries) error { return RecordBatch(ctx, q, items) }))

	for org, want := range map[uuid.UUID]int{orgA: 2, orgB: 1} {
		rows, err := dbsqlc.New(pool).AuditEventListByOrg(ctx, dbsqlc.AuditEventListByOrgParams{OrgID: org, Limit: 10})
		require.NoError(t, err)
		require.Len(t, rows, want)
		for _, r := range rows {
			var registered int
			require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM audit_event_id WHERE org_id = $1 AND id = $2", org, r.ID).Scan(&registered))
			require.Equal(t, 1, registered)
			if org == orgB {
				require.Equal(t, corrB, *r.CorrelationID)
				require.Contains(t, string(r.ActionData), `"label": "key-b"`)
				require.Contains(t, string(r.ActionData), `"secret": "[REDACTED]"`)
			} else {
				require.Equal(t, corrA, *r.CorrelationID)
			}
		}
	}
	// An unknown type fails the whole batch (the caller's transaction rolls back).
	err := database.InTx(ctx, pool, func(q *dbsqlc.Queries) error {
		return RecordBatch(ctx, q, []Pending{{Event: Event{OrgID: orgA, Type: "no.such_type"}}})
	})
	require.ErrorContains(t, err, "not in the catalogue")
}
