// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// noWorkflow is a Starter for tests that drive the writer directly instead of through Temporal.
type noWorkflow struct{}

func (noWorkflow) StartExport(context.Context, uuid.UUID, uuid.UUID) error  { return nil }
func (noWorkflow) CancelExport(context.Context, uuid.UUID, uuid.UUID) error { return ErrNoWorkflow }

type writerEnv struct {
	t     *testing.T
	pool  *pgxpool.Pool
	store *blob.Store
	svc   *Service
	org   uuid.UUID
}

func newWriterEnv(t *testing.T, rows int) *writerEnv {
	t.Helper()
	pool := dbtest.New(t)
	store := testenv.Bucket(t)
	org, err := identity.NewService(pool, config.Config{Region: "us"}).CreateOrg(context.Background(), identity.CreateOrgInput{Name: "W", Slug: "w"})
	require.NoError(t, err)
	e := &writerEnv{t: t, pool: pool, store: store, svc: NewService(pool, store, noWorkflow{}, nil, nil), org: org.ID}
	e.insertExecutions(0, rows)
	return e
}

// insertExecutions adds rows [from, to) with varied, CSV-hostile text.
func (e *writerEnv) insertExecutions(from, to int) {
	e.t.Helper()
	_, err := e.pool.Exec(context.Background(), `
		INSERT INTO execution_event (org_id, execution_id, workflow_id, workflow_name, status, started_at, duration_ms, credits, error_message)
		SELECT $1, 'ex-' || lpad(i::text, 8, '0'), 'wf-' || (i % 17), CASE WHEN i % 5 = 0 THEN '=cmd|' || i ELSE 'name "' || i || '", ok' END,
		       'COMPLETED', timestamptz '2026-02-01' + (i % 1000) * interval '1 minute', i, (i % 100) / 8.0,
		       CASE WHEN i % 7 = 0 THEN E'multi\nline ' || repeat('x', i % 50) ELSE repeat('y', 300 + i % 100) END
		FROM generate_series($2::int, $3::int - 1) AS i`, e.org, from, to)
	require.NoError(e.t, err)
}

func (e *writerEnv) request() uuid.UUID {
	e.t.Helper()
	x, err := e.svc.Request(context.Background(), e.org, RequestInput{Type: "EXECUTIONS", From: "2026-01-01T00:00:00Z", To: "2026-06-01T00:00:00Z"})
	require.NoError(e.t, err)
	_, err = e.svc.Begin(context.Background(), e.org, x.ID)
	require.NoError(e.t, err)
	return x.ID
}

// object downloads a finished file and returns its hex sha256 and size.
func (e *writerEnv) object(key string) (string, int64) {
	e.t.Helper()
	rc, err := e.store.Get(context.Background(), key)
	require.NoError(e.t, err)
	defer func() { _ = rc.Close() }()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	require.NoError(e.t, err)
	return hex.EncodeToString(h.Sum(nil)), n
}

func (e *writerEnv) noUploadsLeft() {
	e.t.Helper()
	out, err := e.store.Client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &e.store.Bucket})
	require.NoError(e.t, err)
	require.Empty(e.t, out.Uploads)
}

var errInjected = errors.New("injected failure")

// TestWriterResume interrupts the write at several points — after a part, with a stale
// checkpoint, before and after completing the upload — and checks every resumed export has
// the same bytes as an uninterrupted one, with rows inserted meanwhile left out (snapshot)
// and no multipart upload left behind.
func TestWriterResume(t *testing.T) {
	t.Parallel()
	const n = 55000
	e := newWriterEnv(t, n)
	ctx := context.Background()
	newWriter := func() *Writer { return &Writer{DB: e.pool, Blob: e.store, PartSize: 5 << 20, PageSize: 700} }

	refID := e.request()
	ids := map[string]uuid.UUID{}
	for _, name := range []string{"after part", "stale checkpoint", "before complete", "after complete", "upload aborted", "parts lost"} {
		ids[name] = e.request()
	}
	// Rows ingested after the requests are not part of any of these exports.
	e.insertExecutions(n, n+500)

	ref, err := newWriter().Write(ctx, e.org, refID, nil, func(Checkpoint) error { return nil })
	require.NoError(t, err)
	require.EqualValues(t, n, ref.Rows)
	sum, size := e.object(ref.Key)
	require.Equal(t, ref.SHA256, sum)
	require.Equal(t, ref.SizeBytes, size)
	require.Greater(t, size, int64(4*5<<20), "the test needs several parts")

	for name, id := range ids {
		t.Run(name, func(t *testing.T) {
			var cps []Checkpoint
			save := func(cp Checkpoint) error { cps = append(cps, cp); return nil }
			w := newWriter()
			switch name {
			case "after part", "stale checkpoint", "upload aborted", "parts lost":
				w.AfterPart = func(_ context.Context, part int32) error {
					if part == 3 {
						return errInjected
					}
					return nil
				}
			case "before complete":
				w.BeforeComplete = func(context.Context) error { return errInjected }
			}
			f, err := w.Write(ctx, e.org, id, nil, save)
			var resume Checkpoint
			switch name {
			case "after complete":
				// The crash came after S3 assembled the object, before the activity returned.
				require.NoError(t, err)
				resume = cps[len(cps)-1]
				require.True(t, resume.Completing)
			case "stale checkpoint":
				require.ErrorIs(t, err, errInjected)
				// The server may only have an older heartbeat: parts 2 and 3 are redone.
				resume = cps[1]
				require.EqualValues(t, 1, resume.Parts)
			case "upload aborted":
				require.ErrorIs(t, err, errInjected)
				resume = cps[len(cps)-1]
				require.NoError(t, AbortUploads(ctx, e.store, ObjectKey(e.org, id)))
			case "parts lost":
				// The checkpoint names parts the upload does not have: start over cleanly.
				require.ErrorIs(t, err, errInjected)
				resume = cps[len(cps)-1]
				resume.Parts += 2
			default:
				require.ErrorIs(t, err, errInjected)
				resume = cps[len(cps)-1]
			}
			f, err = newWriter().Write(ctx, e.org, id, &resume, func(Checkpoint) error { return nil })
			require.NoError(t, err)
			require.Equal(t, ref.Rows, f.Rows)
			require.Equal(t, ref.SizeBytes, f.SizeBytes)
			require.Equal(t, ref.SHA256, f.SHA256)
			sum, size := e.object(f.Key)
			require.Equal(t, ref.SHA256, sum)
			require.Equal(t, ref.SizeBytes, size)
		})
	}
	e.noUploadsLeft()
}

// TestWriterFailCleansUp checks that ending a failed export aborts its upload.
func TestWriterFailCleansUp(t *testing.T) {
	t.Parallel()
	e := newWriterEnv(t, 100)
	ctx := context.Background()
	id := e.request()
	w := &Writer{DB: e.pool, Blob: e.store, PartSize: 5 << 20, AfterPart: func(context.Context, int32) error { return errInjected }}
	_, err := w.Write(ctx, e.org, id, nil, func(Checkpoint) error { return nil })
	require.ErrorIs(t, err, errInjected)
	require.NoError(t, e.svc.Fail(ctx, e.org, id, Failed, "boom"))
	e.noUploadsLeft()
	x, err := e.svc.Get(ctx, e.org, id)
	require.NoError(t, err)
	require.Equal(t, Failed, x.Status)
	require.Equal(t, "boom", *x.Error)
	// A finished export is not written again.
	_, err = (&Writer{DB: e.pool, Blob: e.store}).Write(ctx, e.org, id, nil, func(Checkpoint) error { return nil })
	require.Error(t, err)
	// Failing twice is a no-op.
	require.NoError(t, e.svc.Fail(ctx, e.org, id, Failed, "again"))
}

// TestCompleteOnce checks that completing twice (a retried activity) records one audit event
// and counts the rows once, and that the request and failure are audited too.
func TestCompleteOnce(t *testing.T) {
	t.Parallel()
	e := newWriterEnv(t, 10)
	ctx := context.Background()
	reg := prometheus.NewRegistry()
	svc := NewService(e.pool, e.store, noWorkflow{}, reg, nil)
	id := e.request()
	f, err := (&Writer{DB: e.pool, Blob: e.store}).Write(ctx, e.org, id, nil, func(Checkpoint) error { return nil })
	require.NoError(t, err)
	require.NoError(t, svc.Complete(ctx, e.org, id, f))
	require.NoError(t, svc.Complete(ctx, e.org, id, f))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	require.Len(t, mfs, 1)
	require.Equal(t, "bytechef_export_rows_total", mfs[0].GetName())
	require.Equal(t, 10.0, mfs[0].GetMetric()[0].GetCounter().GetValue())
	failed := e.request()
	require.NoError(t, svc.Fail(ctx, e.org, failed, Failed, "boom"))
	count := func(typ string) (n int) {
		require.NoError(t, e.pool.QueryRow(ctx, "SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = $2", e.org, typ).Scan(&n))
		return n
	}
	require.Equal(t, 2, count("export.requested"))
	require.Equal(t, 1, count("export.completed"))
	require.Equal(t, 1, count("export.failed"))
	x, err := svc.Get(ctx, e.org, id)
	require.NoError(t, err)
	require.Equal(t, Completed, x.Status)
	require.Equal(t, f.SHA256, *x.SHA256)
	require.EqualValues(t, 10, *x.RowCount)
	// Another org sees nothing.
	_, err = svc.Get(ctx, uuid.New(), id)
	require.Error(t, err)
}
