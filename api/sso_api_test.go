// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSSOConnectionsAPI(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	_, otherKey := e.newOrg("other")
	body := map[string]any{"protocol": "OIDC", "provider": "ENTRA_ID", "name": "Entra", "jit_provisioning": false,
		"oidc": map[string]any{"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0", "client_id": "app-1", "client_secret": "hunter2",
			"allowed_tenant_ids": []string{"t1"}}}
	res := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: body})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	require.NotContains(t, string(res.Body), "hunter2")
	c := res.JSON(t)
	id := c["id"].(string)
	require.Equal(t, []any{"email", "preferred_username", "upn"}, c["effective_attribute_mapping"].(map[string]any)["email"])
	require.Equal(t, e.url+"/sso/acme/oidc/callback", c["oidc"].(map[string]any)["redirect_uri"])
	require.Equal(t, e.url+"/sso/acme?connection="+id, c["login_url"])
	etag := res.Header.Get("ETag")

	// Another org sees nothing (404, not 403).
	require.Equal(t, http.StatusNotFound, e.do(req{method: "GET", path: "/api/v1/sso/connections/" + id, token: otherKey}).Code)
	require.Equal(t, http.StatusNotFound, e.do(req{method: "DELETE", path: "/api/v1/sso/connections/" + id, token: otherKey}).Code)
	// Non-admin keys are refused.
	require.Equal(t, http.StatusForbidden, e.do(req{method: "GET", path: "/api/v1/sso/connections", token: e.exchKey}).Code)

	list := e.do(req{method: "GET", path: "/api/v1/sso/connections?limit=1", token: e.adminKey})
	require.Equal(t, http.StatusOK, list.Code)
	require.Len(t, list.JSON(t)["data"], 1)

	// PATCH with a stale ETag is 412; with the current one it changes and keeps the secret.
	require.Equal(t, http.StatusPreconditionFailed, e.do(req{method: "PATCH", path: "/api/v1/sso/connections/" + id, token: e.adminKey,
		body: map[string]any{"enabled": false}, header: map[string]string{"If-Match": `"v99"`}}).Code)
	up := e.do(req{method: "PATCH", path: "/api/v1/sso/connections/" + id, token: e.adminKey, body: map[string]any{"enabled": false,
		"attribute_mapping": map[string]string{"email": "upn"}}, header: map[string]string{"If-Match": etag}})
	require.Equal(t, http.StatusOK, up.Code, "%s", up.Body)
	u := up.JSON(t)
	require.Equal(t, false, u["enabled"])
	require.Equal(t, true, u["oidc"].(map[string]any)["client_secret_set"])
	require.Equal(t, []any{"upn"}, u["effective_attribute_mapping"].(map[string]any)["email"])

	// Validation is a 422 naming the fields.
	bad := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{"protocol": "SAML", "provider": "NOPE", "saml": map[string]any{}}})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code, "%s", bad.Body)
	require.Contains(t, string(bad.Body), `"provider"`)
	unknown := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{"protocol": "OIDC", "bogus": 1}})
	require.Equal(t, http.StatusUnprocessableEntity, unknown.Code)

	// The disabled connection no longer starts logins.
	res2 := browser(t).get(t, e.url+"/sso/acme?return_to="+url.QueryEscape(appReturnTo))
	page := res2.Body
	require.Equal(t, http.StatusNotFound, res2.StatusCode)
	require.Equal(t, "NO_CONNECTION", reasonOf(page))

	require.Equal(t, http.StatusNoContent, e.do(req{method: "DELETE", path: "/api/v1/sso/connections/" + id, token: e.adminKey}).Code)
	var n int
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type LIKE 'sso_connection.%'`, e.orgID).Scan(&n))
	require.Equal(t, 3, n)
	var data string
	require.NoError(t, e.pool.QueryRow(t.Context(), `SELECT action_data::text FROM audit_event WHERE org_id = $1 AND event_type = 'sso_connection.created'`, e.orgID).Scan(&data))
	require.NotContains(t, data, "hunter2")
}

func TestSSOLoginURLRules(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	get := func(path string) (int, string) {
		res := browser(t).get(t, e.url+path)
		return res.StatusCode, reasonOf(res.Body)
	}
	status, reason := get("/sso/nope")
	require.Equal(t, 404, status)
	require.Equal(t, "ORG_NOT_FOUND", reason)
	status, reason = get("/sso/acme?return_to=" + url.QueryEscape("https://evil.example/cb"))
	require.Equal(t, 400, status)
	require.Equal(t, "RETURN_TO_NOT_ALLOWED", reason)
	status, reason = get("/sso/acme?return_to=" + url.QueryEscape(appReturnTo+"/x"))
	require.Equal(t, 400, status)
	require.Equal(t, "RETURN_TO_NOT_ALLOWED", reason)
	status, reason = get("/sso/acme?return_to=" + url.QueryEscape(appReturnTo))
	require.Equal(t, 404, status)
	require.Equal(t, "NO_CONNECTION", reason)
	status, reason = get("/sso/acme?connection=not-a-uuid")
	require.Equal(t, 404, status)
	require.Equal(t, "NO_CONNECTION", reason)

	// Two enabled connections: the application must name one.
	for range 2 {
		r := e.do(req{method: "POST", path: "/api/v1/sso/connections", token: e.adminKey, body: map[string]any{"protocol": "OIDC", "provider": "OKTA",
			"oidc": map[string]any{"issuer": "https://acme.okta.com", "client_id": "c"}}})
		require.Equal(t, http.StatusCreated, r.Code, "%s", r.Body)
	}
	status, reason = get("/sso/acme")
	require.Equal(t, 400, status)
	require.Equal(t, "CONNECTION_REQUIRED", reason)

	// The page is HTML, not cached, not frameable, and shows no internals.
	res := browser(t).get(t, e.url+"/sso/acme")
	page := string(res.Body)
	require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	require.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	require.Contains(t, page, res.Header.Get("X-Request-Id"))
}

func TestSessionEndpointsPermissions(t *testing.T) {
	t.Parallel()
	e := newSSOEnv(t)
	// An admin key without a body is asked for the token; a key lacking sso:exchange is refused.
	require.Equal(t, http.StatusUnprocessableEntity, e.do(req{method: "POST", path: "/api/v1/sessions/introspect", token: e.exchKey}).Code)
	k := e.do(req{method: "POST", path: "/api/v1/api-keys", token: e.adminKey, body: map[string]any{"name": "audit", "scopes": []string{"audit:read"}}})
	audit := k.JSON(t)["secret"].(string)
	require.Equal(t, http.StatusForbidden, e.do(req{method: "POST", path: "/api/v1/sessions/introspect", token: audit, body: map[string]any{"token": "bcs_x"}}).Code)
	require.Equal(t, http.StatusForbidden, e.do(req{method: "POST", path: "/api/v1/sso/token", token: audit, body: map[string]any{"code": "x"}}).Code)
	// Unknown tokens are simply inactive; revoking one changes nothing.
	require.Equal(t, false, e.introspect(t, "bcs_unknown")["active"])
	r := e.do(req{method: "POST", path: "/api/v1/sessions/revoke", token: e.exchKey, body: map[string]any{"token": "bcs_unknown"}})
	require.Equal(t, false, r.JSON(t)["revoked"])
	// Session tokens are refused in the query string, like every credential.
	require.Equal(t, http.StatusUnauthorized, e.do(req{method: "POST", path: "/api/v1/sessions/introspect?access_token=bcs_x"}).Code)
}

func TestSSOFeatureDisabled(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]string{"BYTECHEF_SSO_ENABLED": "false"})
	for _, p := range []string{"/sso/acme", "/api/v1/sso/connections", "/api/v1/sessions/introspect"} {
		res := h.do(req{method: "GET", path: p, token: testAdminKey})
		require.Equal(t, http.StatusNotFound, res.Code, p)
		require.Equal(t, "feature_disabled", res.problemCode(t), p)
	}
}
