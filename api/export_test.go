// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/internal/events"
	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// exportEnv is a harness with the event and export routes, a bucket on the real S3 gateway
// and a real worker on the Temporal dev server, on a task queue of its own.
type exportEnv struct {
	*harness
	store *blob.Store
	svc   *export.Service
}

func newExportEnv(t *testing.T) *exportEnv {
	t.Helper()
	store := testenv.Bucket(t)
	tc := testenv.SharedTemporal(t).Client(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	queue := "export-test-" + hex.EncodeToString(b)
	env := &exportEnv{store: store}
	env.harness = newHarness(t, nil, func(h *harness) []Routes {
		env.svc = export.NewService(h.pool, store, export.TemporalStarter{Client: tc, TaskQueue: queue}, nil, nil)
		return []Routes{EventRoutes{Events: events.NewService(h.pool, nil)}, ExportRoutes{Exports: env.svc}}
	})
	w := worker.New(tc, queue, worker.Options{})
	workflows.Register(w, workflows.Activities{Export: &activities.Export{Service: env.svc, Writer: &export.Writer{DB: env.pool, Blob: store}}})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return env
}

// waitExport polls GET until the export reaches a final state.
func (e *exportEnv) waitExport(key, id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		res := e.do(req{method: "GET", path: "/api/v1/export/" + id, token: key})
		require.Equal(e.t, http.StatusOK, res.Code, "%s", res.Body)
		m := res.JSON(e.t)
		switch m["status"] {
		case "COMPLETED", "FAILED", "CANCELLED":
			return m
		}
		require.True(e.t, time.Now().Before(deadline), "export %s stuck in %v", id, m["status"])
		time.Sleep(200 * time.Millisecond)
	}
}

// download fetches a presigned URL with a plain HTTP client (the gateway checks the signature).
func download(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return body
}

// runExport requests an export, waits for it and returns its final state and file.
func (e *exportEnv) runExport(key string, body map[string]any) (map[string]any, [][]string, []byte) {
	e.t.Helper()
	res := e.do(req{method: "POST", path: "/api/v1/export", token: key, body: body})
	require.Equal(e.t, http.StatusAccepted, res.Code, "%s", res.Body)
	created := res.JSON(e.t)
	require.Equal(e.t, "REQUESTED", created["status"])
	final := e.waitExport(key, created["export_id"].(string))
	require.Equal(e.t, "COMPLETED", final["status"], "%v", final)
	raw := download(e.t, final["download_url"].(string))
	sum := sha256.Sum256(raw)
	require.Equal(e.t, hex.EncodeToString(sum[:]), final["sha256"])
	require.EqualValues(e.t, len(raw), final["size_bytes"])
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	require.NoError(e.t, err)
	require.EqualValues(e.t, len(recs)-1, final["row_count"])
	require.EqualValues(e.t, len(recs)-1, final["progress"].(map[string]any)["rows_written"])
	return final, recs, raw
}

func TestExportEndToEnd(t *testing.T) {
	t.Parallel()
	e := newExportEnv(t)
	orgID, key := e.newOrg("export-e2e")
	_, otherKey := e.newOrg("export-other")
	ws := e.do(req{method: "POST", path: "/api/v1/workspaces", token: key, body: map[string]any{"name": "Sales"}})
	require.Equal(t, http.StatusCreated, ws.Code, "%s", ws.Body)
	wsID := ws.JSON(t)["id"].(string)
	otherWS := e.do(req{method: "POST", path: "/api/v1/workspaces", token: otherKey, body: map[string]any{"name": "Theirs"}})
	require.Equal(t, http.StatusCreated, otherWS.Code, "%s", otherWS.Body)
	userID := uuid.NewString()

	// Executions, including cells that would be formulas, quotes, newlines and non-ASCII text.
	execs := []map[string]any{
		{"execution_id": "ex-1", "workflow_id": "wf-1", "workflow_name": "=HYPERLINK(\"http://evil\",\"x\")", "workflow_version": 3,
			"project_id": "p-1", "project_name": "Project \"Quoted\", with comma", "workspace_id": wsID, "workspace_name": "Sales",
			"user_id": userID, "user_email": "ann@example.com", "agent_id": nil, "trigger_type": "WEBHOOK", "status": "COMPLETED",
			"started_at": "2026-03-01T10:00:00.123456Z", "finished_at": "2026-03-01T10:00:02.5Z", "duration_ms": 2376,
			"credits": json.Number("1.50"), "cost_usd": json.Number("0.000123"), "error_code": nil, "error_message": nil},
		{"execution_id": "ex-2", "workflow_id": "wf-1", "workflow_name": "Daily report", "status": "FAILED",
			"started_at": "2026-03-02T00:00:00+02:00", "error_code": "-ERR", "error_message": "line one\nline two\r\n@cmd | ünïcødé ✓"},
		{"execution_id": "ex-3", "workflow_id": "wf-2", "status": "COMPLETED", "started_at": "2026-05-01T00:00:00Z", "workspace_id": wsID},
		// Outside the range requested below.
		{"execution_id": "ex-old", "workflow_id": "wf-2", "status": "COMPLETED", "started_at": "2025-01-01T00:00:00Z"},
	}
	res := e.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: map[string]any{"events": execs}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, map[string]any{"accepted": 4.0, "duplicates": 0.0}, res.JSON(t))
	// A retried batch stores nothing twice; a duplicate inside a batch is a duplicate too.
	res = e.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: map[string]any{"events": append(execs[:2:2], execs[0])}})
	require.Equal(t, map[string]any{"accepted": 0.0, "duplicates": 3.0}, res.JSON(t))

	usage := []map[string]any{
		{"usage_id": "u-1", "occurred_at": "2026-03-01T10:00:01Z", "category": "AI_CALL", "user_id": userID, "user_email": "ann@example.com",
			"workspace_id": wsID, "project_id": "p-1", "workflow_id": "wf-1", "execution_id": "ex-1", "provider": "openai", "model": "gpt-4o",
			"input_tokens": 1200, "output_tokens": 300, "credits": json.Number("2"), "cost_usd": json.Number("-0.5")},
		{"usage_id": "u-2", "occurred_at": "2026-03-01T09:00:00Z", "category": "TOOL_CALL"},
	}
	res = e.do(req{method: "POST", path: "/api/v1/events/usage", token: key, body: map[string]any{"events": usage}})
	require.Equal(t, map[string]any{"accepted": 2.0, "duplicates": 0.0}, res.JSON(t), "%s", res.Body)
	res = e.do(req{method: "POST", path: "/api/v1/events/tool-calls", token: key, body: map[string]any{"events": []map[string]any{
		{"tool_call_id": "tc-1", "occurred_at": "2026-03-01T10:00:01Z", "component": "slack", "action": "sendMessage", "status": "SUCCEEDED"}}}})
	require.Equal(t, map[string]any{"accepted": 1.0, "duplicates": 0.0}, res.JSON(t), "%s", res.Body)

	cfg := map[string]any{"kind": "AGENT", "name": "+Support agent", "workspace_id": wsID, "project_id": "p-1",
		"created_by_email": "ann@example.com", "model": "claude", "system_prompt": "You are \"helpful\".\nAlways.",
		"components_json": []any{map[string]any{"name": "slack"}}, "definition_json": map[string]any{"steps": []any{1, 2}}}
	res = e.do(req{method: "PUT", path: "/api/v1/workflow-configs/agent-1", token: key, body: cfg})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	require.EqualValues(t, 1, res.JSON(t)["version"])
	res = e.do(req{method: "PUT", path: "/api/v1/workflow-configs/agent-1", token: key, body: cfg})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body) // same content: no new version
	cfg["model"] = "claude-2"
	res = e.do(req{method: "PUT", path: "/api/v1/workflow-configs/agent-1", token: key, body: cfg})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	v2 := res.JSON(t)
	require.EqualValues(t, 2, v2["version"])
	cfg["version"] = 1
	res = e.do(req{method: "PUT", path: "/api/v1/workflow-configs/agent-1", token: key, body: cfg})
	require.Equal(t, http.StatusConflict, res.Code, "%s", res.Body)

	rng := map[string]any{"from": "2026-01-01T00:00:00Z", "to": "2026-12-31T00:00:00Z"}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}

	t.Run("executions", func(t *testing.T) {
		final, recs, raw := e.runExport(key, with(rng, "type", "EXECUTIONS"))
		require.Contains(t, string(raw), "\"line one\nline two\r\n@cmd | ünïcødé ✓\"")
		require.Equal(t, export.Columns[export.Executions], recs[0])
		require.Equal(t, [][]string{
			{"ex-1", "wf-1", "'=HYPERLINK(\"http://evil\",\"x\")", "3", "p-1", "Project \"Quoted\", with comma", wsID, "Sales", userID,
				"ann@example.com", "", "WEBHOOK", "COMPLETED", "2026-03-01T10:00:00.123456Z", "2026-03-01T10:00:02.500000Z", "2376", "1.50",
				"0.000123", "", ""},
			// encoding/csv reads a quoted CR LF back as LF; the raw file keeps it (checked below).
			{"ex-2", "wf-1", "Daily report", "", "", "", "", "", "", "", "", "", "FAILED", "2026-03-01T22:00:00.000000Z", "", "", "", "",
				"'-ERR", "line one\nline two\n@cmd | ünïcødé ✓"},
			{"ex-3", "wf-2", "", "", "", "", wsID, "", "", "", "", "", "COMPLETED", "2026-05-01T00:00:00.000000Z", "", "", "", "", "", ""},
		}, recs[1:])
		require.EqualValues(t, 3, final["progress"].(map[string]any)["rows_estimated"])
		// The URL expires 15 minutes out by default and as asked otherwise (at most 7 days).
		exp, err := time.Parse(time.RFC3339, final["expires_at"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(15*time.Minute), exp, 5*time.Second)
		id := final["export_id"].(string)
		res := e.do(req{method: "GET", path: "/api/v1/export/" + id + "?expires_in=86400", token: key})
		exp, err = time.Parse(time.RFC3339, res.JSON(t)["expires_at"].(string))
		require.NoError(t, err)
		require.WithinDuration(t, time.Now().Add(24*time.Hour), exp, 5*time.Second)
		for _, bad := range []string{"0", "604801", "-5", "abc"} {
			res := e.do(req{method: "GET", path: "/api/v1/export/" + id + "?expires_in=" + bad, token: key})
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, bad)
		}
		// A workspace filter narrows the rows.
		_, recs, _ = e.runExport(key, with(rng, "type", "EXECUTIONS", "workspace_ids", []string{wsID}))
		require.Len(t, recs, 3)
		require.Equal(t, "ex-1", recs[1][0])
		require.Equal(t, "ex-3", recs[2][0])
	})

	t.Run("usage", func(t *testing.T) {
		_, recs, _ := e.runExport(key, with(rng, "type", "USAGE"))
		require.Equal(t, [][]string{
			export.Columns[export.Usage],
			{"2026-03-01T09:00:00.000000Z", "u-2", "TOOL_CALL", "", "", "", "", "", "", "", "", "", "", "", ""},
			{"2026-03-01T10:00:01.000000Z", "u-1", "AI_CALL", userID, "ann@example.com", wsID, "p-1", "wf-1", "ex-1", "openai", "gpt-4o",
				"1200", "300", "2", "-0.5"},
		}, recs)
	})

	t.Run("workflow configs", func(t *testing.T) {
		_, recs, _ := e.runExport(key, with(rng, "type", "WORKFLOW_CONFIGS", "to", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
		require.Len(t, recs, 3)
		require.Equal(t, export.Columns[export.WorkflowConfigs], recs[0])
		for i, model := range []string{"claude", "claude-2"} {
			r := recs[i+1]
			require.Equal(t, []string{"agent-1", "AGENT", "'+Support agent", fmt.Sprint(i + 1), wsID, "p-1", "ann@example.com"}, r[:7])
			require.Equal(t, []string{model, "You are \"helpful\".\nAlways."}, r[9:11])
			require.JSONEq(t, `[{"name":"slack"}]`, r[11])
			require.JSONEq(t, `{"steps":[1,2]}`, r[12])
			require.Equal(t, v2["created_at"], mustRFC(t, r[7]))
		}
		require.Equal(t, v2["updated_at"], mustRFC(t, recs[2][8]))
	})

	t.Run("audit logs", func(t *testing.T) {
		final, recs, _ := e.runExport(key, with(rng, "type", "AUDIT_LOGS", "to", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)))
		require.Equal(t, export.Columns[export.AuditLogs], recs[0])
		// The file holds exactly the org's audit rows of the export's snapshot, in key order.
		rows, err := e.pool.Query(context.Background(), `
			SELECT a.id::text, a.event_type, a.category, a.actor_type, a.org_id::text, a.action_data::text, a.seq::text
			FROM audit_event a JOIN data_export x ON x.id = $2
			WHERE a.org_id = $1 AND a.ingested_at <= x.snapshot_at ORDER BY a.occurred_at, a.id`, orgID, final["export_id"])
		require.NoError(t, err)
		var want [][]string
		for rows.Next() {
			r := make([]string, 7)
			require.NoError(t, rows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]))
			want = append(want, r)
		}
		require.NoError(t, rows.Err())
		var got [][]string
		for _, r := range recs[1:] {
			got = append(got, []string{r[0], r[2], r[3], r[5], r[9], r[13], r[15]})
		}
		require.Equal(t, want, got)
		var types []string
		for _, r := range got {
			types = append(types, r[1])
		}
		require.Contains(t, types, "organization.created")
		require.Contains(t, types, "export.requested")
		require.Contains(t, types, "export.completed")
		require.Contains(t, types, "export.downloaded")
	})

	t.Run("delete and other orgs", func(t *testing.T) {
		final, _, _ := e.runExport(key, with(rng, "type", "USAGE"))
		id := final["export_id"].(string)
		url := final["download_url"].(string)
		// Another org cannot see or delete it.
		require.Equal(t, http.StatusNotFound, e.do(req{method: "GET", path: "/api/v1/export/" + id, token: otherKey}).Code)
		require.Equal(t, http.StatusNotFound, e.do(req{method: "DELETE", path: "/api/v1/export/" + id, token: otherKey}).Code)
		require.Equal(t, http.StatusNoContent, e.do(req{method: "DELETE", path: "/api/v1/export/" + id, token: key}).Code)
		got := e.do(req{method: "GET", path: "/api/v1/export/" + id, token: key}).JSON(t)
		require.Nil(t, got["download_url"])
		require.NotNil(t, got["file_deleted_at"])
		res := e.do(req{method: "DELETE", path: "/api/v1/export/" + id, token: key})
		require.Equal(t, http.StatusConflict, res.Code)
		resp, err := http.Get(url)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusNotFound, resp.StatusCode)
		// The list shows the org's exports only, newest first, with working cursors.
		list := e.do(req{method: "GET", path: "/api/v1/export?limit=2", token: key}).JSON(t)
		require.Len(t, list["data"], 2)
		require.Equal(t, id, list["data"].([]any)[0].(map[string]any)["export_id"])
		var seen []string
		for _, d := range list["data"].([]any) {
			seen = append(seen, d.(map[string]any)["export_id"].(string))
		}
		for cur := list["next_cursor"]; cur != nil; {
			page := e.do(req{method: "GET", path: "/api/v1/export?limit=2&cursor=" + cur.(string), token: key}).JSON(t)
			for _, d := range page["data"].([]any) {
				seen = append(seen, d.(map[string]any)["export_id"].(string))
			}
			cur = page["next_cursor"]
		}
		var want []string
		rows, err := e.pool.Query(context.Background(), "SELECT id::text FROM data_export WHERE org_id = $1 ORDER BY created_at DESC, id DESC", orgID)
		require.NoError(t, err)
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			want = append(want, s)
		}
		require.Equal(t, want, seen)
		require.Len(t, seen, 6)
		require.Empty(t, e.do(req{method: "GET", path: "/api/v1/export", token: otherKey}).JSON(t)["data"])
	})

	t.Run("bad requests", func(t *testing.T) {
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown type", with(rng, "type", "EVERYTHING"), "type"},
			{"lower-case type", with(rng, "type", "executions"), "type"},
			{"inverted range", map[string]any{"type": "EXECUTIONS", "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"},
			{"empty range", map[string]any{"type": "EXECUTIONS", "from": "2026-02-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}, "to"},
			{"huge range", map[string]any{"type": "EXECUTIONS", "from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"},
			{"bad time", map[string]any{"type": "EXECUTIONS", "from": "yesterday", "to": "2026-01-01T00:00:00Z"}, "from"},
			{"missing times", map[string]any{"type": "EXECUTIONS"}, "from"},
			{"other org's workspace", with(rng, "type", "EXECUTIONS", "workspace_ids", []string{otherWS.JSON(t)["id"].(string)}), "workspace_ids[0]"},
			{"unknown workspace", with(rng, "type", "EXECUTIONS", "workspace_ids", []string{uuid.NewString()}), "workspace_ids[0]"},
			{"bad workspace id", with(rng, "type", "EXECUTIONS", "workspace_ids", []string{"ws-1"}), "workspace_ids[0]"},
			{"workspaces on usage", with(rng, "type", "USAGE", "workspace_ids", []string{wsID}), "workspace_ids"},
		}
		for _, tc := range cases {
			res := e.do(req{method: "POST", path: "/api/v1/export", token: key, body: tc.body})
			require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", tc.name, res.Body)
			require.Equal(t, tc.field, res.JSON(t)["errors"].([]any)[0].(map[string]any)["field"], tc.name)
		}
		res := e.do(req{method: "POST", path: "/api/v1/export", token: key, body: `{"type":"USAGE","from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z","x":1}`})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code)
		// An events:write key cannot export, and an export key cannot ingest.
		k := e.do(req{method: "POST", path: "/api/v1/api-keys", token: key, body: map[string]any{"name": "ingest", "scopes": []string{"events:write"}}})
		ingestKey := k.JSON(t)["secret"].(string)
		require.Equal(t, http.StatusForbidden, e.do(req{method: "POST", path: "/api/v1/export", token: ingestKey, body: with(rng, "type", "USAGE")}).Code)
		k = e.do(req{method: "POST", path: "/api/v1/api-keys", token: key, body: map[string]any{"name": "export", "scopes": []string{"export"}}})
		exportKey := k.JSON(t)["secret"].(string)
		require.Equal(t, http.StatusForbidden, e.do(req{method: "POST", path: "/api/v1/events/usage", token: exportKey, body: map[string]any{"events": usage}}).Code)
		require.Equal(t, http.StatusOK, e.do(req{method: "GET", path: "/api/v1/export", token: exportKey}).Code)
		require.Equal(t, http.StatusNotFound, e.do(req{method: "GET", path: "/api/v1/export/not-a-uuid", token: key}).Code)
		require.Equal(t, http.StatusNotFound, e.do(req{method: "DELETE", path: "/api/v1/export/" + uuid.NewString(), token: key}).Code)
		// Definitions are stored as sent: an unpaired surrogate escape reads as U+FFFD.
		res = e.do(req{method: "PUT", path: "/api/v1/workflow-configs/lone", token: key,
			body: `{"kind":"WORKFLOW","name":"lone","definition_json":{"a":"\ud800"}}`})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	})
}

func mustRFC(t *testing.T, s string) string {
	t.Helper()
	tm, err := time.Parse(export.TimeLayout, s)
	require.NoError(t, err)
	return tm.UTC().Format(time.RFC3339Nano)
}

func TestIngestionBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, func(h *harness) []Routes { return []Routes{EventRoutes{Events: events.NewService(h.pool, nil)}} })
	_, key := h.newOrg("ingest-bad")
	ok := map[string]any{"execution_id": "e1", "workflow_id": "w", "status": "COMPLETED", "started_at": "2026-01-01T00:00:00Z"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name  string
		item  map[string]any
		field string
	}{
		{"no id", with("execution_id", nil), "events[0].execution_id"},
		{"bad time", with("started_at", "2026-01-01"), "events[0].started_at"},
		{"bad status", with("status", "done"), "events[0].status"},
		{"bad uuid", with("workspace_id", "ws"), "events[0].workspace_id"},
		{"exponent", with("credits", json.Number("1e3")), "events[0].credits"},
		{"negative duration", with("duration_ms", -1), "events[0].duration_ms"},
		{"finished before started", with("finished_at", "2025-01-01T00:00:00Z"), "events[0].finished_at"},
		{"control chars in id", with("execution_id", "a\tb"), "events[0].execution_id"},
		{"huge id", with("execution_id", strings.Repeat("x", 201)), "events[0].execution_id"},
		{"string duration", with("duration_ms", "5"), "events[0].duration_ms"},
	}
	for _, tc := range cases {
		res := h.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: map[string]any{"events": []any{tc.item}}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", tc.name, res.Body)
		require.Equal(t, tc.field, res.JSON(t)["errors"].([]any)[0].(map[string]any)["field"], tc.name)
	}
	for name, body := range map[string]string{
		"empty batch":   `{"events":[]}`,
		"not an array":  `{"events":{}}`,
		"unknown field": `{"events":[{"execution_id":"e","workflow_id":"w","status":"OK","started_at":"2026-01-01T00:00:00Z","evil":1}]}`,
	} {
		res := h.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: body})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", name, res.Body)
	}
	for name, body := range map[string]string{
		"malformed":     `{"events":[`,
		"nul":           `{"events":[{"execution_id":"a\u0000"}]}`,
		"invalid utf-8": "{\"events\":[{\"execution_id\":\"\xff\"}]}",
	} {
		res := h.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: body})
		require.Equal(t, http.StatusBadRequest, res.Code, "%s: %s", name, res.Body)
	}
	// Over 1000 events is refused; over the batch body limit is 413.
	many := make([]any, 1001)
	for i := range many {
		many[i] = with("execution_id", fmt.Sprint(i))
	}
	res := h.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: map[string]any{"events": many}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = h.do(req{method: "POST", path: "/api/v1/events/executions", token: key, body: `{"events":["` + strings.Repeat("x", 6<<20) + `"]}`})
	require.Equal(t, http.StatusRequestEntityTooLarge, res.Code)
	// The org of the key scopes the rows: the same client id in two orgs are two rows.
	_, key2 := h.newOrg("ingest-bad-2")
	for _, k := range []string{key, key2} {
		res := h.do(req{method: "POST", path: "/api/v1/events/executions", token: k, body: map[string]any{"events": []any{ok}}})
		require.Equal(t, map[string]any{"accepted": 1.0, "duplicates": 0.0}, res.JSON(t))
	}
	res = h.do(req{method: "PUT", path: "/api/v1/workflow-configs/w1", token: key, body: map[string]any{"kind": "ROBOT", "name": "x"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = h.do(req{method: "PUT", path: "/api/v1/workflow-configs/w1", token: key, body: map[string]any{"kind": "WORKFLOW", "name": "x", "definition_json": "text"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
}
