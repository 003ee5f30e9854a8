// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
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
	ctx := context.Background()
	svc, org, old := retentionFixture(t, pool, testenv.Bucket(t))
	total := old + 1 // plus the audit_retention.updated event of the policy change (recent, stays hot)
	tiers := func() (hot, cold int) { return auditTiers(t, pool, org) }

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

// TestAuditRetentionPostgresRestarted crashes Postgres (immediate shutdown, WAL replay on
// start) while AuditRetentionWorkflow is archiving and a writer keeps ingesting.
func TestAuditRetentionPostgresRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Postgres cluster and moves 60k events")
	}
	t.Parallel()
	pg := dbtest.StartServer(t)
	pool := pg.Pool(t)
	r := retentionUnderFault(t, testenv.SharedTemporal(t).Client(t), pool, testenv.Bucket(t), func() func() { pg.Restart(2 * time.Second); return nil })
	require.Positive(t, r.writeFailures, "the writer saw the database go away")
}

// TestAuditRetentionTemporalRestarted kills the Temporal server (SIGKILL) while
// AuditRetentionWorkflow is archiving and a writer keeps ingesting; ingestion does not depend
// on Temporal, so no write may fail.
func TestAuditRetentionTemporalRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Temporal server and moves 60k events")
	}
	t.Parallel()
	ts := testenv.StartTemporal(t)
	r := retentionUnderFault(t, ts.Client(t), dbtest.New(t), testenv.Bucket(t), func() func() { ts.Restart(t, 2*time.Second); return nil })
	require.Zero(t, r.writeFailures, "ingestion never waits on Temporal")
}

// TestAuditRetentionS3Faults archives through a proxy that makes S3 fail (500, 503, resets
// before and after the request took effect, slow requests) on every other request once
// archiving has begun: parts are retried until the read-back check passes, and nothing is
// deleted from Postgres that is not safely archived.
func TestAuditRetentionS3Faults(t *testing.T) {
	if testing.Short() {
		t.Skip("moves 60k events through a faulty S3 proxy")
	}
	t.Parallel()
	faulty := testenv.StartFaultyS3(t)
	faulty.SlowFor = time.Second
	cycle := []testenv.Fault{testenv.Fail500, testenv.Fail503, testenv.Reset, testenv.Slow, testenv.ResetAnswer}
	r := retentionUnderFault(t, testenv.SharedTemporal(t).Client(t), dbtest.New(t), faulty.Bucket(t), func() func() {
		faulty.Plan(func(n int, _ *http.Request) testenv.Fault {
			if n%2 == 0 {
				return cycle[(n/2)%len(cycle)]
			}
			return testenv.Pass
		})
		return func() { faulty.Plan(nil) }
	})
	require.Zero(t, r.writeFailures, "ingestion never waits on S3")
	require.GreaterOrEqual(t, faulty.Injected(), int64(5), "faults were injected")
}

type faultRun struct{ writeFailures int }

// retentionUnderFault seeds three old days (60k events), starts AuditRetentionWorkflow with
// real activities archiving to store while a writer ingests fresh events, calls fault once
// archiving has begun, and waits for the run to complete (then calls the heal function fault
// returned, if any). Then every archived event is in exactly one tier, every acknowledged
// write is stored once, and the chain verifies.
func retentionUnderFault(t *testing.T, c client.Client, pool *pgxpool.Pool, store *blob.Store, fault func() (heal func())) faultRun {
	t.Helper()
	ctx := context.Background()
	svc, org, old := retentionFixture(t, pool, store)

	// The writer sends batches of fresh events and retries a failed batch with the same ids
	// until it is acknowledged, as a client of POST /audit-events does.
	var run faultRun
	var acked []string
	stop, writerDone := make(chan struct{}), make(chan struct{})
	stopWriter := sync.OnceFunc(func() { close(stop); <-writerDone })
	t.Cleanup(stopWriter) // also when an assertion fails before the writer is stopped below
	go func() {
		defer close(writerDone)
		for {
			batch := make([]audit.IngestItem, 20)
			for i := range batch {
				batch[i] = audit.IngestItem{ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: time.Now().UTC().Format(time.RFC3339Nano),
					EventType: "workflow.executed", Category: "WORKFLOWS", ActorType: "SYSTEM"}
			}
			for {
				if _, err := svc.Ingest(ctx, org, batch); err == nil {
					break
				}
				run.writeFailures++
				select {
				case <-stop: // an unacknowledged batch is not counted
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
			for _, it := range batch {
				acked = append(acked, it.ID)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()

	queue := "audit-fault-" + uuid.NewString()[:8]
	acts := Activities{Maintenance: &activities.Maintenance{DB: pool, Idempotency: idempotency.NewStore(pool)},
		AuditRetention: &activities.AuditRetention{Audit: svc, Region: "us"}}
	w := worker.New(c, queue, worker.Options{})
	Register(w, acts)
	require.NoError(t, w.Start())
	defer w.Stop()
	opts := AuditRetentionStartOptions(queue, time.Now())
	opts.ID = "audit-retention/fault-" + uuid.NewString()[:8]
	wf, err := c.ExecuteWorkflow(ctx, opts, WorkflowAuditRetention, AuditRetentionInput{})
	require.NoError(t, err)
	require.Eventually(t, func() bool { _, cold := auditTiers(t, pool, org); return cold > 0 }, 60*time.Second, 20*time.Millisecond)
	_, coldBefore := auditTiers(t, pool, org)
	heal := fault()

	wctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	var res AuditRetentionResult
	require.NoError(t, wf.Get(wctx, &res))
	if heal != nil {
		heal()
	}
	stopWriter()
	require.Less(t, coldBefore, old, "the fault came before archiving finished")

	var oldHot, recentHot int
	cutoff := time.Now().UTC().AddDate(0, 0, -5).Truncate(24 * time.Hour)
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FILTER (WHERE occurred_at < $2), count(*) FILTER (WHERE occurred_at >= $2) FROM audit_event WHERE org_id = $1",
		org, cutoff).Scan(&oldHot, &recentHot))
	_, cold := auditTiers(t, pool, org)
	require.Zero(t, oldHot)
	require.Equal(t, old, cold, "every archived event is in exactly one tier")
	var present int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM audit_event WHERE org_id = $1 AND id = ANY($2::uuid[])", org, acked).Scan(&present))
	require.Equal(t, len(acked), present, "every acknowledged write is stored")
	require.Equal(t, len(acked)+1, recentHot, "the acknowledged writes and the policy change, each once")
	awaitSealed(t, svc, org)
	v, err := svc.Verify(ctx, org, time.Now().AddDate(0, 0, -30), time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, v.OK, "%+v", v.FirstBreak)
	require.Equal(t, old, v.ColdEvents)
	return run
}

// retentionFixture makes an org with a five-day hot window and 61,500 sealed events on three
// older days, and returns its audit service (archiving to store), its id and the event count.
func retentionFixture(t *testing.T, pool *pgxpool.Pool, store *blob.Store) (*audit.Service, uuid.UUID, int) {
	t.Helper()
	ctx := context.Background()
	svc := audit.NewService(pool, store, nil, nil)
	org := uuid.New()
	_, err := pool.Exec(ctx, "INSERT INTO organization (id, slug, name, region) VALUES ($1, 'acme', 'Acme', 'us')", org)
	require.NoError(t, err)
	_, err = svc.PutPolicy(ctx, org, 5, 365, nil)
	require.NoError(t, err)
	const perDay, days = 20500, 3
	seedOldDays(t, pool, org, perDay, days)
	awaitSealed(t, svc, org)
	return svc, org, perDay * days
}

// seedOldDays writes perDay events on each of days whole UTC days starting eight days ago, so
// a five-day hot window leaves them all to archive.
func seedOldDays(t *testing.T, pool *pgxpool.Pool, org uuid.UUID, perDay, days int) {
	t.Helper()
	ctx := context.Background()
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
		_, err := q.AuditEventRegisterIDs(ctx, dbsqlc.AuditEventRegisterIDsParams{OrgID: org, Ids: ids, OccurredAts: ats})
		require.NoError(t, err)
		_, err = q.AuditEventCopy(ctx, rows)
		require.NoError(t, err)
	}
}

// auditTiers counts the org's events in each tier.
func auditTiers(t *testing.T, pool *pgxpool.Pool, org uuid.UUID) (hot, cold int) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM audit_event WHERE org_id = $1", org).Scan(&hot))
	require.NoError(t, pool.QueryRow(ctx, "SELECT coalesce(sum(row_count), 0) FROM audit_archive WHERE org_id = $1", org).Scan(&cold))
	return hot, cold
}

// awaitSealed waits until every event is sealed into the chain (sealing waits for the
// server-wide transaction horizon), which archiving requires.
func awaitSealed(t *testing.T, svc *audit.Service, org uuid.UUID) {
	t.Helper()
	require.Eventually(t, func() bool {
		v, err := svc.Verify(context.Background(), org, time.Now().AddDate(0, 0, -30), time.Now().Add(time.Hour))
		return err == nil && v.UnsealedEvents == 0
	}, 120*time.Second, 100*time.Millisecond)
}
