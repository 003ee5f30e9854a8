// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package events

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func TestIngestAndConfigs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	reg := prometheus.NewRegistry()
	s := NewService(pool, reg)
	org, err := identity.NewService(pool, config.Config{Region: "us"}).CreateOrg(ctx, identity.CreateOrgInput{Name: "E", Slug: "e"})
	require.NoError(t, err)

	cost := json.Number("0.25")
	items := []Usage{
		{UsageID: "u1", OccurredAt: "2026-01-01T00:00:00Z", Category: "AI_CALL", CostUSD: &cost},
		{UsageID: "u2", OccurredAt: "2026-01-01T00:00:01+01:00", Category: "TOOL_CALL"},
		{UsageID: "u1", OccurredAt: "2026-01-01T00:00:00Z", Category: "AI_CALL"},
	}
	res, err := s.IngestUsage(ctx, org.ID, items)
	require.NoError(t, err)
	require.Equal(t, Result{Accepted: 2, Duplicates: 1}, res)
	res, err = s.IngestUsage(ctx, org.ID, items[:2])
	require.NoError(t, err)
	require.Equal(t, Result{Accepted: 0, Duplicates: 2}, res)
	require.Equal(t, 2.0, counterValue(t, reg, "bytechef_events_ingested_total", "USAGE"))
	var text string
	require.NoError(t, pool.QueryRow(ctx, "SELECT cost_usd::text FROM usage_event WHERE usage_id = 'u1'").Scan(&text))
	require.Equal(t, "0.25", text)

	// A bad item fails the whole batch, naming it; nothing is stored.
	_, err = s.IngestToolCalls(ctx, org.ID, []ToolCall{
		{ToolCallID: "t1", OccurredAt: "2026-01-01T00:00:00Z", Component: "slack", Action: "send", Status: "OK"},
		{ToolCallID: "t2", OccurredAt: "2026-01-01T00:00:00Z", Component: "", Action: "send", Status: "ok"},
	})
	e, ok := errcode.As(err)
	require.True(t, ok, "%v", err)
	require.Equal(t, "events[1].component", e.Fields[0].Field)
	require.Equal(t, "events[1].status", e.Fields[1].Field)
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM tool_call_event").Scan(&n))
	require.Zero(t, n)

	cfg := WorkflowConfig{WorkflowID: "wf", Kind: "WORKFLOW", Name: "Flow", Definition: json.RawMessage(`{"a": 1}`)}
	snap, created, err := s.PutConfig(ctx, org.ID, cfg)
	require.NoError(t, err)
	require.True(t, created)
	require.EqualValues(t, 1, snap.Version)
	// Whitespace in JSON is not a change.
	cfg.Definition = json.RawMessage(`{ "a" : 1 }`)
	snap, created, err = s.PutConfig(ctx, org.ID, cfg)
	require.NoError(t, err)
	require.False(t, created)
	require.EqualValues(t, 1, snap.Version)
	cfg.Name = "Flow 2"
	snap2, created, err := s.PutConfig(ctx, org.ID, cfg)
	require.NoError(t, err)
	require.True(t, created)
	require.EqualValues(t, 2, snap2.Version)
	require.Equal(t, snap.CreatedAt, snap2.CreatedAt, "created_at is the workflow's, not the version's")
	v := int64(2)
	cfg.Version, cfg.Name = &v, "Other"
	_, _, err = s.PutConfig(ctx, org.ID, cfg)
	require.True(t, errcode.Is(err, errcode.Conflict), "%v", err)
	v = 7
	snap, created, err = s.PutConfig(ctx, org.ID, cfg)
	require.NoError(t, err)
	require.True(t, created)
	require.EqualValues(t, 7, snap.Version)
}

// FuzzNormalizeExecution feeds arbitrary JSON items through decoding and validation: no panic,
// and an item that validates always encodes to a row the insert query accepts (valid JSON
// with the required columns set).
func FuzzNormalizeExecution(f *testing.F) {
	for _, s := range []string{
		`{"ExecutionID":"e","WorkflowID":"w","Status":"OK","StartedAt":"2026-01-01T00:00:00Z"}`,
		`{"ExecutionID":"e","WorkflowID":"w","Status":"OK","StartedAt":"2026-01-01T00:00:00Z","Credits":1e999}`,
		`{"ExecutionID":"\u0000","WorkflowID":"","Status":"ok","StartedAt":"0000-00-00"}`,
		`{"ExecutionID":"e","WorkflowID":"w","Status":"A","StartedAt":"2026-01-01T00:00:00+14:00","FinishedAt":"2025-01-01T00:00:00Z","WorkspaceID":"not-a-uuid","UserEmail":"x"}`,
		`{"ExecutionID":"e","WorkflowID":"w","Status":"A","StartedAt":"9999-12-31T23:59:59.999999999-23:59","DurationMs":-1,"CostUSD":-0.5}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e Execution
		if json.Unmarshal(raw, &e) != nil {
			return
		}
		v := &validator{prefix: "events[0]."}
		row := normalizeExecution(v, e)
		if v.f.Err() != nil {
			return
		}
		b, err := json.Marshal([]executionRow{row})
		if err != nil {
			t.Fatalf("valid item does not encode: %v", err)
		}
		var back []map[string]any
		if err := json.Unmarshal(b, &back); err != nil || back[0]["execution_id"] == "" || back[0]["started_at"] == nil {
			t.Fatalf("bad row %s", b)
		}
		if row.StartedAt.Year() < 1970 || row.StartedAt.Year() > 9999 {
			t.Fatalf("time out of range accepted: %v", row.StartedAt)
		}
	})
}

func counterValue(t *testing.T, reg *prometheus.Registry, name, typ string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "type" && l.GetValue() == typ {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
