// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package exportbench measures the organization data export (SPEC §10): N execution rows
// streamed from Postgres to a multipart upload on the real S3 gateway, in rows/s and peak RSS,
// against `psql \copy (same query) to file csv` in the same run. It runs only when
// BENCH_EXPORT_ROWS is set (bench/export.sh sets it) and writes the "Export" section of
// bench/RESULTS.md.
package exportbench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

type noWorkflow struct{}

func (noWorkflow) StartExport(context.Context, uuid.UUID, uuid.UUID) error { return nil }
func (noWorkflow) CancelExport(context.Context, uuid.UUID, uuid.UUID) error {
	return export.ErrNoWorkflow
}

func TestExportBenchmark(t *testing.T) {
	rowsEnv := os.Getenv("BENCH_EXPORT_ROWS")
	if rowsEnv == "" {
		t.Skip("set BENCH_EXPORT_ROWS (bench/export.sh) to run the export benchmark")
	}
	n, err := strconv.Atoi(rowsEnv)
	require.NoError(t, err)
	ctx := context.Background()
	name := dbtest.NewDatabase(t)
	pool, err := pgxpool.New(ctx, dbtest.URLFor(name))
	require.NoError(t, err)
	defer pool.Close()
	store := testenv.Bucket(t)
	org, err := identity.NewService(pool, config.Config{Region: "us"}).CreateOrg(ctx, identity.CreateOrgInput{Name: "Bench", Slug: "bench"})
	require.NoError(t, err)

	// Realistic rows: ids, names, an email, uuids, timestamps, numbers, an occasional error.
	start := time.Now()
	_, err = pool.Exec(ctx, `
		INSERT INTO execution_event (org_id, execution_id, workflow_id, workflow_name, workflow_version, project_id, project_name,
		    workspace_id, workspace_name, user_id, user_email, trigger_type, status, started_at, finished_at, duration_ms,
		    credits, cost_usd, error_code, error_message)
		SELECT $1, 'exec-' || i, 'wf-' || (i % 5000), 'Workflow number ' || (i % 5000), i % 7, 'proj-' || (i % 300),
		       'Project ' || (i % 300), md5((i % 50)::text)::uuid, 'Workspace ' || (i % 50), md5((i % 2000)::text || 'u')::uuid,
		       'user' || (i % 2000) || '@example.com', 'WEBHOOK', CASE WHEN i % 20 = 0 THEN 'FAILED' ELSE 'COMPLETED' END,
		       timestamptz '2026-01-01' + i * interval '1 second', timestamptz '2026-01-01' + i * interval '1 second' + interval '1500 ms',
		       1500, (i % 100) / 10.0, (i % 1000) / 100000.0,
		       CASE WHEN i % 20 = 0 THEN 'TIMEOUT' END, CASE WHEN i % 20 = 0 THEN 'step "http" timed out, after 30s' END
		FROM generate_series(1, $2::int) AS i`, org.ID, n)
	require.NoError(t, err)
	_, err = pool.Exec(ctx, "VACUUM ANALYZE execution_event")
	require.NoError(t, err)
	t.Logf("inserted %d rows in %s", n, time.Since(start))

	svc := export.NewService(pool, store, noWorkflow{}, nil, nil)
	to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n+10) * time.Second)
	x, err := svc.Request(ctx, org.ID, export.RequestInput{Type: "EXECUTIONS", From: "2026-01-01T00:00:00Z", To: to.Format(time.RFC3339)})
	require.NoError(t, err)
	_, err = svc.Begin(ctx, org.ID, x.ID)
	require.NoError(t, err)

	// Reference: psql \copy of the same query (same columns, filter, snapshot and order).
	snap := ""
	require.NoError(t, pool.QueryRow(ctx, "SELECT snapshot FROM data_export WHERE id = $1", x.ID).Scan(&snap))
	query := fmt.Sprintf(`SELECT execution_id, workflow_id, workflow_name, workflow_version, project_id, project_name, workspace_id,
		workspace_name, user_id, user_email, agent_id, trigger_type, status, started_at, finished_at, duration_ms, credits, cost_usd,
		error_code, error_message FROM execution_event WHERE org_id = '%s' AND started_at >= '2026-01-01T00:00:00Z' AND started_at < '%s'
		AND pg_visible_in_snapshot(ingest_xid, '%s'::pg_snapshot) ORDER BY started_at, execution_id`, org.ID, to.Format(time.RFC3339), snap)
	out := filepath.Join(t.TempDir(), "psql.csv")
	query = strings.Join(strings.Fields(query), " ")
	cmd := exec.Command("psql", dbtest.URLFor(name), "-X", "-q", "-c", `\copy (`+query+`) to '`+out+`' csv header`)
	cmd.Env = append(os.Environ(), "TZ=UTC", "PGTZ=UTC")
	start = time.Now()
	msg, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	psqlTime := time.Since(start)
	psqlRSS := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB
	st, err := os.Stat(out)
	require.NoError(t, err)

	// The export, measured in-process: the peak RSS is reset first so it reflects the export.
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	baseRSS := vmHWM(t)
	w := &export.Writer{DB: pool, Blob: store}
	start = time.Now()
	f, err := w.Write(ctx, org.ID, x.ID, nil, func(export.Checkpoint) error { return nil })
	require.NoError(t, err)
	exportTime := time.Since(start)
	peakRSS := vmHWM(t)
	require.EqualValues(t, n, f.Rows)
	_, err = store.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &store.Bucket, Key: &f.Key})
	require.NoError(t, err)

	rate := float64(n) / exportTime.Seconds()
	psqlRate := float64(n) / psqlTime.Seconds()
	t.Logf("export: %d rows, %d bytes in %s = %.0f rows/s, peak RSS %d MiB (before: %d MiB)", n, f.SizeBytes, exportTime, rate, peakRSS>>10, baseRSS>>10)
	t.Logf("psql \\copy: %d bytes in %s = %.0f rows/s, peak RSS %d MiB", st.Size(), psqlTime, psqlRate, psqlRSS>>10)

	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	section := fmt.Sprintf(`## Export

`+"`bench/export.sh`"+` (BENCH_EXPORT_ROWS=%d): EXECUTIONS export of %d rows (%.0f MiB of CSV) from Postgres
through the real export writer (keyset pages of %d, snapshot filter, CSV with formula escaping,
8 MiB multipart parts) into the Versity S3 gateway on the same machine, against `+"`psql \\copy (same query) to file csv`"+`
in the same run. Run %s, commit %s.

| path | rows/s | time | peak RSS |
|---|---|---|---|
| export writer → S3 multipart | %.0f | %s | %d MiB (process high-water mark during the export) |
| psql `+"`\\copy`"+` → local file | %.0f | %s | %d MiB (psql process) |

Ratio export / psql: %.2f. SPEC target: ≥ 150k rows/s and peak RSS ≤ 200 MiB at 10M rows; memory is
two 8 MiB part buffers (one filling, one uploading) plus two pages of rows, independent of the row
count. Load average during the run: %s.
`, n, n, float64(f.SizeBytes)/(1<<20), export.DefaultPageSize, time.Now().UTC().Format("2006-01-02 15:04 UTC"), strings.TrimSpace(string(commit)),
		rate, exportTime.Round(time.Millisecond), peakRSS>>10, psqlRate, psqlTime.Round(time.Millisecond), psqlRSS>>10, rate/psqlRate, loadAvg())
	writeSection(t, "Export", section)
}

// vmHWM returns the process's peak resident set size in KiB.
func vmHWM(t *testing.T) int64 {
	f, err := os.Open("/proc/self/status")
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			return kb
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// writeSection replaces (or appends) one "## name" section of bench/RESULTS.md.
func writeSection(t *testing.T, name, body string) {
	path := filepath.Join("..", "RESULTS.md")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	s := string(raw)
	re := regexp.MustCompile(`(?ms)^## ` + regexp.QuoteMeta(name) + `\n.*?(?:^## |\z)`)
	if loc := re.FindStringIndex(s); loc != nil {
		end := loc[1]
		if strings.HasSuffix(s[loc[0]:end], "## ") {
			end -= 3
		}
		s = s[:loc[0]] + body + "\n" + s[end:]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + body
	}
	require.NoError(t, os.WriteFile(path, []byte(s), 0o644))
}

// loadAvg is the 1-minute load average: shared machines make timings noisy, so it is recorded.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}
