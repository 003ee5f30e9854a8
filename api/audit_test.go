// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	gql "github.com/bytechefhq/bytechef-ee/api/graphql"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

func auditRoutes(h *harness) []Routes {
	return []Routes{AuditRoutes{Audit: audit.NewService(h.pool, nil, audit.NewMetrics(prometheus.NewRegistry()), nil)}}
}

// newKey creates an org API key with the scopes.
func (h *harness) newKey(adminKey string, scopes ...string) string {
	h.t.Helper()
	res := h.do(req{method: "POST", path: "/api/v1/api-keys", token: adminKey, body: map[string]any{"name": "k " + strings.Join(scopes, ","), "scopes": scopes}})
	require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	return res.JSON(h.t)["secret"].(string)
}

func auditEvent(id uuid.UUID, at time.Time, typ string, extra map[string]any) map[string]any {
	e := map[string]any{"id": id.String(), "occurred_at": at.UTC().Format(time.RFC3339Nano), "event_type": typ,
		"category": "WORKFLOWS", "actor_type": "USER", "target_entity_type": "workflow", "target_entity_id": "wf-1",
		"action_data": map[string]any{"name": "nightly report"}}
	for k, v := range extra {
		e[k] = v
	}
	return e
}

func (h *harness) ingest(token string, events ...map[string]any) response {
	h.t.Helper()
	return h.do(req{method: "POST", path: "/api/v1/audit-events", token: token, body: map[string]any{"events": events}})
}

func TestAuditIngestAndQuery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	_, admin := h.newOrg("acme")
	writer := h.newKey(admin, "audit:write")
	reader := h.newKey(admin, "audit:read")
	other := h.newKey(admin, "events:write")

	now := time.Now().UTC().Truncate(time.Second)
	corr := uuid.New()
	actor := uuid.New()
	ids := make([]uuid.UUID, 7)
	var batch []map[string]any
	for i := range ids {
		ids[i] = uuid.Must(uuid.NewV7())
		// Every event shares one occurred_at so paging must order by id to neither skip nor repeat.
		batch = append(batch, auditEvent(ids[i], now.Add(-time.Minute), "workflow.executed", map[string]any{
			"correlation_id": corr.String(), "actor_user_id": actor.String(), "actor_ip": "203.0.113.7",
			"action_data": map[string]any{"name": fmt.Sprintf("report %d", i), "tag": map[string]any{"color": "blue"}},
		}))
	}
	batch = append(batch, auditEvent(uuid.Must(uuid.NewV7()), now.Add(-2*time.Minute), "vendor.thing_happened", map[string]any{"category": "FILES"}))
	res := h.ingest(writer, batch...)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, map[string]any{"accepted": float64(8), "duplicates": float64(0)}, res.JSON(t))

	// Replays are duplicates, even with another occurred_at, and repeats inside one batch too.
	replay := auditEvent(ids[0], now.Add(-10*time.Minute), "workflow.executed", nil)
	fresh := auditEvent(uuid.Must(uuid.NewV7()), now, "workflow.executed", nil)
	res = h.ingest(writer, replay, fresh, fresh)
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, map[string]any{"accepted": float64(1), "duplicates": float64(2)}, res.JSON(t))

	// Scopes: the writer cannot read, a key without audit scopes can do neither.
	require.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/audit-logs", token: writer}).Code)
	require.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/audit-logs", token: other}).Code)
	require.Equal(t, http.StatusForbidden, h.ingest(other, fresh).Code)
	require.Equal(t, http.StatusForbidden, h.ingest(reader, fresh).Code)

	// Keyset paging over ties: every correlated event exactly once, newest first.
	q := "/api/v1/audit-logs?limit=2&event_type=workflow.executed&correlation_id=" + corr.String()
	seen := map[string]bool{}
	var cursor string
	pages := 0
	for {
		path := q
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		page := h.do(req{method: "GET", path: path, token: reader})
		require.Equal(t, http.StatusOK, page.Code, "%s", page.Body)
		body := page.JSON(t)
		for _, d := range body["data"].([]any) {
			id := d.(map[string]any)["id"].(string)
			require.False(t, seen[id], "event %s repeated", id)
			seen[id] = true
			require.Equal(t, "HOT", d.(map[string]any)["storage"])
		}
		pages++
		if body["next_cursor"] == nil {
			break
		}
		cursor = body["next_cursor"].(string)
	}
	require.Len(t, seen, 7)
	require.Equal(t, 4, pages)

	// Every filter of SPEC §4.1.
	count := func(query string) int {
		res := h.do(req{method: "GET", path: "/api/v1/audit-logs?limit=500&" + query, token: reader})
		require.Equal(t, http.StatusOK, res.Code, "%s: %s", query, res.Body)
		return len(res.JSON(t)["data"].([]any))
	}
	require.Equal(t, 1, count("category=FILES"))
	require.Equal(t, 9, count("event_type=workflow.executed&event_type=vendor.thing_happened"))
	require.Equal(t, 7, count("actor_user_id="+actor.String()))
	require.Equal(t, 0, count("actor_user_id="+uuid.NewString()))
	require.Equal(t, 9, count("target_entity_type=workflow&target_entity_id=wf-1"))
	require.Equal(t, 0, count("workspace_id="+uuid.NewString()))
	require.Equal(t, 1, count("q=report+3"))
	require.Equal(t, 7, count("q=blue"))
	require.Equal(t, 7, count("from="+url.QueryEscape(now.Add(-90*time.Second).Format(time.RFC3339))+"&to="+url.QueryEscape(now.Add(-30*time.Second).Format(time.RFC3339))+"&correlation_id="+corr.String()))
	require.Equal(t, 0, count("to="+url.QueryEscape(now.Add(-90*time.Second).Format(time.RFC3339))+"&correlation_id="+corr.String()))

	// Cursors: tampered, made for other filters, made for another org → 400 invalid_cursor.
	first := h.do(req{method: "GET", path: "/api/v1/audit-logs?limit=1", token: reader}).JSON(t)["next_cursor"].(string)
	for name, path := range map[string]string{
		"tampered":      "/api/v1/audit-logs?limit=1&cursor=" + url.QueryEscape(first[:len(first)-3]+"AAA"),
		"other filters": "/api/v1/audit-logs?limit=1&category=FILES&cursor=" + url.QueryEscape(first),
		"garbage":       "/api/v1/audit-logs?cursor=%00%ff",
	} {
		res := h.do(req{method: "GET", path: path, token: reader})
		require.Equal(t, http.StatusBadRequest, res.Code, "%s: %s", name, res.Body)
		require.Equal(t, "invalid_cursor", res.problemCode(t))
	}
	_, admin2 := h.newOrg("globex")
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?limit=1&cursor=" + url.QueryEscape(first), token: admin2})
	require.Equal(t, http.StatusBadRequest, res.Code, "cross-org cursor: %s", res.Body)
	for _, l := range []string{"0", "-1", "1000000", "abc"} {
		res := h.do(req{method: "GET", path: "/api/v1/audit-logs?limit=" + l, token: reader})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "limit=%s", l)
	}
	for _, bad := range []string{"from=yesterday", "category=NOPE", "actor_user_id=1", "correlation_id=x"} {
		res := h.do(req{method: "GET", path: "/api/v1/audit-logs?" + bad, token: reader})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", bad)
	}
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?from=0001-01-01T00:00:00Z", token: reader})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	require.Contains(t, string(res.Body), "between 1970 and 9998", "a valid RFC 3339 time out of range says so")

	// One event with its correlation chain; another org's id is simply not found.
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs/" + ids[3].String(), token: reader})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	detail := res.JSON(t)
	require.Equal(t, ids[3].String(), detail["id"])
	require.Equal(t, "203.0.113.7", detail["actor_ip"])
	require.Len(t, detail["correlation_chain"].([]any), 7)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/audit-logs/" + ids[3].String(), token: admin2}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/audit-logs/not-a-uuid", token: reader}).Code)

	// Reading was audited.
	require.Positive(t, count("event_type=audit_log.viewed"))
	// The other org sees none of it.
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?event_type=workflow.executed", token: admin2})
	require.Empty(t, res.JSON(t)["data"])
}

func TestAuditIngestBadInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	_, admin := h.newOrg("acme")
	now := time.Now().UTC()
	ev := func(extra map[string]any) map[string]any {
		return auditEvent(uuid.Must(uuid.NewV7()), now, "workflow.executed", extra)
	}
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"far future", map[string]any{"events": []any{ev(map[string]any{"occurred_at": "2999-01-01T00:00:00Z"})}}, 422, "events[0].occurred_at"},
		{"far past", map[string]any{"events": []any{ev(nil), ev(map[string]any{"occurred_at": "1970-01-01T00:00:00Z"})}}, 422, "events[1].occurred_at"},
		{"two hours ahead", map[string]any{"events": []any{ev(map[string]any{"occurred_at": now.Add(2 * time.Hour).Format(time.RFC3339)})}}, 422, "events[0].occurred_at"},
		{"not a time", map[string]any{"events": []any{ev(map[string]any{"occurred_at": "yesterday"})}}, 422, "events[0].occurred_at"},
		{"unknown type without category", map[string]any{"events": []any{ev(map[string]any{"event_type": "x.y", "category": ""})}}, 422, "events[0].category"},
		{"bad category", map[string]any{"events": []any{ev(map[string]any{"category": "NOPE", "event_type": "x.y"})}}, 422, "events[0].category"},
		{"catalogue type with wrong category", map[string]any{"events": []any{ev(map[string]any{"event_type": "api_key.created", "category": "FILES"})}}, 422, "events[0].category"},
		{"bad type", map[string]any{"events": []any{ev(map[string]any{"event_type": "DROP TABLE"})}}, 422, "events[0].event_type"},
		{"bad id", map[string]any{"events": []any{ev(map[string]any{"id": "1"})}}, 422, "events[0].id"},
		{"bad ip", map[string]any{"events": []any{ev(map[string]any{"actor_ip": "300.1.1.1"})}}, 422, "events[0].actor_ip"},
		{"array action_data", map[string]any{"events": []any{ev(map[string]any{"action_data": []any{1}})}}, 422, "events[0].action_data"},
		{"huge action_data", map[string]any{"events": []any{ev(map[string]any{"action_data": map[string]any{"x": strings.Repeat("a", 70000)}})}}, 422, "events[0].action_data"},
		{"deep action_data", `{"events":[{"id":"` + uuid.NewString() + `","occurred_at":"` + now.Format(time.RFC3339) + `","event_type":"a.b","category":"FILES","action_data":` + deep + `}]}`, 422, "events[0].action_data"},
		{"org_id in body", map[string]any{"events": []any{ev(map[string]any{"org_id": uuid.NewString()})}}, 422, "org_id"},
		{"empty batch", map[string]any{"events": []any{}}, 422, "events"},
		{"nul escape", `{"events":[{"id":"` + uuid.NewString() + `","occurred_at":"` + now.Format(time.RFC3339) + `","event_type":"a.b","category":"FILES","action_data":{"x":"a\u0000b"}}]}`, 400, ""},
		{"invalid utf-8", "{\"events\":[{\"id\":\"" + uuid.NewString() + "\",\"event_type\":\"a.b\xff\"}]}", 400, ""},
		{"not json", "{", 400, ""},
	}
	var many []any
	for i := 0; i < 1001; i++ {
		many = append(many, ev(nil))
	}
	cases = append(cases, struct {
		name   string
		body   any
		status int
		field  string
	}{"1001 events", map[string]any{"events": many}, 422, "events"})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(req{method: "POST", path: "/api/v1/audit-events", token: admin, body: tc.body})
			require.Equal(t, tc.status, res.Code, "%s", res.Body)
			if tc.field != "" {
				require.Contains(t, string(res.Body), `"field":"`+tc.field+`"`)
			}
		})
	}
	// Nothing of a refused batch was stored (the valid first item of "far past" included).
	var n int
	require.NoError(t, h.pool.QueryRow(context.Background(), "SELECT count(*) FROM audit_event WHERE event_type <> 'api_key.created' AND event_type <> 'organization.created'").Scan(&n))
	require.Zero(t, n)
	// Over 5 MiB is 413.
	big := `{"events":[{"id":"` + uuid.NewString() + `","action_data":{"x":"` + strings.Repeat("a", 6<<20) + `"}}]}`
	require.Equal(t, http.StatusRequestEntityTooLarge, h.do(req{method: "POST", path: "/api/v1/audit-events", token: admin, body: big}).Code)
}

// TestAuditRawJSONText: action_data is stored as sent, so JSON that jsonb refuses must be
// handled before it gets there — an unpaired surrogate escape reads as U+FFFD (as encoding/json
// reads it), and the six characters \u0000 after an escaped backslash are text, not a NUL.
func TestAuditRawJSONText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	_, admin := h.newOrg("acme")
	id := uuid.Must(uuid.NewV7())
	body := `{"events":[{"id":"` + id.String() + `","occurred_at":"` + time.Now().UTC().Format(time.RFC3339) +
		`","event_type":"workflow.created","category":"WORKFLOWS","action_data":{"lone":"a\ud800b","low":"\udc00","pair":"\ud83d\ude00","text":"\\u0000"}}]}`
	res := h.do(req{method: "POST", path: "/api/v1/audit-events", token: admin, body: body})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs/" + id.String(), token: admin})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, map[string]any{"lone": "a\ufffdb", "low": "\ufffd", "pair": "😀", "text": `\u0000`}, res.JSON(t)["action_data"])

	// A number jsonb's numeric cannot hold is a 422 naming it, not a 500 from the database.
	res = h.do(req{method: "POST", path: "/api/v1/audit-events", token: admin, body: `{"events":[{"id":"` + uuid.NewString() + `","occurred_at":"` +
		time.Now().UTC().Format(time.RFC3339) + `","event_type":"workflow.created","category":"WORKFLOWS","action_data":{"n":[1,1e999999]}}]}`})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	require.Contains(t, string(res.Body), `"field":"events[0].action_data.n[1]"`)
}

// TestURLTextRefused: query values and paths that are not valid UTF-8 or hold NUL are a 422
// naming the parameter, not a 500 from Postgres (SQLSTATE 22021/22P05).
func TestURLTextRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	_, admin := h.newOrg("acme")
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/audit-logs?target_entity_id=%00", "target_entity_id"},
		{"/api/v1/audit-logs?target_entity_type=%c3%28", "target_entity_type"},
		{"/api/v1/audit-logs?q=%ff%fe", "q"},
		{"/api/v1/audit-logs?q=a%00b", "q"},
		{"/api/v1/audit-logs?event_type=a%00", "event_type"},
		{"/api/v1/audit-logs.csv?q=%00", "q"},
		{"/api/v1/audit-logs?%ff=1", "(query)"},
		{"/api/v1/workspaces/by-key/%00", "(path)"},
		{"/api/v1/members/by-key/a%ff", "(path)"},
		{"/api/v1/groups/by-key/a%00", "(path)"},
	} {
		res := h.do(req{method: "GET", path: tc.path, token: admin})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", tc.path, res.Body)
		require.Equal(t, "validation_failed", res.problemCode(t), tc.path)
		require.Equal(t, tc.field, res.JSON(t)["errors"].([]any)[0].(map[string]any)["field"], tc.path)
	}
	// An inverted range is a mistake to report, not an empty page.
	res := h.do(req{method: "GET", path: "/api/v1/audit-logs?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", token: admin})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	require.Equal(t, "to", res.JSON(t)["errors"].([]any)[0].(map[string]any)["field"])
	// Cursors keep their own answer.
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?cursor=%00%ff", token: admin})
	require.Equal(t, http.StatusBadRequest, res.Code, "%s", res.Body)
	require.Equal(t, "invalid_cursor", res.problemCode(t))
}

func TestAuditCSVVerifyRetention(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	orgID, admin := h.newOrg("acme")
	now := time.Now().UTC()
	var batch []map[string]any
	for i := 0; i < 3; i++ {
		batch = append(batch, auditEvent(uuid.Must(uuid.NewV7()), now.Add(-time.Duration(i)*time.Second), "workflow.executed", map[string]any{
			"target_entity_id": []string{"=HYPERLINK(\"http://evil\")", "+1", "@SUM(A1)"}[i],
			"action_data":      map[string]any{"note": "-2+3"},
		}))
	}
	require.Equal(t, http.StatusOK, h.ingest(admin, batch...).Code)

	res := h.do(req{method: "GET", path: "/api/v1/audit-logs.csv?event_type=workflow.executed", token: admin})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	require.Equal(t, audit.CSVColumns, rows[0])
	for _, r := range rows[1:] {
		for _, cell := range r {
			if cell != "" {
				require.NotContains(t, "=+-@\t\r", cell[:1], "cell %q is not escaped", cell)
			}
		}
	}

	// Tamper evidence: intact, then an edit and a deletion are both detected.
	verify := func() map[string]any {
		res := h.do(req{method: "GET", path: "/api/v1/audit-logs/verify?from=" + url.QueryEscape(now.Add(-time.Hour).Format(time.RFC3339)), token: admin})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	// Wait until everything is sealed: the sealing horizon is cluster-wide, so transactions of
	// other tests on the same server can hold it back for a moment.
	v := verify()
	for deadline := time.Now().Add(60 * time.Second); v["unsealed_events"].(float64) > 0 && time.Now().Before(deadline); v = verify() {
		time.Sleep(50 * time.Millisecond)
	}
	require.Equal(t, true, v["ok"], "%v", v)
	require.Zero(t, v["unsealed_events"])
	require.GreaterOrEqual(t, v["events_checked"].(float64), float64(3))
	ctx := context.Background()
	_, err = h.pool.Exec(ctx, "UPDATE audit_event SET target_entity_id = 'innocent' WHERE org_id = $1 AND target_entity_id = '+1'", orgID)
	require.NoError(t, err)
	v = verify()
	require.Equal(t, false, v["ok"])
	require.Contains(t, v["first_break"].(map[string]any)["reason"], "altered")
	_, err = h.pool.Exec(ctx, "UPDATE audit_event SET target_entity_id = '+1' WHERE org_id = $1 AND target_entity_id = 'innocent'", orgID)
	require.NoError(t, err)
	require.Equal(t, true, verify()["ok"])
	_, err = h.pool.Exec(ctx, "DELETE FROM audit_event WHERE org_id = $1 AND target_entity_id = '+1'", orgID)
	require.NoError(t, err)
	v = verify()
	require.Equal(t, false, v["ok"])
	require.Contains(t, v["first_break"].(map[string]any)["reason"], "deleted")

	// Retention policy: defaults, validation, If-Match, and the change is audited.
	res = h.do(req{method: "GET", path: "/api/v1/audit-retention", token: admin})
	require.Equal(t, http.StatusOK, res.Code)
	require.Equal(t, map[string]any{"hot_days": float64(90), "retention_days": float64(365)}, res.JSON(t))
	tag := res.Header.Get("ETag")
	require.NotEmpty(t, tag)
	for _, bad := range []map[string]any{{"hot_days": 0, "retention_days": 10}, {"hot_days": 30, "retention_days": 10}, {"hot_days": 30, "retention_days": 9999}, {"hot_days": 30}} {
		res := h.do(req{method: "PUT", path: "/api/v1/audit-retention", token: admin, body: bad})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%v: %s", bad, res.Body)
	}
	res = h.do(req{method: "PUT", path: "/api/v1/audit-retention", token: admin, body: map[string]any{"hot_days": 30, "retention_days": 400}, header: map[string]string{"If-Match": tag}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.NotEqual(t, tag, res.Header.Get("ETag"))
	// The same body again changes nothing (same ETag, no second audit event).
	again := h.do(req{method: "PUT", path: "/api/v1/audit-retention", token: admin, body: map[string]any{"hot_days": 30, "retention_days": 400}})
	require.Equal(t, res.Header.Get("ETag"), again.Header.Get("ETag"))
	res = h.do(req{method: "PUT", path: "/api/v1/audit-retention", token: admin, body: map[string]any{"hot_days": 31, "retention_days": 400}, header: map[string]string{"If-Match": tag}})
	require.Equal(t, http.StatusPreconditionFailed, res.Code)
	reader := h.newKey(admin, "audit:read")
	require.Equal(t, http.StatusForbidden, h.do(req{method: "PUT", path: "/api/v1/audit-retention", token: reader, body: map[string]any{"hot_days": 1, "retention_days": 1}}).Code)
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?event_type=audit_retention.updated", token: reader})
	data := res.JSON(t)["data"].([]any)
	require.Len(t, data, 1)
	require.Equal(t, map[string]any{"hot_days": float64(30), "retention_days": float64(400)}, data[0].(map[string]any)["action_data"].(map[string]any)["after"])
	require.Equal(t, http.StatusServiceUnavailable, h.do(req{method: "POST", path: "/api/v1/audit-retention/run", token: admin}).Code)
}

func TestAuditStreamHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, auditRoutes)
	_, admin := h.newOrg("acme")
	now := time.Now().UTC()
	var batch []map[string]any
	for i := 0; i < 5; i++ {
		batch = append(batch, auditEvent(uuid.Must(uuid.NewV7()), now, "workflow.executed", nil))
	}
	require.Equal(t, http.StatusOK, h.ingest(admin, batch...).Code)
	got := 0
	after := ""
	for i, deadline := 0, time.Now().Add(60*time.Second); (got < 5 || i < 5) && time.Now().Before(deadline); i++ {
		if i > 5 {
			time.Sleep(50 * time.Millisecond) // the horizon is held by a transaction elsewhere
		}
		path := "/api/v1/audit-logs/stream?limit=2&format=ocsf"
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		res := h.do(req{method: "GET", path: path, token: admin})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		body := res.JSON(t)
		for _, d := range body["data"].([]any) {
			if d.(map[string]any)["activity_name"] == "workflow.executed" {
				got++
			}
		}
		after = body["next_cursor"].(string)
	}
	require.Equal(t, 5, got)
	res := h.do(req{method: "GET", path: "/api/v1/audit-logs/stream?after=" + url.QueryEscape(after[:len(after)-2]+"xx"), token: admin})
	require.Equal(t, http.StatusBadRequest, res.Code)
	for _, l := range []string{"0", "-1", "1000000"} {
		require.Equal(t, http.StatusUnprocessableEntity, h.do(req{method: "GET", path: "/api/v1/audit-logs/stream?limit=" + l, token: admin}).Code)
	}
}

func TestAuditGraphQL(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, func(h *harness) []Routes {
		key, err := database.InstanceSecret(context.Background(), h.pool, "cursor")
		require.NoError(t, err)
		svc := audit.NewService(h.pool, nil, audit.NewMetrics(prometheus.NewRegistry()), nil)
		return []Routes{AuditRoutes{Audit: svc, GraphQL: gql.NewHandler(svc, cursor.NewCodec(key), nil)}}
	})
	_, admin := h.newOrg("acme")
	_, admin2 := h.newOrg("globex")
	now := time.Now().UTC()
	var batch []map[string]any
	for i := 0; i < 5; i++ {
		batch = append(batch, auditEvent(uuid.Must(uuid.NewV7()), now, "workflow.executed", nil))
	}
	require.Equal(t, http.StatusOK, h.ingest(admin, batch...).Code)
	query := func(token, after string, filter map[string]any) map[string]any {
		res := h.do(req{method: "POST", path: "/api/v1/graphql", token: token, body: map[string]any{
			"query": `query($f: AuditLogFilter, $after: String) { auditLogs(filter: $f, first: 2, after: $after) {
				edges { cursor node { id eventType category storage seq actionData } } pageInfo { hasNextPage endCursor } coldEvents } }`,
			"variables": map[string]any{"f": filter, "after": after}}})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	filter := map[string]any{"eventTypes": []string{"workflow.executed"}, "category": "WORKFLOWS"}
	seen := map[string]bool{}
	after := ""
	for {
		body := query(admin, after, filter)
		require.Nil(t, body["errors"], "%v", body)
		conn := body["data"].(map[string]any)["auditLogs"].(map[string]any)
		for _, e := range conn["edges"].([]any) {
			node := e.(map[string]any)["node"].(map[string]any)
			require.False(t, seen[node["id"].(string)])
			seen[node["id"].(string)] = true
			require.Equal(t, "HOT", node["storage"])
		}
		pi := conn["pageInfo"].(map[string]any)
		if !pi["hasNextPage"].(bool) {
			break
		}
		after = pi["endCursor"].(string)
	}
	require.Len(t, seen, 5)
	// A cursor replayed with other filters, or by another org, is refused with a code.
	first := query(admin, "", filter)["data"].(map[string]any)["auditLogs"].(map[string]any)["pageInfo"].(map[string]any)["endCursor"].(string)
	for _, tc := range []struct {
		token  string
		filter map[string]any
	}{{admin, map[string]any{"category": "FILES"}}, {admin2, filter}} {
		body := query(tc.token, first, tc.filter)
		errs := body["errors"].([]any)
		require.Equal(t, "invalid_cursor", errs[0].(map[string]any)["extensions"].(map[string]any)["code"])
	}
	body := query(admin, "", map[string]any{"actorUserId": "nope"})
	require.Equal(t, "validation_failed", body["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)["code"])
	// Not a reader: 403 before GraphQL runs.
	writer := h.newKey(admin, "audit:write")
	res := h.do(req{method: "POST", path: "/api/v1/graphql", token: writer, body: map[string]any{"query": "{ auditLogs { coldEvents } }"}})
	require.Equal(t, http.StatusForbidden, res.Code)
	// Reading over GraphQL is audited.
	res = h.do(req{method: "GET", path: "/api/v1/audit-logs?event_type=audit_log.viewed&q=graphql", token: admin})
	require.NotEmpty(t, res.JSON(t)["data"])
}

// TestAuditRetentionRun starts the retention workflow on the real Temporal dev server: the
// id is audit-retention/{date} and a second start while it runs returns the same run.
func TestAuditRetentionRun(t *testing.T) {
	t.Parallel()
	c := testenv.SharedTemporal(t).Client(t)
	queue := "audit-run-" + uuid.NewString()[:8] // no worker polls it: the run stays open
	h := newHarness(t, nil, func(h *harness) []Routes {
		svc := audit.NewService(h.pool, nil, nil, nil)
		return []Routes{AuditRoutes{Audit: svc, StartRetention: func(ctx context.Context) (string, string, error) {
			run, err := c.ExecuteWorkflow(ctx, workflows.AuditRetentionStartOptions(queue, time.Now()), workflows.WorkflowAuditRetention, workflows.AuditRetentionInput{})
			if err != nil {
				return "", "", err
			}
			return run.GetID(), run.GetRunID(), nil
		}}}
	})
	_, admin := h.newOrg("acme")
	reader := h.newKey(admin, "audit:read")
	require.Equal(t, http.StatusForbidden, h.do(req{method: "POST", path: "/api/v1/audit-retention/run", token: reader}).Code)
	first := h.do(req{method: "POST", path: "/api/v1/audit-retention/run", token: admin})
	require.Equal(t, http.StatusAccepted, first.Code, "%s", first.Body)
	body := first.JSON(t)
	require.Equal(t, "audit-retention/"+time.Now().UTC().Format(time.DateOnly), body["workflow_id"])
	t.Cleanup(func() { _ = c.TerminateWorkflow(context.Background(), body["workflow_id"].(string), "", "test done") })
	second := h.do(req{method: "POST", path: "/api/v1/audit-retention/run", token: admin})
	require.Equal(t, http.StatusAccepted, second.Code)
	require.Equal(t, body["run_id"], second.JSON(t)["run_id"], "a duplicate start returns the running run")
}
