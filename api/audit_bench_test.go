// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/metrics"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

// benchStack is the production engine on a real HTTP listener over a fresh database.
type benchStack struct {
	pool  *pgxpool.Pool
	svc   *audit.Service
	srv   *httptest.Server
	orgID uuid.UUID
	key   string
}

func newBenchStack(b *testing.B, withS3 bool) *benchStack {
	b.Helper()
	ctx := context.Background()
	cfg, err := config.Load(env(nil))
	if err != nil {
		b.Fatal(err)
	}
	pool := dbtest.New(b)
	ids := identity.NewService(pool, cfg)
	org, err := ids.CreateOrg(ctx, identity.CreateOrgInput{Name: "Bench", Slug: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := ids.CreateAPIKey(ctx, org.ID, identity.CreateKeyInput{Name: "ingest", Scopes: []string{"admin"}})
	if err != nil {
		b.Fatal(err)
	}
	var svc *audit.Service
	if withS3 {
		svc = audit.NewService(pool, testenv.Bucket(b), audit.NewMetrics(prometheus.NewRegistry()), nil)
	} else {
		svc = audit.NewService(pool, nil, audit.NewMetrics(prometheus.NewRegistry()), nil)
	}
	key, err := database.InstanceSecret(ctx, pool, "cursor")
	if err != nil {
		b.Fatal(err)
	}
	reg := metrics.NewRegistry()
	engine := NewEngine(EngineParams{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Identity: ids,
		Idempotency: idempotency.NewStore(pool), Cursors: cursor.NewCodec(key), Registry: reg, HTTPMetrics: metrics.NewHTTP(reg),
		Routes: []Routes{AuditRoutes{Audit: svc}}})
	srv := httptest.NewServer(engine)
	b.Cleanup(srv.Close)
	return &benchStack{pool: pool, svc: svc, srv: srv, orgID: org.ID, key: secret}
}

type benchEvent struct {
	ID               uuid.UUID       `json:"id"`
	OccurredAt       time.Time       `json:"occurred_at"`
	EventType        string          `json:"event_type"`
	Category         string          `json:"category"`
	ActorType        string          `json:"actor_type"`
	ActorUserID      uuid.UUID       `json:"actor_user_id"`
	ActorIP          string          `json:"actor_ip"`
	TargetEntityType string          `json:"target_entity_type"`
	TargetEntityID   string          `json:"target_entity_id"`
	ActionData       json.RawMessage `json:"action_data"`
}

func benchBatch(n int, at time.Time) []benchEvent {
	out := make([]benchEvent, n)
	for i := range out {
		out[i] = benchEvent{ID: uuid.Must(uuid.NewV7()), OccurredAt: at.Add(time.Duration(i) * time.Microsecond), EventType: "workflow.executed",
			Category: "WORKFLOWS", ActorType: "USER", ActorUserID: uuid.New(), ActorIP: "203.0.113.9", TargetEntityType: "workflow",
			TargetEntityID: "wf-" + strconv.Itoa(i%100), ActionData: json.RawMessage(`{"workflow":"nightly report","status":"COMPLETED","duration_ms":1234}`)}
	}
	return out
}

func (s *benchStack) post(b *testing.B, client *http.Client, batch []benchEvent) time.Duration {
	body, _ := json.Marshal(map[string]any{"events": batch})
	req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/audit-events", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.key)
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b.Fatalf("ingest answered %d", res.StatusCode)
	}
	return time.Since(start)
}

var copyColumns = []string{"id", "occurred_at", "event_type", "category", "actor_user_id", "actor_type", "actor_ip",
	"org_id", "target_entity_type", "target_entity_id", "action_data"}

func (s *benchStack) rawCopy(b *testing.B, batch []benchEvent) {
	rows := make([][]any, len(batch))
	for i, e := range batch {
		rows[i] = []any{e.ID, e.OccurredAt, e.EventType, e.Category, e.ActorUserID, e.ActorType, e.ActorIP, s.orgID,
			e.TargetEntityType, e.TargetEntityID, []byte(e.ActionData)}
	}
	if _, err := s.pool.CopyFrom(context.Background(), pgx.Identifier{"audit_event"}, copyColumns, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAuditIngest compares ingestion over HTTP (batches of 1000, acknowledged after
// commit, with dedup and validation) against a raw COPY of the same rows into the same table,
// with 1 and 4 concurrent clients. The metric to read is events/s.
func BenchmarkAuditIngest(b *testing.B) {
	s := newBenchStack(b, false)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	at := time.Now().Add(-time.Hour)
	for _, par := range []int{1, 4} {
		b.Run(fmt.Sprintf("http/clients=%d", par), func(b *testing.B) {
			runBatches(b, par, func() { s.post(b, client, benchBatch(1000, at)) })
		})
		b.Run(fmt.Sprintf("raw_copy/clients=%d", par), func(b *testing.B) {
			runBatches(b, par, func() { s.rawCopy(b, benchBatch(1000, at)) })
		})
	}
}

func runBatches(b *testing.B, par int, do func()) {
	var next atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < par; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				do()
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)*1000/time.Since(start).Seconds(), "events/s")
}

// BenchmarkAuditIngestDuringRetention measures HTTP ingestion latency while the retention
// archiver moves old days of the same org to S3 (retention must never block ingestion).
func BenchmarkAuditIngestDuringRetention(b *testing.B) {
	s := newBenchStack(b, true)
	client := &http.Client{}
	old := time.Now().UTC().AddDate(0, 0, -20)
	rows := 200000
	if v := os.Getenv("BENCH_AUDIT_RETENTION_ROWS"); v != "" {
		rows, _ = strconv.Atoi(v)
	}
	for i := 0; i < rows/1000; i++ {
		s.rawCopy(b, benchBatch(1000, old.Add(time.Duration(i)*time.Minute)))
	}
	measure := func(n int) []time.Duration {
		lat := make([]time.Duration, n)
		for i := range lat {
			lat[i] = s.post(b, client, benchBatch(1000, time.Now().Add(-time.Minute)))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		return lat
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		base := measure(20)
		done := make(chan error, 1)
		go func() {
			_, err := s.svc.ArchiveOrg(context.Background(), s.orgID, 5, time.Now(), nil)
			done <- err
		}()
		var during []time.Duration
		for running := true; running; {
			select {
			case err := <-done:
				if err != nil {
					b.Fatal(err)
				}
				running = false
			default:
				during = append(during, measure(1)...)
			}
		}
		sort.Slice(during, func(i, j int) bool { return during[i] < during[j] })
		pct := func(l []time.Duration, p float64) float64 {
			if len(l) == 0 {
				return 0
			}
			return float64(l[int(float64(len(l)-1)*p)].Microseconds()) / 1000
		}
		b.ReportMetric(pct(base, 0.5), "base_p50_ms")
		b.ReportMetric(pct(base, 0.99), "base_p99_ms")
		b.ReportMetric(pct(during, 0.5), "during_p50_ms")
		b.ReportMetric(pct(during, 0.99), "during_p99_ms")
		b.ReportMetric(float64(len(during)), "batches_during")
	}
}

// BenchmarkAuditQueryDepth measures a page of 50, unfiltered and filtered, at several keyset
// depths down to the middle of BENCH_AUDIT_ROWS rows (default 1,000,000), with OFFSET paging at
// depth 100k for the record. Each page is timed, so p99 is reported next to the mean.
func BenchmarkAuditQueryDepth(b *testing.B) {
	s := newBenchStack(b, false)
	ctx := context.Background()
	total := 1000000
	if v := os.Getenv("BENCH_AUDIT_ROWS"); v != "" {
		total, _ = strconv.Atoi(v)
	}
	start := time.Now().UTC().AddDate(0, 0, -25)
	step := 25 * 24 * time.Hour / time.Duration(total)
	for i := 0; i < total/10000; i++ {
		batch := benchBatch(10000, start.Add(time.Duration(i*10000)*step))
		for j := range batch {
			batch[j].OccurredAt = start.Add(time.Duration(i*10000+j) * step)
			if j%10 == 0 {
				batch[j].EventType = "file.downloaded"
				batch[j].Category = "FILES"
			}
		}
		s.rawCopy(b, batch)
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE audit_event"); err != nil {
		b.Fatal(err)
	}
	positionAt := func(depth int, filtered bool) *audit.Position {
		if depth == 0 {
			return nil
		}
		q := "SELECT occurred_at, id FROM audit_event WHERE org_id = $1 ORDER BY occurred_at DESC, id DESC OFFSET $2 LIMIT 1"
		if filtered {
			q = "SELECT occurred_at, id FROM audit_event WHERE org_id = $1 AND event_type = 'file.downloaded' ORDER BY occurred_at DESC, id DESC OFFSET $2 LIMIT 1"
		}
		var p audit.Position
		if err := s.pool.QueryRow(ctx, q, s.orgID, depth).Scan(&p.At, &p.ID); err != nil {
			b.Fatal(err)
		}
		return &p
	}
	depths := []int{0, 1000, 10000, 90000}
	for _, deep := range []int{total / 20, total / 2} { // the middle of the filtered rows and of all rows
		if deep > 90000 {
			depths = append(depths, deep)
		}
	}
	for _, depth := range depths {
		for _, filtered := range []bool{false, true} {
			if depth >= total-100 || filtered && depth > total/10-100 {
				continue
			}
			f := audit.Filter{}
			name := fmt.Sprintf("keyset/depth=%d", depth)
			if filtered {
				f.EventTypes = []string{"file.downloaded"}
				name = fmt.Sprintf("keyset_filtered/depth=%d", depth)
			}
			pos := positionAt(depth, filtered)
			b.Run(name, func(b *testing.B) {
				took := make([]time.Duration, b.N)
				for i := 0; i < b.N; i++ {
					t0 := time.Now()
					if _, err := s.svc.List(ctx, s.orgID, f, pos, 50); err != nil {
						b.Fatal(err)
					}
					took[i] = time.Since(t0)
				}
				sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
				b.ReportMetric(float64(took[len(took)*99/100])/1e6, "p99-ms")
			})
		}
	}
	b.Run("offset/depth=100000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			rows, err := s.pool.Query(ctx, "SELECT * FROM audit_event WHERE org_id = $1 ORDER BY occurred_at DESC, id DESC OFFSET 100000 LIMIT 50", s.orgID)
			if err != nil {
				b.Fatal(err)
			}
			rows.Close()
		}
	})
}
