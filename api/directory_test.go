// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

func TestDirectoryConnectionsAndRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, func(h *harness) []Routes {
		keys, err := crypto.New([]config.Key{{ID: "k1", Secret: []byte(strings.Repeat("k", 32))}})
		require.NoError(t, err)
		sc := scim.NewService(h.pool, orgadmin.NewService(h.pool, h.cfg))
		// No scheduler: runs are recorded but no workflow starts, so they stay RUNNING.
		return []Routes{DirectoryRoutes{Directory: directory.NewService(h.pool, keys, sc, nil)}}
	})
	_, admin := h.newOrg("acme")

	res := h.do(req{method: "POST", path: "/api/v1/directory/sync", token: admin})
	require.Equal(t, http.StatusNotFound, res.Code, "no connection yet: %s", res.Body)

	bad := []map[string]any{
		{"kind": "LDAP", "name": "x", "base_url": "https://x.example", "secret": "s"},
		{"kind": "OKTA", "name": "x", "base_url": "ftp://x.example", "secret": "s"},
		{"kind": "OKTA", "name": "x", "base_url": "https://user:pw@x.example", "secret": "s"},
		{"kind": "OKTA", "name": "x", "base_url": "https://x.example"},
		{"kind": "ENTRA_ID", "name": "x", "secret": "s"},
		{"kind": "OKTA", "name": "", "base_url": "https://x.example", "secret": "s"},
	}
	for _, b := range bad {
		res := h.do(req{method: "POST", path: "/api/v1/directory/connections", token: admin, body: b})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%v: %s", b, res.Body)
	}
	res = h.do(req{method: "POST", path: "/api/v1/directory/connections", token: admin, body: map[string]any{
		"kind": "ENTRA_ID", "name": "Entra", "secret": "client-secret-value", "settings": map[string]any{"tenant_id": "t1", "client_id": "c1"}}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
	require.NotContains(t, string(res.Body), "client-secret-value")
	conn := res.JSON(t)
	require.Equal(t, "https://graph.microsoft.com", conn["base_url"])
	id := conn["id"].(string)
	var sealed []byte
	require.NoError(t, h.pool.QueryRow(t.Context(), `SELECT secret_ciphertext FROM directory_connection WHERE id = $1`, id).Scan(&sealed))
	require.NotContains(t, string(sealed), "client-secret-value", "the secret is stored sealed")

	res = h.do(req{method: "POST", path: "/api/v1/directory/connections", token: admin, body: map[string]any{
		"kind": "OKTA", "name": "Okta", "base_url": "https://acme.okta.example", "secret": "ssws"}})
	require.Equal(t, http.StatusConflict, res.Code, "one enabled connection per org: %s", res.Body)

	res = h.do(req{method: "PATCH", path: "/api/v1/directory/connections/" + id, token: admin, body: map[string]any{"name": "Entra ID", "secret": "rotated"}})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "Entra ID", res.JSON(t)["name"])
	require.Len(t, h.do(req{method: "GET", path: "/api/v1/directory/connections", token: admin}).JSON(t)["data"], 1)

	res = h.do(req{method: "POST", path: "/api/v1/directory/sync?dry_run=maybe", token: admin})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code)
	res = h.do(req{method: "POST", path: "/api/v1/directory/sync?dry_run=true", token: admin})
	require.Equal(t, http.StatusAccepted, res.Code, "%s", res.Body)
	run := res.JSON(t)
	require.Equal(t, "RUNNING", run["status"])
	require.Equal(t, true, run["dry_run"])
	require.True(t, strings.HasPrefix(run["workflow_id"].(string), "dirsync/"))
	res = h.do(req{method: "POST", path: "/api/v1/directory/sync", token: admin})
	require.Equal(t, http.StatusConflict, res.Code)
	require.Equal(t, run["id"], res.JSON(t)["running_run_id"])

	runs := h.do(req{method: "GET", path: "/api/v1/directory/sync-runs", token: admin}).JSON(t)["data"].([]any)
	require.Len(t, runs, 1)
	got := h.do(req{method: "GET", path: "/api/v1/directory/sync-runs/" + run["id"].(string), token: admin})
	require.Equal(t, http.StatusOK, got.Code)

	// Another org sees none of it.
	_, other := h.newOrg("other")
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/directory/connections/" + id, token: other}).Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "GET", path: "/api/v1/directory/sync-runs/" + run["id"].(string), token: other}).Code)

	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/directory/connections/" + id, token: admin}).Code)
}
