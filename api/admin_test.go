// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/dnstest"
)

// auditCount counts an org's audit events (optionally of some types).
func (h *harness) auditCount(orgID string, types ...string) int {
	h.t.Helper()
	var n int
	q := `SELECT count(*) FROM audit_event WHERE org_id = $1`
	args := []any{orgID}
	if len(types) > 0 {
		q += ` AND event_type = ANY($2)`
		args = append(args, types)
	}
	require.NoError(h.t, h.pool.QueryRow(context.Background(), q, args...).Scan(&n))
	return n
}

// TestAdminDeclarativeApply drives an org setup as an infrastructure-as-code tool would:
// apply, re-apply unchanged (nothing changes, no audit events), change, delete, and check the
// audit trail it left.
func TestAdminDeclarativeApply(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	orgID, key := h.newOrg("iac")
	do := func(method, path string, body any, header ...string) response {
		r := req{method: method, path: path, token: key, body: body, header: map[string]string{}}
		for i := 0; i+1 < len(header); i += 2 {
			r.header[header[i]] = header[i+1]
		}
		return h.do(r)
	}
	groups := map[string]any{
		"builders": map[string]any{"name": "Builders", "priority": 10,
			"feature_restrictions":  map[string]any{"restrict_public_sharing": true},
			"rate_limits":           map[string]any{"max_concurrent_executions": 5, "max_executions_per_hour": nil},
			"oauth_scope_allowlist": map[string]any{"googleDrive": []string{"drive.readonly"}},
			"component_denylist":    []string{"category:code"}},
		"viewers": map[string]any{"name": "Viewers", "priority": 1, "feature_restrictions": map[string]any{
			"restrict_project_creation": true, "restrict_workflow_creation": true}},
	}
	apply := func(wantStatus int) (etags map[string]string, ids map[string]string) {
		etags, ids = map[string]string{}, map[string]string{}
		for k, body := range groups {
			res := do("PUT", "/api/v1/groups/by-key/"+k, body)
			require.Equal(t, wantStatus, res.Code, "%s", res.Body)
			etags["g:"+k], ids["g:"+k] = res.Header.Get("ETag"), res.JSON(t)["id"].(string)
		}
		for _, k := range []string{"eng", "ops"} {
			res := do("PUT", "/api/v1/workspaces/by-key/"+k, map[string]any{"name": strings.ToUpper(k)})
			require.Equal(t, wantStatus, res.Code, "%s", res.Body)
			etags["w:"+k], ids["w:"+k] = res.Header.Get("ETag"), res.JSON(t)["id"].(string)
		}
		for i, k := range []string{"ada", "grace"} {
			res := do("PUT", "/api/v1/members/by-key/"+k, map[string]any{"email": k + "@iac.example", "name": k,
				"role": []string{"ADMIN", "MEMBER"}[i], "permission_group_id": ids["g:builders"],
				"workspace_ids": []string{ids["w:eng"], ids["w:ops"]}[:i+1]})
			require.Equal(t, wantStatus, res.Code, "%s", res.Body)
			etags["m:"+k], ids["m:"+k] = res.Header.Get("ETag"), res.JSON(t)["id"].(string)
		}
		res := do("PATCH", "/api/v1/settings", map[string]any{"signup_mode": "INVITE_ONLY", "allowed_redirect_uris": []string{"https://app.iac.example/cb"}})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		etags["settings"] = res.Header.Get("ETag")
		res = do("PUT", "/api/v1/domains/by-key/iac.example", nil)
		require.Equal(t, wantStatus, res.Code, "%s", res.Body)
		etags["d"], ids["d"] = res.Header.Get("ETag"), res.JSON(t)["id"].(string)
		return etags, ids
	}
	etags1, ids1 := apply(http.StatusCreated)
	events := h.auditCount(orgID)
	etags2, ids2 := apply(http.StatusOK)
	require.Equal(t, ids1, ids2, "re-apply addresses the same resources")
	require.Equal(t, etags1, etags2, "re-apply changes nothing")
	require.Equal(t, events, h.auditCount(orgID), "re-apply writes no audit events")

	// Change: the builders' axes, grace moves to viewers and leaves eng for ops.
	groups["builders"].(map[string]any)["component_denylist"] = []string{"category:code", "code/scriptExecutor"}
	res := do("PUT", "/api/v1/groups/by-key/builders", groups["builders"], "If-Match", etags1["g:builders"])
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.NotEqual(t, etags1["g:builders"], res.Header.Get("ETag"))
	res = do("PUT", "/api/v1/members/by-key/grace", map[string]any{"email": "grace@iac.example", "permission_group_id": ids1["g:viewers"],
		"workspace_ids": []string{ids1["w:ops"]}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	m := res.JSON(t)
	require.Equal(t, ids1["g:viewers"], m["permission_group_id"])
	require.Equal(t, []any{ids1["w:ops"]}, m["workspace_ids"])
	eff := do("GET", "/api/v1/members/"+ids1["m:grace"]+"/effective-permissions", nil).JSON(t)
	require.Equal(t, "Viewers", eff["permission_group"].(map[string]any)["name"])
	require.Equal(t, true, eff["feature_restrictions"].(map[string]any)["restrict_workflow_creation"])
	require.Equal(t, false, eff["feature_restrictions"].(map[string]any)["restrict_public_sharing"])

	// Delete: grace, the viewers group, the ops workspace.
	for _, p := range []string{"/api/v1/members/by-key/grace", "/api/v1/groups/by-key/viewers", "/api/v1/workspaces/by-key/ops"} {
		res := do("DELETE", p, nil)
		require.Equal(t, http.StatusNoContent, res.Code, "%s: %s", p, res.Body)
		require.Equal(t, http.StatusNotFound, do("GET", p, nil).Code, p)
	}

	// The audit trail, in order, with categories.
	rows, err := h.pool.Query(context.Background(), `SELECT event_type, category FROM audit_event
		WHERE org_id = $1 AND event_type NOT IN ('organization.created', 'api_key.created') ORDER BY seq`, orgID)
	require.NoError(t, err)
	var trail []string
	for rows.Next() {
		var typ, cat string
		require.NoError(t, rows.Scan(&typ, &cat))
		trail = append(trail, typ+"/"+cat)
	}
	require.NoError(t, rows.Err())
	counts := map[string]int{}
	for _, e := range trail {
		counts[e]++
	}
	require.Equal(t, map[string]int{
		"permission_group.created/PERMISSIONS": 2, "workspace.created/TEAMS": 2, "member.created/TEAMS": 2,
		"workspace.member_added/TEAMS": 3, "settings.updated/ORGANIZATION": 1, "domain.created/ORGANIZATION": 1,
		"permission_group.updated/PERMISSIONS": 1, "member.group_changed/PERMISSIONS": 1, "workspace.member_removed/TEAMS": 1,
		"member.deleted/TEAMS": 1, "permission_group.deleted/PERMISSIONS": 1, "workspace.deleted/TEAMS": 1,
	}, counts, "%v", trail)
	require.Equal(t, "member.deleted/TEAMS", trail[len(trail)-3])
	require.Equal(t, "workspace.deleted/TEAMS", trail[len(trail)-1])
	var data string
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT action_data::text FROM audit_event
		WHERE org_id = $1 AND event_type = 'permission_group.updated'`, orgID).Scan(&data))
	require.Contains(t, data, `"before"`)
	require.Contains(t, data, "code/scriptExecutor")
}

func TestAdminHostileInput(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, key := h.newOrg("hostile")
	_, other := h.newOrg("hostile-other")
	post := func(path string, body any) response {
		return h.do(req{method: "POST", path: path, token: key, body: body})
	}
	cases := []struct {
		path   string
		body   any
		status int
	}{
		{"/api/v1/workspaces", `{"name":"W","owner":"x"}`, 422},
		{"/api/v1/workspaces", `{"name":5}`, 422},
		{"/api/v1/workspaces", `{}`, 422},
		{"/api/v1/workspaces", `{"name":"W","external_key":"has space"}`, 422},
		{"/api/v1/workspaces", `{"name":"W","external_key":"a/b"}`, 422},
		{"/api/v1/members", `{"email":"x@y.example","source":"SCIM"}`, 422},
		{"/api/v1/members", `{"email":"not-an-email"}`, 422},
		{"/api/v1/members", `{"email":"Ada <ada@y.example>"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","role":"OWNER"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","role":"admin"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","status":"BANNED"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","user_id":"nope"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","permission_group_id":"00000000-0000-0000-0000-000000000001"}`, 422},
		{"/api/v1/members", `{"email":"a@y.example","workspace_ids":["00000000-0000-0000-0000-000000000001"]}`, 422},
		{"/api/v1/members", `{"email":["a@y.example"]}`, 422},
		{"/api/v1/groups", `{"name":"G","priority":"high"}`, 422},
		{"/api/v1/groups", `{"name":"G","priority":-1}`, 422},
		{"/api/v1/groups", `{"name":"G","priority":99999999999}`, 422},
		{"/api/v1/groups", `{"name":"G","feature_restrictions":{"restrict_everything":true}}`, 422},
		{"/api/v1/groups", `{"name":"G","feature_restrictions":{"restrict_public_sharing":"yes"}}`, 422},
		{"/api/v1/groups", `{"name":"G","rate_limits":{"max_concurrent_executions":-5}}`, 422},
		{"/api/v1/groups", `{"name":"G","rate_limits":{"per_minute":5}}`, 422},
		{"/api/v1/groups", `{"name":"G","oauth_scope_allowlist":{"googleDrive":"drive"}}`, 422},
		{"/api/v1/groups", `{"name":"G","oauth_scope_allowlist":{"bad key!":["x"]}}`, 422},
		{"/api/v1/groups", `{"name":"G","oauth_scope_allowlist":{"googleDrive":["has space"]}}`, 422},
		{"/api/v1/groups", `{"name":"G","component_denylist":["category:"]}`, 422},
		{"/api/v1/groups", `{"name":"G","component_denylist":["a/b/c"]}`, 422},
		{"/api/v1/groups", `{"name":"G","component_denylist":"code"}`, 422},
		{"/api/v1/groups", `{"name":"default"}`, 409},
		{"/api/v1/domains", `{"domain":"gmail.com"}`, 422},
		{"/api/v1/domains", `{"domain":"hotmail.co.uk"}`, 422},
		{"/api/v1/domains", `{"domain":"http://acme.example/"}`, 422},
		{"/api/v1/domains", `{"domain":"localhost"}`, 422},
		{"/api/v1/signup/check", `{"email":"nope"}`, 422},
		{"/api/v1/signup/check", `{"email":"a@b.example","org_id":"x"}`, 422},
	}
	for _, tc := range cases {
		res := post(tc.path, tc.body)
		require.Equal(t, tc.status, res.Code, "%s %s: %s", tc.path, tc.body, res.Body)
		require.NotEmpty(t, res.problemCode(t))
	}
	for _, body := range []string{`{"session_idle_timeout":"8h"}`, `{"session_idle_timeout":1}`, `{"signup_mode":"CLOSED"}`,
		`{"allowed_redirect_uris":["http://evil.example/cb"]}`, `{"nope":true}`, `{"session_idle_timeout":7200,"session_max_lifetime":3600}`} {
		res := h.do(req{method: "PATCH", path: "/api/v1/settings", token: key, body: body})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s: %s", body, res.Body)
	}

	// Emails differing only in case are the same member.
	created := post("/api/v1/members", map[string]any{"email": "Mixed.Case@Hostile.example"})
	require.Equal(t, http.StatusCreated, created.Code, "%s", created.Body)
	require.Equal(t, "Mixed.Case@hostile.example", created.JSON(t)["email"])
	for _, e := range []string{"mixed.case@hostile.example", "MIXED.CASE@HOSTILE.EXAMPLE"} {
		dup := post("/api/v1/members", map[string]any{"email": e})
		require.Equal(t, http.StatusConflict, dup.Code, "%s", dup.Body)
		require.Equal(t, "email", dup.JSON(t)["errors"].([]any)[0].(map[string]any)["field"])
	}
	// The same email in another org is another member.
	require.Equal(t, http.StatusCreated, h.do(req{method: "POST", path: "/api/v1/members", token: other,
		body: map[string]any{"email": "mixed.case@hostile.example"}}).Code)
	// Lookup by email is case-insensitive.
	list := h.do(req{method: "GET", path: "/api/v1/members?email=MIXED.case@hostile.EXAMPLE", token: key}).JSON(t)["data"].([]any)
	require.Len(t, list, 1)

	// Duplicate slugs (also differing only in case) and duplicate group names.
	res := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "X", "slug": "hostile"}})
	require.Equal(t, http.StatusConflict, res.Code)
	res = h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "X", "slug": "HOSTILE"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	require.Equal(t, http.StatusCreated, post("/api/v1/groups", map[string]any{"name": "Ops"}).Code)
	require.Equal(t, http.StatusConflict, post("/api/v1/groups", map[string]any{"name": "OPS"}).Code)
	require.Equal(t, http.StatusCreated, post("/api/v1/workspaces", map[string]any{"name": "A", "external_key": "k1"}).Code)
	require.Equal(t, http.StatusConflict, post("/api/v1/workspaces", map[string]any{"name": "B", "external_key": "k1"}).Code)
	// The path key and the body key must agree.
	res = h.do(req{method: "PUT", path: "/api/v1/workspaces/by-key/k2", token: key, body: map[string]any{"name": "B", "external_key": "k3"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
}

func TestAdminCrossOrgAndDefaultGroup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, keyA := h.newOrg("cross-a")
	_, keyB := h.newOrg("cross-b")
	postA := func(path string, body any) map[string]any {
		res := h.do(req{method: "POST", path: path, token: keyA, body: body})
		require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	ws := postA("/api/v1/workspaces", map[string]any{"name": "A's"})["id"].(string)
	grp := postA("/api/v1/groups", map[string]any{"name": "A's group"})["id"].(string)
	mem := postA("/api/v1/members", map[string]any{"email": "a@cross.example", "permission_group_id": grp, "workspace_ids": []string{ws}})
	require.Equal(t, []any{ws}, mem["workspace_ids"])
	memID := mem["id"].(string)
	dom := postA("/api/v1/domains", map[string]any{"domain": "cross.example"})["id"].(string)

	// Org B sees none of A's ids, for every verb.
	for _, r := range []req{
		{method: "GET", path: "/api/v1/workspaces/" + ws},
		{method: "PATCH", path: "/api/v1/workspaces/" + ws, body: map[string]any{"name": "x"}},
		{method: "DELETE", path: "/api/v1/workspaces/" + ws},
		{method: "GET", path: "/api/v1/workspaces/" + ws + "/members"},
		{method: "PUT", path: "/api/v1/workspaces/" + ws + "/members/" + memID},
		{method: "GET", path: "/api/v1/members/" + memID},
		{method: "PATCH", path: "/api/v1/members/" + memID, body: map[string]any{"status": "SUSPENDED"}},
		{method: "DELETE", path: "/api/v1/members/" + memID},
		{method: "GET", path: "/api/v1/members/" + memID + "/effective-permissions"},
		{method: "GET", path: "/api/v1/groups/" + grp},
		{method: "PATCH", path: "/api/v1/groups/" + grp, body: map[string]any{"name": "x"}},
		{method: "DELETE", path: "/api/v1/groups/" + grp},
		{method: "GET", path: "/api/v1/domains/" + dom},
		{method: "POST", path: "/api/v1/domains/" + dom + "/verify"},
		{method: "DELETE", path: "/api/v1/domains/" + dom},
		{method: "GET", path: "/api/v1/members/not-a-uuid"},
	} {
		r.token = keyB
		res := h.do(r)
		require.Equal(t, http.StatusNotFound, res.Code, "%s %s: %s", r.method, r.path, res.Body)
		require.Equal(t, "not_found", res.problemCode(t))
	}
	// B cannot point its members at A's group or workspaces either.
	res := h.do(req{method: "POST", path: "/api/v1/members", token: keyB, body: map[string]any{"email": "b@cross.example", "permission_group_id": grp}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = h.do(req{method: "POST", path: "/api/v1/api-keys", token: keyB, body: map[string]any{"name": "k", "scopes": []string{"admin"}, "member_id": memID}})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)

	// The Default group: listed, renamable, not deletable; deleting a group moves its members there.
	groups := h.do(req{method: "GET", path: "/api/v1/groups", token: keyA}).JSON(t)["data"].([]any)
	var def map[string]any
	for _, g := range groups {
		if g.(map[string]any)["is_default"] == true {
			def = g.(map[string]any)
		}
	}
	require.NotNil(t, def)
	defID := def["id"].(string)
	res = h.do(req{method: "DELETE", path: "/api/v1/groups/" + defID, token: keyA})
	require.Equal(t, http.StatusConflict, res.Code)
	require.Equal(t, "conflict", res.problemCode(t))
	res = h.do(req{method: "PATCH", path: "/api/v1/groups/" + defID, token: keyA, body: map[string]any{"name": "Everyone"}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "Everyone", res.JSON(t)["name"])
	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/groups/" + grp, token: keyA}).Code)
	res = h.do(req{method: "GET", path: "/api/v1/members/" + memID, token: keyA})
	require.Equal(t, defID, res.JSON(t)["permission_group_id"])
}

func TestAdminConcurrency(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	orgID, key := h.newOrg("conc")
	post := func(path string, body any) response {
		return h.do(req{method: "POST", path: path, token: key, body: body})
	}
	g1 := post("/api/v1/groups", map[string]any{"name": "One"}).JSON(t)["id"].(string)
	g2 := post("/api/v1/groups", map[string]any{"name": "Two"}).JSON(t)["id"].(string)
	created := post("/api/v1/members", map[string]any{"email": "c@conc.example"})
	memID := created.JSON(t)["id"].(string)
	etag := created.Header.Get("ETag")

	// Two writers with the same ETag: one wins, the other gets 412.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, g := range []string{g1, g2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = h.do(req{method: "PATCH", path: "/api/v1/members/" + memID, token: key,
				body: map[string]any{"permission_group_id": g}, header: map[string]string{"If-Match": etag}}).Code
		}()
	}
	wg.Wait()
	require.ElementsMatch(t, []int{http.StatusOK, http.StatusPreconditionFailed}, codes)

	// Many concurrent moves without If-Match: the member ends in exactly one group.
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := []string{g1, g2}[i%2]
			res := h.do(req{method: "PATCH", path: "/api/v1/members/" + memID, token: key, body: map[string]any{"permission_group_id": g}})
			require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		}()
	}
	wg.Wait()
	total := 0
	for _, g := range []string{g1, g2} {
		total += len(h.do(req{method: "GET", path: "/api/v1/members?permission_group_id=" + g, token: key}).JSON(t)["data"].([]any))
	}
	require.Equal(t, 1, total)
	var groupsOfMember int
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT count(DISTINCT permission_group_id) FROM member WHERE id = $1`, memID).Scan(&groupsOfMember))
	require.Equal(t, 1, groupsOfMember)

	// Concurrent upserts of one external key create it once.
	codes = make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = h.do(req{method: "PUT", path: "/api/v1/workspaces/by-key/race", token: key, body: map[string]any{"name": "Race"}}).Code
		}()
	}
	wg.Wait()
	createdN := 0
	for _, c := range codes {
		require.Contains(t, []int{http.StatusOK, http.StatusCreated}, c)
		if c == http.StatusCreated {
			createdN++
		}
	}
	require.Equal(t, 1, createdN)
	require.Equal(t, 1, h.auditCount(orgID, "workspace.created"))

	// Stale If-Match on every mutable resource is 412.
	for _, p := range []string{"/api/v1/groups/" + g1, "/api/v1/settings"} {
		res := h.do(req{method: "PATCH", path: p, token: key, body: map[string]any{}, header: map[string]string{"If-Match": `"v999"`}})
		require.Equal(t, http.StatusPreconditionFailed, res.Code, "%s: %s", p, res.Body)
	}
	res := h.do(req{method: "DELETE", path: "/api/v1/groups/" + g1, token: key, header: map[string]string{"If-Match": `"v999"`}})
	require.Equal(t, http.StatusPreconditionFailed, res.Code)

	// Pagination: every member exactly once, cursors bound to their filters.
	for i := range 5 {
		require.Equal(t, http.StatusCreated, post("/api/v1/members", map[string]any{"email": fmt.Sprintf("p%d@conc.example", i)}).Code)
	}
	seen := map[string]bool{}
	path := "/api/v1/members?limit=2"
	for path != "" {
		body := h.do(req{method: "GET", path: path, token: key}).JSON(t)
		for _, m := range body["data"].([]any) {
			id := m.(map[string]any)["id"].(string)
			require.False(t, seen[id])
			seen[id] = true
		}
		path = ""
		if next, ok := body["next_cursor"].(string); ok {
			path = "/api/v1/members?limit=2&cursor=" + next
			bad := h.do(req{method: "GET", path: "/api/v1/members?limit=2&status=ACTIVE&cursor=" + next, token: key})
			require.Equal(t, http.StatusBadRequest, bad.Code)
			bad = h.do(req{method: "GET", path: "/api/v1/workspaces?limit=2&cursor=" + next, token: key})
			require.Equal(t, http.StatusBadRequest, bad.Code)
		}
	}
	require.Len(t, seen, 6)

	// Idempotency-Key on create replays the first answer.
	hdr := map[string]string{"Idempotency-Key": "ws-1"}
	first := h.do(req{method: "POST", path: "/api/v1/workspaces", token: key, body: map[string]any{"name": "Once"}, header: hdr})
	again := h.do(req{method: "POST", path: "/api/v1/workspaces", token: key, body: map[string]any{"name": "Once"}, header: hdr})
	require.Equal(t, http.StatusCreated, again.Code)
	require.Equal(t, first.JSON(t)["id"], again.JSON(t)["id"])
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
}

func TestAdminSuspensionDomainsSignupAndOrgDelete(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t)
	h := newHarness(t, map[string]string{"BYTECHEF_DNS_RESOLVER": dns.Addr()})
	orgID, key := h.newOrg("lifecycle")
	mem := h.do(req{method: "POST", path: "/api/v1/members", token: key, body: map[string]any{"email": "kim@lifecycle.example", "role": "ADMIN"}}).JSON(t)
	memID := mem["id"].(string)
	k := h.do(req{method: "POST", path: "/api/v1/api-keys", token: key, body: map[string]any{"name": "kim", "scopes": []string{"admin"}, "member_id": memID}})
	require.Equal(t, http.StatusCreated, k.Code, "%s", k.Body)
	require.Equal(t, memID, k.JSON(t)["member_id"])
	kimKey := k.JSON(t)["secret"].(string)
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/org", token: kimKey}).Code)

	// Suspending the member revokes the member's keys at once, in the same transaction.
	res := h.do(req{method: "PATCH", path: "/api/v1/members/" + memID, token: key, body: map[string]any{"status": "SUSPENDED"}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "SUSPENDED", res.JSON(t)["status"])
	require.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/org", token: kimKey}).Code)
	var data string
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT action_data::text FROM audit_event WHERE org_id = $1 AND event_type = 'member.suspended'`, orgID).Scan(&data))
	require.Contains(t, data, k.JSON(t)["id"].(string))
	eff := h.do(req{method: "GET", path: "/api/v1/members/" + memID + "/effective-permissions", token: key}).JSON(t)
	require.Equal(t, false, eff["active"])

	// Domains: claim, verify against the local DNS server, signup by verified domain.
	d := h.do(req{method: "POST", path: "/api/v1/domains", token: key, body: map[string]any{"domain": "lifecycle.example"}})
	require.Equal(t, http.StatusCreated, d.Code, "%s", d.Body)
	dj := d.JSON(t)
	ch := dj["verification"].(map[string]any)
	require.Equal(t, "_bytechef-challenge.lifecycle.example", ch["record_name"])
	require.Equal(t, "PENDING", dj["status"])
	res = h.do(req{method: "POST", path: "/api/v1/domains/" + dj["id"].(string) + "/verify", token: key})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	dns.SetTXT(ch["record_name"].(string), ch["record_value"].(string))
	res = h.do(req{method: "POST", path: "/api/v1/domains/" + dj["id"].(string) + "/verify", token: key})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "VERIFIED", res.JSON(t)["status"])
	check := func(email string) map[string]any {
		res := h.do(req{method: "POST", path: "/api/v1/signup/check", token: key, body: map[string]any{"email": email}})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		return res.JSON(t)
	}
	require.Equal(t, map[string]any{"allowed": true, "org_id": orgID, "reason": "VERIFIED_DOMAIN"}, check("new@Lifecycle.example"))
	require.Equal(t, map[string]any{"allowed": false, "org_id": orgID, "reason": "DOMAIN_NOT_VERIFIED"}, check("new@other.example"))
	require.Equal(t, map[string]any{"allowed": false, "org_id": orgID, "reason": "MEMBER_SUSPENDED"}, check("KIM@lifecycle.example"))
	settings := h.do(req{method: "GET", path: "/api/v1/settings", token: key})
	require.Equal(t, "VERIFIED_DOMAINS_ONLY", settings.JSON(t)["signup_mode"])
	require.EqualValues(t, 30, settings.JSON(t)["deprovision_retention_days"])

	// Org delete: instance admin only, the slug must be repeated; then the org is gone.
	res = h.do(req{method: "DELETE", path: "/api/v1/admin/orgs/" + orgID, token: key})
	require.Equal(t, http.StatusForbidden, res.Code)
	for _, q := range []string{"", "?confirm=wrong"} {
		res = h.do(req{method: "DELETE", path: "/api/v1/admin/orgs/" + orgID + q, token: testAdminKey})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	}
	res = h.do(req{method: "DELETE", path: "/api/v1/admin/orgs/" + orgID + "?confirm=lifecycle", token: testAdminKey})
	require.Equal(t, http.StatusAccepted, res.Code, "%s", res.Body)
	require.Equal(t, "DELETED", res.JSON(t)["status"])
	require.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/org", token: key}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/admin/orgs/" + orgID, token: testAdminKey}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "DELETE", path: "/api/v1/admin/orgs/" + orgID + "?confirm=lifecycle", token: testAdminKey}).Code)
	require.Equal(t, 1, h.auditCount(orgID, "organization.deleted"))
}
