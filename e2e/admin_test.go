// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/bytechefhq/bytechef-ee/internal/platform/dnstest"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// TestAdminInfrastructureAsCode drives a whole org setup over HTTP the way an IaC tool does:
// create everything by external key, re-apply the same configuration (nothing changes, no
// audit events), change it, delete parts of it, check the audit trail it left, then delete
// the org and let OrgPurgeWorkflow remove its data on the real Temporal server.
func TestAdminInfrastructureAsCode(t *testing.T) {
	t.Parallel()
	dns := dnstest.Start(t)
	s := StartStack(t, map[string]string{"BYTECHEF_DNS_RESOLVER": dns.Addr()})
	ctx := context.Background()
	db, err := pgxpool.New(ctx, s.DBURL)
	require.NoError(t, err)
	t.Cleanup(db.Close)

	res := s.Do("POST", "/api/v1/admin/orgs", adminKey, map[string]any{"name": "Terraformed", "slug": "terraformed"})
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	orgID := res.JSON(t)["id"].(string)
	res = s.Do("POST", "/api/v1/api-keys", adminKey, map[string]any{"name": "terraform", "scopes": []string{"admin"}}, "X-ByteChef-Org", "terraformed")
	require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
	key := res.JSON(t)["secret"].(string)
	events := func() int {
		var n int
		require.NoError(t, db.QueryRow(ctx, `SELECT count(*) FROM audit_event WHERE org_id = $1`, orgID).Scan(&n))
		return n
	}

	builders := map[string]any{"name": "Builders", "priority": 10,
		"feature_restrictions":  map[string]any{"restrict_public_sharing": true},
		"rate_limits":           map[string]any{"max_concurrent_executions": 5},
		"oauth_scope_allowlist": map[string]any{"googleDrive": []string{"drive.readonly"}},
		"component_denylist":    []string{"category:code"}}
	apply := func(want int) (etags, ids map[string]string) {
		etags, ids = map[string]string{}, map[string]string{}
		put := func(name, path string, body any) {
			r := s.Do("PUT", path, key, body)
			require.Equal(t, want, r.Status, "%s: %s", path, r.Body)
			etags[name], ids[name] = r.Header.Get("ETag"), r.JSON(t)["id"].(string)
		}
		put("builders", "/api/v1/groups/by-key/builders", builders)
		put("viewers", "/api/v1/groups/by-key/viewers", map[string]any{"name": "Viewers", "priority": 1,
			"feature_restrictions": map[string]any{"restrict_workflow_creation": true}})
		put("eng", "/api/v1/workspaces/by-key/eng", map[string]any{"name": "Engineering"})
		put("ops", "/api/v1/workspaces/by-key/ops", map[string]any{"name": "Operations"})
		put("ada", "/api/v1/members/by-key/ada", map[string]any{"email": "ada@terraformed.example", "name": "Ada", "role": "ADMIN",
			"permission_group_id": ids["builders"], "workspace_ids": []string{ids["eng"], ids["ops"]}})
		put("linus", "/api/v1/members/by-key/linus", map[string]any{"email": "linus@terraformed.example", "name": "Linus",
			"permission_group_id": ids["viewers"], "workspace_ids": []string{ids["ops"]}})
		put("domain", "/api/v1/domains/by-key/terraformed.example", nil)
		r := s.Do("PATCH", "/api/v1/settings", key, map[string]any{"signup_mode": "VERIFIED_DOMAINS_ONLY", "session_idle_timeout": 3600,
			"allowed_redirect_uris": []string{"https://bytechef.terraformed.example/sso/callback"}})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		etags["settings"] = r.Header.Get("ETag")
		return etags, ids
	}

	etags, ids := apply(http.StatusCreated)
	// The domain's TXT challenge is published, then verified.
	dom := s.Do("GET", "/api/v1/domains/"+ids["domain"], key, nil).JSON(t)["verification"].(map[string]any)
	dns.SetTXT(dom["record_name"].(string), dom["record_value"].(string))
	res = s.Do("POST", "/api/v1/domains/"+ids["domain"]+"/verify", key, nil)
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	etags["domain"] = res.Header.Get("ETag")
	check := s.Do("POST", "/api/v1/signup/check", key, map[string]any{"email": "new.hire@terraformed.example"}).JSON(t)
	require.Equal(t, map[string]any{"allowed": true, "org_id": orgID, "reason": "VERIFIED_DOMAIN"}, check)

	// Re-apply unchanged: same ids, same ETags, no audit events.
	before := events()
	etags2, ids2 := apply(http.StatusOK)
	require.Equal(t, ids, ids2)
	require.Equal(t, etags, etags2)
	require.Equal(t, before, events())

	// Change: Linus moves to Builders and Ada leaves ops; the builders lose code execution.
	builders["component_denylist"] = []string{"category:code", "code/scriptExecutor"}
	res = s.Do("PUT", "/api/v1/groups/by-key/builders", key, builders, "If-Match", etags["builders"])
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = s.Do("PUT", "/api/v1/groups/by-key/builders", key, builders, "If-Match", etags["builders"])
	require.Equal(t, http.StatusPreconditionFailed, res.Status, "the tool's stale ETag is refused")
	res = s.Do("PATCH", "/api/v1/members/"+ids["linus"], key, map[string]any{"permission_group_id": ids["builders"]})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	res = s.Do("PUT", "/api/v1/members/by-key/ada", key, map[string]any{"email": "ada@terraformed.example", "workspace_ids": []string{ids["eng"]}})
	require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
	eff := s.Do("GET", "/api/v1/members/"+ids["linus"]+"/effective-permissions", key, nil).JSON(t)
	require.Equal(t, []any{"category:code", "code/scriptExecutor"}, eff["component_denylist"])
	require.EqualValues(t, 5, eff["rate_limits"].(map[string]any)["max_concurrent_executions"])

	// Delete: the viewers group (empty now), the ops workspace, Linus.
	for _, p := range []string{"/api/v1/groups/by-key/viewers", "/api/v1/workspaces/by-key/ops", "/api/v1/members/by-key/linus"} {
		require.Equal(t, http.StatusNoContent, s.Do("DELETE", p, key, nil).Status, p)
		require.Equal(t, http.StatusNotFound, s.Do("GET", p, key, nil).Status, p)
	}

	// The audit trail: every change once, in order, with actor and request correlation.
	rows, err := db.Query(ctx, `SELECT event_type, category, actor_type, correlation_id IS NOT NULL FROM audit_event
		WHERE org_id = $1 AND seq > (SELECT min(seq) FROM audit_event WHERE org_id = $1 AND event_type = 'domain.verified') ORDER BY seq`, orgID)
	require.NoError(t, err)
	var trail []string
	for rows.Next() {
		var typ, cat, actor string
		var correlated bool
		require.NoError(t, rows.Scan(&typ, &cat, &actor, &correlated))
		require.Equal(t, "API_KEY", actor)
		require.True(t, correlated)
		trail = append(trail, typ+"/"+cat)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{
		"permission_group.updated/PERMISSIONS",
		"member.group_changed/PERMISSIONS",
		"workspace.member_removed/TEAMS",
		"permission_group.deleted/PERMISSIONS",
		"workspace.deleted/TEAMS",
		"member.deleted/TEAMS",
	}, trail)

	// Delete the org: confirmation required; then its keys stop working at once.
	require.Equal(t, http.StatusUnprocessableEntity, s.Do("DELETE", "/api/v1/admin/orgs/"+orgID+"?confirm=nope", adminKey, nil).Status)
	res = s.Do("DELETE", "/api/v1/admin/orgs/"+orgID+"?confirm=terraformed", adminKey, nil)
	require.Equal(t, http.StatusAccepted, res.Status, "%s", res.Body)
	require.Equal(t, http.StatusUnauthorized, s.Do("GET", "/api/v1/org", key, nil).Status)

	// After the grace period (shortened here) the purge workflow removes the org's data.
	_, err = db.Exec(ctx, `UPDATE organization SET purge_after = now() - interval '1 second' WHERE id = $1`, orgID)
	require.NoError(t, err)
	tc := s.Temporal.Client(t)
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "org-purge-" + orgID, TaskQueue: s.TaskQueue,
		WorkflowExecutionTimeout: 2 * time.Minute}, workflows.WorkflowOrgPurge, workflows.OrgPurgeInput{})
	require.NoError(t, err)
	var out workflows.OrgPurgeResult
	require.NoError(t, run.Get(ctx, &out))
	require.Equal(t, 1, out.OrgsPurged)
	require.Positive(t, out.RowsDeleted)
	var left int
	require.NoError(t, db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM member WHERE org_id = $1) + (SELECT count(*) FROM workspace WHERE org_id = $1) +
		(SELECT count(*) FROM permission_group WHERE org_id = $1) + (SELECT count(*) FROM domain WHERE org_id = $1) +
		(SELECT count(*) FROM api_key WHERE org_id = $1) + (SELECT count(*) FROM audit_event WHERE org_id = $1)`, orgID).Scan(&left))
	require.Zero(t, left)
	// The slug stays reserved.
	res = s.Do("POST", "/api/v1/admin/orgs", adminKey, map[string]any{"name": "Again", "slug": "terraformed"})
	require.Equal(t, http.StatusConflict, res.Status)
}
