// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package workflows

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

func TestExportNamesMatch(t *testing.T) {
	// internal/export starts the workflow by name with its own input type; both must match.
	require.Equal(t, WorkflowOrgExport, export.WorkflowName)
	require.Equal(t, OrgExportInput(export.WorkflowInput{OrgID: "o", ExportID: "e"}), OrgExportInput{OrgID: "o", ExportID: "e"})
}

func exportTestEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, OrgExportInput) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Export
	env.RegisterActivityWithOptions(a.BeginExport, activity.RegisterOptions{Name: ActivityExportBegin})
	env.RegisterActivityWithOptions(a.WriteExport, activity.RegisterOptions{Name: ActivityExportWrite})
	env.RegisterActivityWithOptions(a.CompleteExport, activity.RegisterOptions{Name: ActivityExportComplete})
	env.RegisterActivityWithOptions(a.EndExport, activity.RegisterOptions{Name: ActivityExportEnd})
	return env, OrgExportInput{OrgID: uuid.NewString(), ExportID: uuid.NewString()}
}

func TestOrgExportWorkflowCompletes(t *testing.T) {
	env, in := exportTestEnv(t)
	ref := activities.ExportRef{OrgID: in.OrgID, ExportID: in.ExportID}
	file := activities.ExportFile{Key: "exports/x.csv", Rows: 10, SizeBytes: 100, SHA256: "abc"}
	env.OnActivity(ActivityExportBegin, mock.Anything, ref).Return(nil).Once()
	env.OnActivity(ActivityExportWrite, mock.Anything, ref).Return(file, nil).Once()
	env.OnActivity(ActivityExportComplete, mock.Anything, ref, file).Return(nil).Once()
	env.ExecuteWorkflow(OrgExportWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res OrgExportResult
	require.NoError(t, env.GetWorkflowResult(&res))
	require.Equal(t, OrgExportResult{Status: "COMPLETED", Rows: 10, SizeBytes: 100, SHA256: "abc"}, res)
	env.AssertExpectations(t)
}

func TestOrgExportWorkflowRetriesThenFails(t *testing.T) {
	env, in := exportTestEnv(t)
	ref := activities.ExportRef{OrgID: in.OrgID, ExportID: in.ExportID}
	var writes atomic.Int32
	env.OnActivity(ActivityExportBegin, mock.Anything, ref).Return(nil)
	// A transient error is retried; a permanent (non-retryable) one ends the export with its text.
	env.OnActivity(ActivityExportWrite, mock.Anything, ref).Return(func(context.Context, activities.ExportRef) (activities.ExportFile, error) {
		if writes.Add(1) < 3 {
			return activities.ExportFile{}, errors.New("s3 503")
		}
		return activities.ExportFile{}, temporal.NewNonRetryableApplicationError("the export is larger than 10000 parts", "validation_failed", nil)
	})
	var end activities.ExportEnd
	env.OnActivity(ActivityExportEnd, mock.Anything, ref, mock.Anything).Return(func(_ context.Context, _ activities.ExportRef, e activities.ExportEnd) error {
		end = e
		return nil
	})
	env.ExecuteWorkflow(OrgExportWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError())
	require.EqualValues(t, 3, writes.Load())
	require.False(t, end.Cancelled)
	require.Contains(t, end.Reason, "larger than 10000 parts")
}

func TestOrgExportWorkflowCancelled(t *testing.T) {
	env, in := exportTestEnv(t)
	ref := activities.ExportRef{OrgID: in.OrgID, ExportID: in.ExportID}
	env.OnActivity(ActivityExportBegin, mock.Anything, ref).Return(nil)
	env.OnActivity(ActivityExportWrite, mock.Anything, ref).Return(func(ctx context.Context, _ activities.ExportRef) (activities.ExportFile, error) {
		<-ctx.Done()
		return activities.ExportFile{}, ctx.Err()
	})
	var end activities.ExportEnd
	env.OnActivity(ActivityExportEnd, mock.Anything, ref, mock.Anything).Return(func(_ context.Context, _ activities.ExportRef, e activities.ExportEnd) error {
		end = e
		return nil
	})
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	env.ExecuteWorkflow(OrgExportWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.True(t, temporal.IsCanceledError(env.GetWorkflowError()), "%v", env.GetWorkflowError())
	require.True(t, end.Cancelled)
}

// liveExport is a real worker on the Temporal dev server with real activities over Postgres
// and the S3 gateway.
type liveExport struct {
	t       *testing.T
	pool    *pgxpool.Pool
	store   *blob.Store
	c       client.Client
	queue   string
	svc     *export.Service
	org     uuid.UUID
	starter *testStarter
}

// testStarter is the real Temporal starter, but lets a test request exports first and start
// their workflows later (auto=false), so each runs on the worker the test chooses.
type testStarter struct {
	export.TemporalStarter
	auto bool
}

func (s *testStarter) StartExport(ctx context.Context, orgID, exportID uuid.UUID) error {
	if !s.auto {
		return nil
	}
	return s.TemporalStarter.StartExport(ctx, orgID, exportID)
}

func newLiveExport(t *testing.T, rows int) *liveExport {
	t.Helper()
	return newLiveExportOn(t, rows, dbtest.New(t), testenv.Bucket(t))
}

// newLiveExportOn is newLiveExport on a given database, writing through store.
func newLiveExportOn(t *testing.T, rows int, pool *pgxpool.Pool, store *blob.Store) *liveExport {
	t.Helper()
	l := &liveExport{t: t, pool: pool, store: store, c: testenv.SharedTemporal(t).Client(t)}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	l.queue = "export-wf-" + hex.EncodeToString(b)
	l.starter = &testStarter{TemporalStarter: export.TemporalStarter{Client: l.c, TaskQueue: l.queue}, auto: true}
	l.svc = export.NewService(l.pool, l.store, l.starter, nil, nil)
	org, err := identity.NewService(l.pool, config.Config{Region: "us"}).CreateOrg(context.Background(), identity.CreateOrgInput{Name: "L", Slug: "l"})
	require.NoError(t, err)
	l.org = org.ID
	_, err = l.pool.Exec(context.Background(), `
		INSERT INTO execution_event (org_id, execution_id, workflow_id, workflow_name, status, started_at, error_message)
		SELECT $1, 'ex-' || i, 'wf', '@name ' || i, 'COMPLETED', timestamptz '2026-02-01' + i * interval '1 second', repeat('z', 400)
		FROM generate_series(1, $2::int) AS i`, l.org, rows)
	require.NoError(t, err)
	return l
}

func (l *liveExport) startWorker(w *export.Writer) worker.Worker {
	wk := worker.New(l.c, l.queue, worker.Options{})
	Register(wk, Activities{Export: &activities.Export{Service: l.svc, Writer: w}})
	require.NoError(l.t, wk.Start())
	return wk
}

func (l *liveExport) request() export.Export {
	x, err := l.svc.Request(context.Background(), l.org, export.RequestInput{Type: "EXECUTIONS", From: "2026-01-01T00:00:00Z", To: "2026-06-01T00:00:00Z"})
	require.NoError(l.t, err)
	return x
}

func (l *liveExport) result(x export.Export) (OrgExportResult, error) {
	var res OrgExportResult
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := l.c.GetWorkflow(ctx, export.WorkflowID(l.org, x.ID), "").Get(ctx, &res)
	return res, err
}

// maxAttempt is the highest activity attempt in the export's workflow history.
func (l *liveExport) maxAttempt(x export.Export) int32 {
	var attempts int32
	it := l.c.GetWorkflowHistory(context.Background(), export.WorkflowID(l.org, x.ID), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(l.t, err)
		if a := ev.GetActivityTaskStartedEventAttributes(); a != nil {
			attempts = max(attempts, a.GetAttempt())
		}
	}
	return attempts
}

func (l *liveExport) noUploadsLeft() {
	out, err := l.store.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &l.store.Bucket})
	require.NoError(l.t, err)
	require.Empty(l.t, out.Uploads)
}

// TestOrgExportResumesOnRealServer fails the first write attempt after its first part and
// then kills a worker in the middle of an upload; both exports complete with the row count
// and checksum of an uninterrupted run, and no multipart upload is left behind.
func TestOrgExportResumesOnRealServer(t *testing.T) {
	t.Parallel()
	l := newLiveExport(t, 20000) // ~9 MiB of CSV: two 5 MiB parts
	ctx := context.Background()
	l.starter.auto = false
	ref := l.request()
	failed, killed := l.request(), l.request()
	w0 := &export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20}
	base, err := w0.Write(ctx, l.org, ref.ID, nil, func(export.Checkpoint) error { return nil })
	require.NoError(t, err)
	require.EqualValues(t, 20000, base.Rows)

	// 1. An injected error after part 1 on the first attempt; attempt 2 must resume (it sees
	// the checkpoint in its heartbeat details and uploads only part 2).
	var resumedWith atomic.Int32
	w1 := &export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20, AfterPart: func(ctx context.Context, part int32) error {
		info := activity.GetInfo(ctx)
		if info.WorkflowExecution.ID != export.WorkflowID(l.org, failed.ID) {
			return nil
		}
		if info.Attempt == 1 && part == 1 {
			return errors.New("injected: S3 went away")
		}
		if info.Attempt > 1 && activity.HasHeartbeatDetails(ctx) {
			resumedWith.Store(part)
		}
		return nil
	}}
	wk := l.startWorker(w1)
	defer wk.Stop()
	require.NoError(t, l.starter.TemporalStarter.StartExport(ctx, l.org, failed.ID))
	res, err := l.result(failed)
	require.NoError(t, err)
	require.Equal(t, OrgExportResult{Status: "COMPLETED", Rows: base.Rows, SizeBytes: base.SizeBytes, SHA256: base.SHA256}, res)
	require.EqualValues(t, 2, resumedWith.Load(), "the retry did not resume from the checkpoint")
	if os.Getenv("RECORD_HISTORIES") != "" {
		recordExportHistory(t, l.c, export.WorkflowID(l.org, failed.ID), "testdata/export_resumed.json")
	}

	// 2. The worker dies (hangs, then stops) in the middle of the upload; another worker
	// picks the export up after the heartbeat timeout and resumes it.
	wk.Stop()
	prev := ExportHeartbeatTimeout
	ExportHeartbeatTimeout = 3 * time.Second
	defer func() { ExportHeartbeatTimeout = prev }()
	hung := make(chan struct{})
	var once atomic.Bool
	w2 := &export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20, AfterPart: func(ctx context.Context, part int32) error {
		if activity.GetInfo(ctx).Attempt == 1 && once.CompareAndSwap(false, true) {
			close(hung)
			<-ctx.Done() // the dead worker never finishes
			return ctx.Err()
		}
		return nil
	}}
	dying := l.startWorker(w2)
	require.NoError(t, l.starter.TemporalStarter.StartExport(ctx, l.org, killed.ID))
	<-hung
	dying.Stop()
	healthy := l.startWorker(&export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20})
	defer healthy.Stop()
	res, err = l.result(killed)
	require.NoError(t, err)
	require.Equal(t, OrgExportResult{Status: "COMPLETED", Rows: base.Rows, SizeBytes: base.SizeBytes, SHA256: base.SHA256}, res)
	got, err := l.svc.Get(ctx, l.org, killed.ID)
	require.NoError(t, err)
	require.Equal(t, export.Completed, got.Status)
	require.Equal(t, base.SHA256, *got.SHA256)
	l.noUploadsLeft()

	// A duplicate start of a finished export does not run it again.
	require.NoError(t, export.TemporalStarter{Client: l.c, TaskQueue: l.queue}.StartExport(ctx, l.org, killed.ID))
	desc, err := l.c.DescribeWorkflow(ctx, export.WorkflowID(l.org, killed.ID), "")
	require.NoError(t, err)
	info := desc.RawResponse.WorkflowExecutionInfo
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, info.Status)
	// Operators find an org's exports by search attributes; the memo carries a summary.
	fields := info.SearchAttributes.GetIndexedFields()
	require.Contains(t, string(fields["ByteChefOrgId"].GetData()), l.org.String())
	require.Contains(t, string(fields["ByteChefFeature"].GetData()), "AUDIT_LOGS")
	require.Contains(t, info.Memo.GetFields(), "summary")
}

// TestOrgExportSurvivesS3Faults writes an export through a proxy that makes S3 fail in every
// way SPEC §10 names — 500, 503, connection resets before and after the request took effect
// (CompleteMultipartUpload included), slow requests — and a burst of 503s on one part that
// outlasts the SDK's own retries (the activity retries and resumes). The export completes
// with the row count and checksum of an undisturbed one and leaves no multipart upload.
func TestOrgExportSurvivesS3Faults(t *testing.T) {
	t.Parallel()
	faulty := testenv.StartFaultyS3(t)
	faulty.SlowFor = 1500 * time.Millisecond
	l := newLiveExportOn(t, 20000, dbtest.New(t), faulty.Bucket(t)) // ~9 MiB of CSV: two 5 MiB parts
	ctx := context.Background()
	l.starter.auto = false
	ref, disturbed := l.request(), l.request()
	base, err := (&export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20}).Write(ctx, l.org, ref.ID, nil, func(export.Checkpoint) error { return nil })
	require.NoError(t, err)

	cycle := []testenv.Fault{testenv.Fail500, testenv.Fail503, testenv.Reset, testenv.Slow, testenv.ResetAnswer}
	var burst atomic.Int32
	faulty.Plan(func(n int, r *http.Request) testenv.Fault {
		q := r.URL.Query()
		switch {
		case r.Method == http.MethodPut && q.Get("partNumber") == "2" && burst.Add(1) <= 6:
			return testenv.Fail503 // two SDK attempts' worth: the activity itself must retry
		case r.Method == http.MethodPost && q.Has("uploadId"):
			return testenv.ResetAnswer // CompleteMultipartUpload took effect; the answer is lost
		case n%2 == 0:
			return cycle[(n/2)%len(cycle)]
		}
		return testenv.Pass
	})
	wk := l.startWorker(&export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20})
	defer wk.Stop()
	require.NoError(t, l.starter.TemporalStarter.StartExport(ctx, l.org, disturbed.ID))
	res, err := l.result(disturbed)
	require.NoError(t, err)
	require.Equal(t, OrgExportResult{Status: "COMPLETED", Rows: base.Rows, SizeBytes: base.SizeBytes, SHA256: base.SHA256}, res)
	require.GreaterOrEqual(t, faulty.Injected(), int64(8), "faults were injected")
	require.GreaterOrEqual(t, l.maxAttempt(disturbed), int32(2), "faults outlasted the SDK's own retries, so the activity retried and resumed")
	faulty.Plan(nil)
	l.noUploadsLeft()
	r, err := l.store.Get(ctx, export.ObjectKey(l.org, disturbed.ID))
	require.NoError(t, err)
	defer r.Close()
	h := sha256.New()
	_, err = io.Copy(h, r)
	require.NoError(t, err)
	require.Equal(t, base.SHA256, hex.EncodeToString(h.Sum(nil)), "the stored object is the export")
}

// TestOrgExportSurvivesPostgresCrash crashes Postgres (immediate shutdown, 2 s down) right
// after the export's first part is uploaded: the next page is read from the restarted
// database (the pool replaces its broken connections) under the export's recorded snapshot,
// whose transaction ids survive the crash, so the file has the row count and checksum of an
// undisturbed export.
func TestOrgExportSurvivesPostgresCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private Postgres cluster")
	}
	t.Parallel()
	pg := dbtest.StartServer(t)
	l := newLiveExportOn(t, 20000, pg.Pool(t), testenv.Bucket(t)) // ~9 MiB of CSV: two 5 MiB parts
	ctx := context.Background()
	l.starter.auto = false
	ref, disturbed := l.request(), l.request()
	base, err := (&export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20}).Write(ctx, l.org, ref.ID, nil, func(export.Checkpoint) error { return nil })
	require.NoError(t, err)

	var crashed atomic.Bool
	wk := l.startWorker(&export.Writer{DB: l.pool, Blob: l.store, PartSize: 5 << 20, AfterPart: func(ctx context.Context, part int32) error {
		if part == 1 && crashed.CompareAndSwap(false, true) {
			pg.Restart(2 * time.Second)
		}
		return nil
	}})
	defer wk.Stop()
	require.NoError(t, l.starter.TemporalStarter.StartExport(ctx, l.org, disturbed.ID))
	res, err := l.result(disturbed)
	require.NoError(t, err)
	require.True(t, crashed.Load())
	require.Equal(t, OrgExportResult{Status: "COMPLETED", Rows: base.Rows, SizeBytes: base.SizeBytes, SHA256: base.SHA256}, res)
	l.noUploadsLeft()
}

// TestOrgExportCancelledOnRealServer cancels an export whose workflow has not run yet: the
// workflow ends it as CANCELLED and leaves nothing in the bucket.
func TestOrgExportCancelledOnRealServer(t *testing.T) {
	t.Parallel()
	l := newLiveExport(t, 10)
	ctx := context.Background()
	x := l.request() // no worker yet: the workflow waits
	_, running, err := l.svc.Delete(ctx, l.org, x.ID)
	require.NoError(t, err)
	require.True(t, running)
	wk := l.startWorker(&export.Writer{DB: l.pool, Blob: l.store})
	defer wk.Stop()
	_, err = l.result(x)
	require.True(t, temporal.IsCanceledError(err), "%v", err)
	got, err := l.svc.Get(ctx, l.org, x.ID)
	require.NoError(t, err)
	require.Equal(t, export.Cancelled, got.Status)
	l.noUploadsLeft()
	// Cancelling again is a conflict: the export already ended.
	_, _, err = l.svc.Delete(ctx, l.org, x.ID)
	require.Error(t, err)
}

func recordExportHistory(t *testing.T, c client.Client, workflowID, file string) {
	t.Helper()
	hist := &historypb.History{}
	it := c.GetWorkflowHistory(context.Background(), workflowID, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		hist.Events = append(hist.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(hist)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, b, 0o644))
}

// TestReplayExportHistory replays a recorded export (a failed first write attempt, then a
// resumed one) against today's workflow code.
func TestReplayExportHistory(t *testing.T) {
	const file = "testdata/export_resumed.json"
	if _, err := os.Stat(file); err != nil {
		t.Skipf("%s not recorded yet (RECORD_HISTORIES=1)", file)
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(OrgExportWorkflow, workflow.RegisterOptions{Name: WorkflowOrgExport})
	require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file))
}
