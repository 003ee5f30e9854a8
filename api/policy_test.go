// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

// policyRoutes wires the app policy service over the harness database, with its own change
// listener and recorder (stopped at cleanup).
func policyRoutes(h *harness) []Routes {
	svc := newPolicyService(h.t, h)
	return []Routes{PolicyRoutes{Policy: svc}}
}

func newPolicyService(t *testing.T, h *harness) *policy.Service {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cache := policy.NewCache()
	l := policy.NewListener(h.pool.Config().ConnString(), cache, log)
	require.NoError(t, l.Start(context.Background()))
	rec := policy.NewRecorder(h.pool, log)
	require.NoError(t, rec.Start(context.Background()))
	t.Cleanup(func() {
		_ = rec.Stop(context.Background())
		_ = l.Stop(context.Background())
	})
	svc, err := policy.NewService(h.pool, policy.DBResolver{DB: h.pool}, cache, rec, policy.NewMetrics(prometheus.NewRegistry()), log)
	require.NoError(t, err)
	require.Eventually(t, cache.Healthy, 5*time.Second, 10*time.Millisecond, "change feed never connected")
	return svc
}

func blockRule(name, cond string) map[string]any {
	return map[string]any{"name": name, "phase": "PRE_EXECUTION", "action": "BLOCK", "condition": cond,
		"target": map[string]any{"type": "ORGANIZATION"}}
}

func TestAppRulesCRUD(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, policyRoutes)
	_, admin := h.newOrg("rules")
	_, other := h.newOrg("rules-other")

	// Every problem in a condition is refused at save with the CEL text and its position.
	bad := []struct {
		name, cond, phase, contains string
	}{
		{"syntax", `args.x ==`, "PRE_EXECUTION", "<input>:1:"},
		{"output in PRE", `output.ok == true`, "PRE_EXECUTION", "POST_EXECUTION"},
		{"non-bool", `tool_name`, "PRE_EXECUTION", "must evaluate to bool"},
		{"undeclared", `nope == 1`, "POST_EXECUTION", "undeclared reference"},
		{"cost", `args.a.all(x, args.a.all(y, args.a.all(z, x == y && y == z)))`, "PRE_EXECUTION", "exceeds the budget"},
	}
	for _, b := range bad {
		rule := blockRule(b.name, b.cond)
		rule["phase"] = b.phase
		res := h.do(req{method: "POST", path: "/api/v1/app-rules", token: admin, body: rule})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", b.name, res.Body)
		p := res.JSON(t)
		require.Contains(t, p["detail"], b.contains, b.name)
		require.Equal(t, "condition", p["errors"].([]any)[0].(map[string]any)["field"])
		require.NotNil(t, p["line"])
		require.NotNil(t, p["column"])
	}

	// Rule tests run at save: a failing fixture refuses the rule.
	rule := blockRule("no secret repos", `args.repo == "secret"`)
	rule["scope"] = map[string]any{"server_id": "github", "tools": []string{"createIssue"}}
	rule["tests"] = []map[string]any{
		{"name": "blocks secret", "input": map[string]any{"server_id": "github", "tool_name": "createIssue", "args": map[string]any{"repo": "secret"}}, "expect": "ALLOW"},
	}
	res := h.do(req{method: "POST", path: "/api/v1/app-rules", token: admin, body: rule})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	require.Contains(t, string(res.Body), "tests[0]")
	rule["tests"] = []map[string]any{
		{"name": "blocks secret", "input": map[string]any{"server_id": "github", "tool_name": "createIssue", "args": map[string]any{"repo": "secret"}}, "expect": "BLOCK"},
		{"name": "allows public", "input": map[string]any{"server_id": "github", "tool_name": "createIssue", "args": map[string]any{"repo": "public"}}, "expect": "ALLOW"},
		{"name": "big ints exact", "input": map[string]any{"server_id": "github", "tool_name": "createIssue", "args": map[string]any{"repo": "secret", "n": uint64(1<<53 + 1)}}, "expect": "BLOCK"},
	}
	created := h.do(req{method: "POST", path: "/api/v1/app-rules", token: admin, body: rule, header: map[string]string{"Idempotency-Key": "rule-1"}})
	require.Equal(t, http.StatusCreated, created.Code, "%s", created.Body)
	require.Equal(t, `"v1"`, created.Header.Get("ETag"))
	r := created.JSON(t)
	id := r["id"].(string)
	require.EqualValues(t, 1, r["version"])
	require.Equal(t, "ENFORCE", r["mode"])
	require.True(t, r["enabled"].(bool))
	replay := h.do(req{method: "POST", path: "/api/v1/app-rules", token: admin, body: rule, header: map[string]string{"Idempotency-Key": "rule-1"}})
	require.Equal(t, http.StatusCreated, replay.Code)
	require.Equal(t, id, replay.JSON(t)["id"])

	// Optimistic concurrency and versions.
	rule["priority"] = 5
	res = h.do(req{method: "PUT", path: "/api/v1/app-rules/" + id, token: admin, body: rule, header: map[string]string{"If-Match": `"v7"`}})
	require.Equal(t, http.StatusPreconditionFailed, res.Code)
	res = h.do(req{method: "PUT", path: "/api/v1/app-rules/" + id, token: admin, body: rule, header: map[string]string{"If-Match": `"v1"`}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, `"v2"`, res.Header.Get("ETag"))
	res = h.do(req{method: "PUT", path: "/api/v1/app-rules/" + id, token: admin, body: rule})
	require.Equal(t, `"v2"`, res.Header.Get("ETag"), "the same content again is not a new version")
	vs := h.do(req{method: "GET", path: "/api/v1/app-rules/" + id + "/versions?limit=1", token: admin})
	require.Equal(t, http.StatusOK, vs.Code, "%s", vs.Body)
	page := vs.JSON(t)
	require.Len(t, page["data"], 1)
	require.NotNil(t, page["next_cursor"])
	vs = h.do(req{method: "GET", path: "/api/v1/app-rules/" + id + "/versions?limit=1&cursor=" + page["next_cursor"].(string), token: admin})
	require.Equal(t, http.StatusOK, vs.Code, "%s", vs.Body)
	require.EqualValues(t, 1, vs.JSON(t)["data"].([]any)[0].(map[string]any)["version"])

	// Upsert by external key converges.
	keyed := blockRule("keyed", `tool_name == "rm"`)
	res = h.do(req{method: "PUT", path: "/api/v1/app-rules/by-key/iac-1", token: admin, body: keyed})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	res2 := h.do(req{method: "PUT", path: "/api/v1/app-rules/by-key/iac-1", token: admin, body: keyed})
	require.Equal(t, http.StatusOK, res2.Code)
	require.Equal(t, res.Header.Get("ETag"), res2.Header.Get("ETag"))
	require.Equal(t, "iac-1", res2.JSON(t)["external_key"])

	list := h.do(req{method: "GET", path: "/api/v1/app-rules?phase=PRE_EXECUTION", token: admin})
	require.Equal(t, http.StatusOK, list.Code)
	require.Len(t, list.JSON(t)["data"], 2)

	// Another org sees nothing; a non-admin key is refused.
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/app-rules/" + id, token: other}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "DELETE", path: "/api/v1/app-rules/" + id, token: other}).Code)
	evalKey := h.newKey(admin, "policy:evaluate")
	require.Equal(t, http.StatusForbidden, h.do(req{method: "GET", path: "/api/v1/app-rules", token: evalKey}).Code)

	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/app-rules/" + id, token: admin}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/app-rules/" + id, token: admin}).Code)
	vs = h.do(req{method: "GET", path: "/api/v1/app-rules/" + id + "/versions", token: admin})
	require.Equal(t, http.StatusOK, vs.Code)
	hist := vs.JSON(t)["data"].([]any)
	require.Len(t, hist, 3)
	require.Equal(t, "DELETED", hist[0].(map[string]any)["change"])
}

// policyFixture is an org with a group, a member in it and a workspace.
type policyFixture struct {
	orgID, admin, evalKey, userID, groupID, workspaceID, memberID string
}

func (h *harness) policyFixture(slug string) policyFixture {
	t := h.t
	f := policyFixture{}
	f.orgID, f.admin = h.newOrg(slug)
	f.evalKey = h.newKey(f.admin, "policy:evaluate")
	g := h.do(req{method: "POST", path: "/api/v1/groups", token: f.admin, body: map[string]any{"name": "Engineers",
		"oauth_scope_allowlist": map[string]any{"google": []string{"email", "profile"}}, "component_denylist": []string{"code"}}})
	require.Equal(t, http.StatusCreated, g.Code, "%s", g.Body)
	f.groupID = g.JSON(t)["id"].(string)
	ws := h.do(req{method: "POST", path: "/api/v1/workspaces", token: f.admin, body: map[string]any{"name": "Main"}})
	require.Equal(t, http.StatusCreated, ws.Code, "%s", ws.Body)
	f.workspaceID = ws.JSON(t)["id"].(string)
	f.userID = uuid.NewString()
	m := h.do(req{method: "POST", path: "/api/v1/members", token: f.admin, body: map[string]any{"email": "ann@acme.com", "name": "Ann",
		"role": "MEMBER", "user_id": f.userID, "permission_group_id": f.groupID}})
	require.Equal(t, http.StatusCreated, m.Code, "%s", m.Body)
	f.memberID = m.JSON(t)["id"].(string)
	return f
}

func (f policyFixture) call(args map[string]any) map[string]any {
	return map[string]any{"phase": "PRE_EXECUTION", "user_id": f.userID, "workspace_id": f.workspaceID, "server_id": "github",
		"tool_name": "createIssue", "args": args}
}

func TestPolicyEvaluate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, policyRoutes)
	f := h.policyFixture("evaluate")
	mk := func(body map[string]any) string {
		res := h.do(req{method: "POST", path: "/api/v1/app-rules", token: f.admin, body: body})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		return res.JSON(t)["id"].(string)
	}
	secret := mk(map[string]any{"name": "secret", "phase": "PRE_EXECUTION", "action": "BLOCK", "priority": 10,
		"condition": `has(args.repo) && args.repo == "secret"`, "scope": map[string]any{"server_id": "github"}})
	tag := mk(map[string]any{"name": "pii", "phase": "PRE_EXECUTION", "action": "TAG", "tags": []string{"pii"}, "priority": 1,
		"condition": `has(args.email) || args[?"x-email"].orValue("") == "y"`, "target": map[string]any{"type": "PERMISSION_GROUP", "id": f.groupID}})
	shadow := mk(map[string]any{"name": "shadow", "phase": "PRE_EXECUTION", "action": "BLOCK", "mode": "SHADOW", "condition": `true`})
	huge := mk(map[string]any{"name": "huge", "phase": "PRE_EXECUTION", "action": "BLOCK", "priority": 20,
		"condition": `args.?n.orValue(0) == 9007199254740993`})
	counted := mk(map[string]any{"name": "count", "phase": "PRE_EXECUTION", "action": "BLOCK", "priority": 30,
		"condition": `args.?strict.orValue(false) == true && args.count > 5`})

	eval := func(body map[string]any) map[string]any {
		res := h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: f.evalKey, body: body})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	// Allowed, tagged by the group rule, with the shadow rule reported but not blocking.
	d := eval(f.call(map[string]any{"repo": "public", "email": "x@y.z"}))
	require.Equal(t, "ALLOW", d["decision"])
	require.Equal(t, []any{"pii"}, d["tags"])
	require.Equal(t, tag, d["matched_rules"].([]any)[0].(map[string]any)["id"])
	require.Equal(t, shadow, d["shadow_rules"].([]any)[0].(map[string]any)["id"])
	require.Empty(t, d["message"])

	corr := uuid.NewString()
	call := f.call(map[string]any{"repo": "secret"})
	call["correlation_id"] = corr
	d = eval(call)
	require.Equal(t, "BLOCK", d["decision"])
	require.Equal(t, "RULE_MATCHED", d["reason"])
	require.Equal(t, policy.DefaultBlockMessage, d["message"])
	m := d["matched_rules"].([]any)[0].(map[string]any)
	require.Equal(t, secret, m["id"])
	require.EqualValues(t, 1, m["version"])

	// JSON integers compare exactly: 2^53+1 is not 2^53.
	require.Equal(t, "BLOCK", eval(f.call(map[string]any{"n": uint64(1<<53 + 1)}))["decision"])
	require.Equal(t, "ALLOW", eval(f.call(map[string]any{"n": uint64(1 << 53)}))["decision"])
	_ = huge
	// A rule that fails to evaluate blocks (fail-closed).
	d = eval(f.call(map[string]any{"strict": true}))
	require.Equal(t, "BLOCK", d["decision"])
	require.Equal(t, "EVALUATION_ERROR", d["reason"])
	require.Equal(t, counted, d["matched_rules"].([]any)[0].(map[string]any)["id"])

	// Unknown users and workspaces are blocked, not an error.
	unknown := f.call(map[string]any{})
	unknown["user_id"] = uuid.NewString()
	require.Equal(t, "UNKNOWN_USER", eval(unknown)["reason"])
	unknown = f.call(map[string]any{})
	unknown["workspace_id"] = uuid.NewString()
	require.Equal(t, "UNKNOWN_WORKSPACE", eval(unknown)["reason"])

	// Bad input is a 422, never a 500.
	for _, body := range []any{
		map[string]any{"phase": "DURING", "user_id": f.userID, "workspace_id": f.workspaceID, "server_id": "s", "tool_name": "t"},
		map[string]any{"phase": "PRE_EXECUTION", "user_id": "nope", "workspace_id": f.workspaceID, "server_id": "s", "tool_name": "t"},
		map[string]any{"phase": "PRE_EXECUTION", "user_id": f.userID, "workspace_id": f.workspaceID, "server_id": "s", "tool_name": "t", "args": []int{1}},
		map[string]any{"phase": "PRE_EXECUTION", "user_id": f.userID, "workspace_id": f.workspaceID, "server_id": "s", "tool_name": "t", "output": 1},
	} {
		res := h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: f.evalKey, body: body})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%v: %s", body, res.Body)
	}
	require.Equal(t, http.StatusForbidden, h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: h.newKey(f.admin, "audit:read"), body: f.call(nil)}).Code)

	// Every evaluation is recorded; BLOCK/TAG/errors are audited with the correlation id.
	ctx := context.Background()
	var n int
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM policy_tool_call WHERE org_id = $1`, f.orgID).Scan(&n))
	require.Equal(t, 7, n)
	require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = 'app_rule.blocked' AND correlation_id = $2`, f.orgID, corr).Scan(&n))
	require.Equal(t, 1, n)
	for _, typ := range []string{"app_rule.tagged", "app_rule.evaluation_failed", "app_rule.created"} {
		require.NoError(t, h.pool.QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = $2`, f.orgID, typ).Scan(&n))
		require.Positive(t, n, typ)
	}

	// Moving the user to another group changes which rules apply, through the change feed.
	g2 := h.do(req{method: "POST", path: "/api/v1/groups", token: f.admin, body: map[string]any{"name": "Contractors"}})
	require.Equal(t, http.StatusCreated, g2.Code, "%s", g2.Body)
	g2id := g2.JSON(t)["id"].(string)
	mk(map[string]any{"name": "contractors", "phase": "PRE_EXECUTION", "action": "BLOCK", "condition": `user.group_name == "Contractors"`,
		"target": map[string]any{"type": "PERMISSION_GROUP", "id": g2id}})
	require.Equal(t, "ALLOW", eval(f.call(map[string]any{}))["decision"])
	res := h.do(req{method: "PATCH", path: "/api/v1/members/" + f.memberID, token: f.admin, body: map[string]any{"permission_group_id": g2id}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Eventually(t, func() bool {
		res := h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: f.evalKey, body: f.call(map[string]any{})})
		return res.JSON(t)["decision"] == "BLOCK"
	}, 5*time.Second, 20*time.Millisecond)

	// Simulation: a draft that blocks public repos would newly block the recorded public call.
	sim := h.do(req{method: "POST", path: "/api/v1/app-rules/simulate", token: f.admin, body: map[string]any{
		"rules": []any{secret, map[string]any{"name": "draft", "phase": "PRE_EXECUTION", "action": "BLOCK", "condition": `has(args.repo) && args.repo == "public"`}},
	}})
	require.Equal(t, http.StatusOK, sim.Code, "%s", sim.Body)
	s := sim.JSON(t)
	require.Positive(t, s["calls"])
	rules := s["rules"].([]any)
	require.Len(t, rules[0].(map[string]any)["would_block"], 1)
	require.Len(t, rules[1].(map[string]any)["would_block"], 1)
	require.Len(t, s["newly_blocked"], 1)
	bad := h.do(req{method: "POST", path: "/api/v1/app-rules/simulate", token: f.admin, body: map[string]any{"rules": []any{map[string]any{"name": "x", "phase": "PRE_EXECUTION", "action": "BLOCK", "condition": "args.x =="}}}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, "%s", bad.Body)
}

func TestClaimsRestrictionsAndOAuthCheck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, policyRoutes)
	a := h.policyFixture("claims-a")
	b := h.policyFixture("claims-b")

	claim := h.do(req{method: "POST", path: "/api/v1/app-claims", token: a.admin, body: map[string]any{"provider": "slack", "external_workspace_id": "T1", "display_name": "Acme Slack"}})
	require.Equal(t, http.StatusCreated, claim.Code, "%s", claim.Body)
	claimID := claim.JSON(t)["id"].(string)
	dup := h.do(req{method: "POST", path: "/api/v1/app-claims", token: b.admin, body: map[string]any{"provider": "Slack", "external_workspace_id": "T1"}})
	require.Equal(t, http.StatusConflict, dup.Code, "%s", dup.Body)
	// B may hold a disabled claim on it, but cannot enable it while A holds it.
	dis := h.do(req{method: "POST", path: "/api/v1/app-claims", token: b.admin, body: map[string]any{"provider": "slack", "external_workspace_id": "T1", "enabled": false}})
	require.Equal(t, http.StatusCreated, dis.Code, "%s", dis.Body)
	en := h.do(req{method: "PATCH", path: "/api/v1/app-claims/" + dis.JSON(t)["id"].(string), token: b.admin, body: map[string]any{"enabled": true}})
	require.Equal(t, http.StatusConflict, en.Code, "%s", en.Body)

	check := func(f policyFixture, body map[string]any) map[string]any {
		body["user_id"] = f.userID
		res := h.do(req{method: "POST", path: "/api/v1/connections/oauth/check", token: f.evalKey, body: body})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	policies := func(res map[string]any) []string {
		var out []string
		for _, v := range res["violations"].([]any) {
			out = append(out, v.(map[string]any)["policy"].(string))
		}
		return out
	}
	require.Equal(t, []string{"APP_CLAIM"}, policies(check(b, map[string]any{"provider": "slack", "external_workspace_id": "T1", "scopes": []string{}})))
	require.Equal(t, true, check(a, map[string]any{"provider": "slack", "external_workspace_id": "T1"})["allowed"])

	// Rename changes the label only; disable stops enforcing.
	res := h.do(req{method: "PATCH", path: "/api/v1/app-claims/" + claimID, token: a.admin, body: map[string]any{"display_name": "Renamed"}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "Renamed", res.JSON(t)["display_name"])
	res = h.do(req{method: "PATCH", path: "/api/v1/app-claims/" + claimID, token: a.admin, body: map[string]any{"enabled": false}, header: map[string]string{"If-Match": res.Header.Get("ETag")}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, true, check(b, map[string]any{"provider": "slack", "external_workspace_id": "T1"})["allowed"])
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/app-claims/" + claimID, token: b.admin}).Code)

	// Domain restrictions: exact, case-insensitive domain match; no email is not allowed.
	dr := h.do(req{method: "POST", path: "/api/v1/domain-restrictions", token: a.admin, body: map[string]any{"provider": "google", "domains": []string{"Acme.com", "acme.io"}}})
	require.Equal(t, http.StatusCreated, dr.Code, "%s", dr.Body)
	require.Equal(t, []any{"acme.com", "acme.io"}, dr.JSON(t)["domains"])
	require.Equal(t, http.StatusConflict, h.do(req{method: "POST", path: "/api/v1/domain-restrictions", token: a.admin, body: map[string]any{"provider": "Google", "domains": []string{"x.com"}}}).Code)
	require.Equal(t, http.StatusUnprocessableEntity, h.do(req{method: "POST", path: "/api/v1/domain-restrictions", token: a.admin, body: map[string]any{"provider": "x", "domains": []string{"not a domain"}}}).Code)
	require.Equal(t, true, check(a, map[string]any{"provider": "google", "email": "ann@ACME.com", "scopes": []string{"email"}})["allowed"])
	require.Equal(t, []string{"DOMAIN_RESTRICTION"}, policies(check(a, map[string]any{"provider": "google", "email": "ann@acme.com.evil.io", "scopes": []string{"email"}})))
	require.Equal(t, []string{"DOMAIN_RESTRICTION"}, policies(check(a, map[string]any{"provider": "google", "scopes": []string{"email"}})))
	// The group's scope allowlist and component denylist.
	require.Equal(t, []string{"OAUTH_SCOPE"}, policies(check(a, map[string]any{"provider": "google", "email": "a@acme.com", "scopes": []string{"email", "drive"}})))
	require.Equal(t, []string{"COMPONENT_DENIED"}, policies(check(a, map[string]any{"provider": "code"})))
	unknown := h.do(req{method: "POST", path: "/api/v1/connections/oauth/check", token: a.evalKey, body: map[string]any{"provider": "google", "user_id": uuid.NewString()}})
	require.Equal(t, http.StatusNotFound, unknown.Code)

	// Scan lists existing connections that now violate a restriction or another org's claim.
	require.Equal(t, http.StatusOK, h.do(req{method: "PATCH", path: "/api/v1/app-claims/" + claimID, token: a.admin, body: map[string]any{"enabled": true}}).Code)
	scan := h.do(req{method: "POST", path: "/api/v1/connections/scan", token: b.evalKey, body: map[string]any{"connections": []map[string]any{
		{"id": "c1", "provider": "slack", "external_workspace_id": "T1"},
		{"id": "c2", "provider": "slack", "external_workspace_id": "T2"},
	}}})
	require.Equal(t, http.StatusOK, scan.Code, "%s", scan.Body)
	require.EqualValues(t, 1, scan.JSON(t)["violating"])
	scan = h.do(req{method: "POST", path: "/api/v1/connections/scan", token: a.evalKey, body: map[string]any{"connections": []map[string]any{
		{"id": "c3", "provider": "google", "email": "x@gmail.com"}, {"id": "c4", "provider": "google", "email": "y@acme.io"},
	}}})
	require.Equal(t, "c3", scan.JSON(t)["data"].([]any)[0].(map[string]any)["id"])
	require.Len(t, scan.JSON(t)["data"], 1)

	// Deleting the claim releases it; the list pages.
	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/app-claims/" + claimID, token: a.admin}).Code)
	res = h.do(req{method: "POST", path: "/api/v1/app-claims", token: b.admin, body: map[string]any{"provider": "slack", "external_workspace_id": "T9"}})
	require.Equal(t, http.StatusCreated, res.Code)
	l := h.do(req{method: "GET", path: "/api/v1/app-claims?limit=1", token: b.admin})
	require.Equal(t, http.StatusOK, l.Code)
	require.NotNil(t, l.JSON(t)["next_cursor"])
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/domain-restrictions", token: a.admin}).Code)
	id := dr.JSON(t)["id"].(string)
	up := h.do(req{method: "PUT", path: "/api/v1/domain-restrictions/" + id, token: a.admin, body: map[string]any{"provider": "google", "domains": []string{"acme.com"}}})
	require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/domain-restrictions/" + id, token: a.admin}).Code)

	// A deleted org's claims are released (and audited in that org) when contested.
	res = h.do(req{method: "POST", path: "/api/v1/app-claims", token: a.admin, body: map[string]any{"provider": "jira", "external_workspace_id": "J1"}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	require.Equal(t, http.StatusConflict, h.do(req{method: "POST", path: "/api/v1/app-claims", token: b.admin, body: map[string]any{"provider": "jira", "external_workspace_id": "J1"}}).Code)
	del := h.do(req{method: "DELETE", path: "/api/v1/admin/orgs/" + a.orgID + "?confirm=claims-a", token: testAdminKey})
	require.Less(t, del.Code, 300, "%s", del.Body)
	res = h.do(req{method: "POST", path: "/api/v1/app-claims", token: b.admin, body: map[string]any{"provider": "jira", "external_workspace_id": "J1"}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	var released int
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type = 'app_claim.released'`, a.orgID).Scan(&released))
	require.Equal(t, 1, released)
}

func TestAppPoliciesDisabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]string{"BYTECHEF_APP_POLICIES_ENABLED": "false"})
	_, admin := h.newOrg("off")
	for _, p := range []string{"/api/v1/policy/evaluate", "/api/v1/app-rules", "/api/v1/app-claims", "/api/v1/domain-restrictions", "/api/v1/connections/oauth/check"} {
		res := h.do(req{method: "POST", path: p, token: admin, body: map[string]any{}})
		require.Equal(t, http.StatusNotFound, res.Code, p)
		require.Equal(t, "feature_disabled", res.problemCode(t), p)
	}
}

// TestPolicyEvaluateRawJSONText: args are recorded as sent, so an unpaired surrogate escape
// must not turn a decision into an error (it reads as U+FFFD, as in any decoded string).
func TestPolicyEvaluateRawJSONText(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, policyRoutes)
	f := h.policyFixture("rawtext")
	body := `{"phase":"PRE_EXECUTION","user_id":"` + f.userID + `","workspace_id":"` + f.workspaceID +
		`","server_id":"github","tool_name":"createIssue","args":{"cmd":"rm \ud800","text":"\\u0000"}}`
	res := h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: f.evalKey, body: body})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "ALLOW", res.JSON(t)["decision"])
	var args string
	require.NoError(t, h.pool.QueryRow(context.Background(), "SELECT args->>'cmd' FROM policy_tool_call WHERE org_id = $1", f.orgID).Scan(&args))
	require.Equal(t, "rm \ufffd", args)
	body = `{"phase":"PRE_EXECUTION","user_id":"` + f.userID + `","workspace_id":"` + f.workspaceID +
		`","server_id":"github","tool_name":"createIssue","args":{"n":1e999999}}`
	res = h.do(req{method: "POST", path: "/api/v1/policy/evaluate", token: f.evalKey, body: body})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	require.Contains(t, string(res.Body), `"field":"args.n"`)
}
