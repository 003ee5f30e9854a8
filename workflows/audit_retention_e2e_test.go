// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// TestAuditRetentionWorkerKilled runs AuditRetentionWorkflow on the Temporal dev server with
// real activities, stops the worker while it is archiving, and lets a second worker finish:
// every event ends in exactly one tier and the run completes.
func TestAuditRetentionWorkerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server and moves 60k events")
	}
	t.Parallel()
	c := testenv.SharedTemporal(t).Client(t)
	pool := dbtest.New(t)
	svc := audit.NewService(pool, testenv.Bucket(t), nil, nil)
	ctx := context.Background()
	org := uuid.New()
	_, err := pool.Exec(ctx, "INSERT INTO organization (id, slug, name, region) VALUES ($1, 'acme', 'Acme', 'us')", org)
	require.NoError(t, err)
	_, err = svc.PutPolicy(ctx, org, 5, 365, nil)
	require.NoError(t, err)
	const perDay, days = 20500, 3
	q := dbsqlc.New(pool)
	for d := 0; d < days; d++ {
		base := time.Now().UTC().AddDate(0, 0, -8-d).Truncate(24 * time.Hour).Add(time.Hour)
		rows := make([]dbsqlc.AuditEventCopyParams, perDay)
		ids := make([]uuid.UUID, perDay)
		ats := make([]time.Time, perDay)
		for i := range rows {
			ids[i], ats[i] = uuid.Must(uuid.NewV7()), base.Add(time.Duration(i)*time.Second)
			rows[i] = dbsqlc.AuditEventCopyParams{ID: ids[i], OccurredAt: ats[i], EventType: "workflow.executed", Category: "WORKFLOWS",
				ActorType: "SYSTEM", OrgID: org, ActionData: []byte(`{"n":1}`)}
		}
		_, err = q.AuditEventRegisterIDs(ctx, dbsqlc.AuditEventRegisterIDsParams{OrgID: org, Ids: ids, OccurredAts: ats})
		require.NoError(t, err)
		_, err = q.AuditEventCopy(ctx, rows)
		require.NoError(t, err)
	}
	old := perDay * days
	total := old + 1 // plus the audit_retention.updated event of the policy change (recent, stays hot)
	tiers := func() (hot, cold int) {
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM audit_event WHERE org_id = $1", org).Scan(&hot))
		require.NoError(t, pool.QueryRow(ctx, "SELECT coalesce(sum(row_count), 0) FROM audit_archive WHERE org_id = $1", org).Scan(&cold))
		return hot, cold
	}
	require.Eventually(t, func() bool { // sealing waits for the server-wide horizon
		v, err := svc.Verify(ctx, org, time.Now().AddDate(0, 0, -30), time.Now().Add(time.Hour))
		return err == nil && v.UnsealedEvents == 0
	}, 120*time.Second, 100*time.Millisecond)

	queue := "audit-kill-" + uuid.NewString()[:8]
	acts := Activities{Maintenance: &activities.Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)},
		AuditRetention: &activities.AuditRetention{Audit: svc, Region: "us"}}
	w1 := worker.New(c, queue, worker.Options{})
	Register(w1, acts)
	require.NoError(t, w1.Start())
	opts := AuditRetentionStartOptions(queue, time.Now())
	opts.ID = "audit-retention/kill-" + uuid.NewString()[:8]
	run, err := c.ExecuteWorkflow(ctx, opts, WorkflowAuditRetention, AuditRetentionInput{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, cold := tiers(); return cold > 0 }, 60*time.Second, 20*time.Millisecond)
	w1.Stop() // the worker dies mid-run
	hot, cold := tiers()
	require.Equal(t, total, hot+cold, "after the worker died")
	require.Less(t, cold, total, "it died before finishing")

	w2 := worker.New(c, queue, worker.Options{})
	Register(w2, acts)
	require.NoError(t, w2.Start())
	defer w2.Stop()
	wctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	var res AuditRetentionResult
	require.NoError(t, run.Get(wctx, &res))
	hot, cold = tiers()
	require.Equal(t, 1, hot)
	require.Equal(t, old, cold)
	v, err := svc.Verify(ctx, org, time.Now().AddDate(0, 0, -30), time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, v.OK, "%+v", v.FirstBreak)
	require.Equal(t, old, v.ColdEvents)
}
