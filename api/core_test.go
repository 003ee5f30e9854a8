// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestHealthFeaturesOpenAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t, map[string]string{"BYTECHEF_ANALYTICS_ENABLED": "false"})
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/healthz"}).Code)
	ready := h.do(req{method: "GET", path: "/readyz"})
	require.Equal(t, http.StatusOK, ready.Code)
	require.Equal(t, "ready", ready.JSON(t)["status"])
	spec := h.do(req{method: "GET", path: "/api/v1/openapi.yaml"})
	require.Equal(t, http.StatusOK, spec.Code)
	require.Contains(t, string(spec.Body), "openapi: 3.1.0")
	feats := h.do(req{method: "GET", path: "/api/v1/features"}).JSON(t)["data"].([]any)
	state := map[string]bool{}
	for _, f := range feats {
		m := f.(map[string]any)
		state[m["name"].(string)] = m["enabled"].(bool)
	}
	require.True(t, state["SSO"])
	require.False(t, state["ANALYTICS"])
	require.Len(t, state, 8)
	// Every response carries a request id; a well-formed one sent by the client is echoed.
	res := h.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "trace-123"}})
	require.Equal(t, "trace-123", res.Header.Get("X-Request-Id"))
	res = h.do(req{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "bad id with spaces"}})
	require.NotEqual(t, "bad id with spaces", res.Header.Get("X-Request-Id"))
	require.NotEmpty(t, res.Header.Get("X-Request-Id"))
	metrics := h.do(req{method: "GET", path: "/metrics"})
	require.True(t, strings.Contains(string(metrics.Body), "bytechef_http_requests_total"), "metrics lack the HTTP counter")
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, key := h.newOrg("acme")

	cases := []struct {
		name   string
		header map[string]string
		path   string
		status int
		code   string
	}{
		{"missing", nil, "/api/v1/org", 401, "unauthenticated"},
		{"not bearer", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, "/api/v1/org", 401, "unauthenticated"},
		{"unknown key", map[string]string{"Authorization": "Bearer bcee_" + strings.Repeat("A", 43)}, "/api/v1/org", 401, "unauthenticated"},
		{"garbage", map[string]string{"Authorization": "Bearer \x7f\x01"}, "/api/v1/org", 401, "unauthenticated"},
		{"huge token", map[string]string{"Authorization": "Bearer " + strings.Repeat("x", 10000)}, "/api/v1/org", 401, "unauthenticated"},
		{"key in query string", nil, "/api/v1/org?access_token=" + key, 401, "unauthenticated"},
		{"instance admin without org", map[string]string{"Authorization": "Bearer " + testAdminKey}, "/api/v1/api-keys", 400, "org_required"},
		{"instance admin, unknown org", map[string]string{"Authorization": "Bearer " + testAdminKey, "X-ByteChef-Org": "nope"}, "/api/v1/api-keys", 404, "not_found"},
		{"org key on admin endpoint", map[string]string{"Authorization": "Bearer " + key}, "/api/v1/admin/orgs", 403, "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := h.do(req{method: "GET", path: tc.path, header: tc.header})
			require.Equal(t, tc.status, res.Code, "%s", res.Body)
			require.Equal(t, tc.code, res.problemCode(t))
		})
	}
	res := h.do(req{method: "GET", path: "/api/v1/org"})
	require.Contains(t, res.Header.Get("WWW-Authenticate"), "Bearer")
}

func TestAPIKeyLifecycleScopesAndCrossOrg(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	orgA, adminA := h.newOrg("org-a")
	_, adminB := h.newOrg("org-b")

	created := h.do(req{method: "POST", path: "/api/v1/api-keys", token: adminA, body: map[string]any{"name": "reader", "scopes": []string{"audit:read", "audit:read"}}})
	require.Equal(t, http.StatusCreated, created.Code, "%s", created.Body)
	k := created.JSON(t)
	secret := k["secret"].(string)
	require.True(t, strings.HasPrefix(secret, "bcee_"))
	require.Len(t, secret, len("bcee_")+43) // 256 random bits
	require.Equal(t, []any{"audit:read"}, k["scopes"])
	require.Equal(t, secret[len(secret)-4:], k["last4"])
	require.True(t, strings.HasPrefix(secret, k["prefix"].(string)))
	keyID := k["id"].(string)

	// The secret is never listed again.
	list := h.do(req{method: "GET", path: "/api/v1/api-keys", token: adminA})
	require.Equal(t, http.StatusOK, list.Code)
	require.NotContains(t, string(list.Body), secret)
	require.Len(t, list.JSON(t)["data"], 2)

	// Wrong scope: the reader key cannot manage keys.
	res := h.do(req{method: "GET", path: "/api/v1/api-keys", token: secret})
	require.Equal(t, http.StatusForbidden, res.Code)
	require.Equal(t, "forbidden", res.problemCode(t))
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/org", token: secret}).Code)

	// Another org's key id is simply not found, for every verb.
	for _, r := range []req{
		{method: "GET", path: "/api/v1/api-keys/" + keyID, token: adminB},
		{method: "DELETE", path: "/api/v1/api-keys/" + keyID, token: adminB},
		{method: "POST", path: "/api/v1/api-keys/" + keyID + "/rotate", token: adminB},
		{method: "GET", path: "/api/v1/api-keys/not-a-uuid", token: adminB},
	} {
		res := h.do(r)
		require.Equal(t, http.StatusNotFound, res.Code, "%s %s: %s", r.method, r.path, res.Body)
		require.Equal(t, "not_found", res.problemCode(t))
	}

	// Rotation: the old secret stops, the new one works.
	rot := h.do(req{method: "POST", path: "/api/v1/api-keys/" + keyID + "/rotate", token: adminA})
	require.Equal(t, http.StatusOK, rot.Code, "%s", rot.Body)
	newSecret := rot.JSON(t)["secret"].(string)
	require.Equal(t, http.StatusUnauthorized, h.do(req{method: "GET", path: "/api/v1/org", token: secret}).Code)
	require.Equal(t, http.StatusOK, h.do(req{method: "GET", path: "/api/v1/org", token: newSecret}).Code)

	// Revocation is immediate; revoking twice is not found.
	require.Equal(t, http.StatusNoContent, h.do(req{method: "DELETE", path: "/api/v1/api-keys/" + keyID, token: adminA}).Code)
	res = h.do(req{method: "GET", path: "/api/v1/org", token: newSecret})
	require.Equal(t, http.StatusUnauthorized, res.Code)
	require.Equal(t, http.StatusNotFound, h.do(req{method: "DELETE", path: "/api/v1/api-keys/" + keyID, token: adminA}).Code)
	all := h.do(req{method: "GET", path: "/api/v1/api-keys?include_revoked=true", token: adminA}).JSON(t)["data"].([]any)
	require.Len(t, all, 2)

	// Every change left an audit event in the org, with the request id as correlation id.
	var n int
	require.NoError(t, h.pool.QueryRow(context.Background(),
		`SELECT count(*) FROM audit_event WHERE org_id = $1 AND event_type IN ('api_key.created','api_key.rotated','api_key.revoked')`, orgA).Scan(&n))
	require.Equal(t, 4, n) // the harness's admin key + reader created, rotated, revoked
	var data string
	require.NoError(t, h.pool.QueryRow(context.Background(),
		`SELECT action_data::text FROM audit_event WHERE org_id = $1 AND event_type = 'api_key.rotated'`, orgA).Scan(&data))
	require.NotContains(t, data, newSecret)

	// Invalid key requests.
	for _, body := range []any{
		map[string]any{"name": "x", "scopes": []string{"root"}},
		map[string]any{"name": "", "scopes": []string{"admin"}},
		map[string]any{"name": "x", "scopes": []string{}},
		map[string]any{"name": "x", "scopes": "admin"},
		map[string]any{"name": "x", "scopes": []string{"admin"}, "org_id": orgA},
	} {
		res := h.do(req{method: "POST", path: "/api/v1/api-keys", token: adminB, body: body})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%v: %s", body, res.Body)
		require.Equal(t, "validation_failed", res.problemCode(t))
		require.NotEmpty(t, res.JSON(t)["errors"])
	}
}

func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil) // body limit 4096 bytes
	_, key := h.newOrg("bad-input")
	post := func(body any, header map[string]string) response {
		return h.do(req{method: "POST", path: "/api/v1/api-keys", token: key, body: body, header: header})
	}
	cases := []struct {
		name   string
		body   any
		header map[string]string
		status int
		code   string
	}{
		{"syntax error names offset", `{"name": "x",, }`, nil, 400, "malformed_json"},
		{"truncated", `{"name": "x"`, nil, 400, "malformed_json"},
		{"empty", ``, nil, 400, "malformed_json"},
		{"trailing data", `{"name":"x","scopes":["admin"]} {}`, nil, 400, "malformed_json"},
		{"invalid utf-8", "{\"name\":\"\xff\xfe\",\"scopes\":[\"admin\"]}", nil, 400, "malformed_json"},
		{"NUL escape", `{"name":"a\u0000b","scopes":["admin"]}`, nil, 400, "malformed_json"},
		{"deeply nested", strings.Repeat("[", 20000) + strings.Repeat("]", 20000), nil, 413, "payload_too_large"},
		{"too large", `{"name":"` + strings.Repeat("a", 5000) + `","scopes":["admin"]}`, nil, 413, "payload_too_large"},
		{"wrong content type", `{"name":"x","scopes":["admin"]}`, map[string]string{"Content-Type": "text/plain"}, 415, "unsupported_media_type"},
		{"wrong type", `{"name": 5, "scopes":["admin"]}`, nil, 422, "validation_failed"},
		{"unknown field", `{"name":"x","scopes":["admin"],"admin":true}`, nil, 422, "validation_failed"},
		{"array body", `[]`, nil, 422, "validation_failed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := post(tc.body, tc.header)
			require.Equal(t, tc.status, res.Code, "%s", res.Body)
			require.Equal(t, tc.code, res.problemCode(t))
		})
	}
	res := post(`{"name": "x",, }`, nil)
	require.Contains(t, res.JSON(t)["detail"], "offset 14")
	// A literal backslash followed by u0000 is text, not a NUL.
	res = post(`{"name":"a\\u0000b","scopes":["admin"]}`, nil)
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)
}

func TestOrgsPaginationETagAndIdempotency(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	admin := map[string]string{}
	for i := range 7 {
		h.newOrg(fmt.Sprintf("page-%d", i))
	}
	// Walk pages of 3: every org exactly once.
	seen := map[string]bool{}
	path := "/api/v1/admin/orgs?limit=3"
	pages := 0
	for {
		res := h.do(req{method: "GET", path: path, token: testAdminKey, header: admin})
		require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
		body := res.JSON(t)
		for _, o := range body["data"].([]any) {
			id := o.(map[string]any)["id"].(string)
			require.False(t, seen[id], "org %s repeated", id)
			seen[id] = true
		}
		pages++
		next, _ := body["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/api/v1/admin/orgs?limit=3&cursor=" + next
		if pages == 2 {
			// A tampered cursor is refused, never silently reinterpreted.
			bad := h.do(req{method: "GET", path: "/api/v1/admin/orgs?limit=3&cursor=" + next[:len(next)-2] + "AA", token: testAdminKey})
			require.Equal(t, http.StatusBadRequest, bad.Code)
			require.Equal(t, "invalid_cursor", bad.problemCode(t))
		}
	}
	require.Len(t, seen, 7)
	require.Equal(t, 3, pages)
	for _, l := range []string{"0", "-1", "501", "1000000", "x"} {
		res := h.do(req{method: "GET", path: "/api/v1/admin/orgs?limit=" + l, token: testAdminKey})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "limit=%s", l)
	}
	// An API-key cursor replayed with other filters is refused.
	_, key := h.newOrg("cursors")
	for range 2 {
		h.do(req{method: "POST", path: "/api/v1/api-keys", token: key, body: map[string]any{"name": "k", "scopes": []string{"export"}}})
	}
	first := h.do(req{method: "GET", path: "/api/v1/api-keys?limit=1", token: key}).JSON(t)
	next := first["next_cursor"].(string)
	res := h.do(req{method: "GET", path: "/api/v1/api-keys?limit=1&include_revoked=true&cursor=" + next, token: key})
	require.Equal(t, http.StatusBadRequest, res.Code)

	// ETag / If-Match.
	created := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "Versioned", "slug": "versioned"}})
	etag := created.Header.Get("ETag")
	id := created.JSON(t)["id"].(string)
	upd := h.do(req{method: "PATCH", path: "/api/v1/admin/orgs/" + id, token: testAdminKey, body: map[string]any{"name": "Renamed"}, header: map[string]string{"If-Match": etag}})
	require.Equal(t, http.StatusOK, upd.Code, "%s", upd.Body)
	require.NotEqual(t, etag, upd.Header.Get("ETag"))
	stale := h.do(req{method: "PATCH", path: "/api/v1/admin/orgs/" + id, token: testAdminKey, body: map[string]any{"name": "Again"}, header: map[string]string{"If-Match": etag}})
	require.Equal(t, http.StatusPreconditionFailed, stale.Code)
	require.Equal(t, "precondition_failed", stale.problemCode(t))
	// The same body twice leaves the resource and its ETag unchanged.
	same := h.do(req{method: "PATCH", path: "/api/v1/admin/orgs/versioned", token: testAdminKey, body: map[string]any{"name": "Renamed"}})
	require.Equal(t, upd.Header.Get("ETag"), same.Header.Get("ETag"))

	// Slugs are unique case-insensitively; bad slugs are refused.
	dup := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "Dup", "slug": "versioned"}})
	require.Equal(t, http.StatusConflict, dup.Code)
	for _, slug := range []string{"Versioned", "-x", "a b", "", strings.Repeat("a", 64), "ü"} {
		res := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "Bad", "slug": slug}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, "slug %q: %s", slug, res.Body)
	}

	// Idempotency-Key: a replay returns the first answer; concurrent replays create once.
	body := map[string]any{"name": "Idem", "slug": "idem"}
	var wg sync.WaitGroup
	answers := make([]response, 6)
	for i := range answers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: body, header: map[string]string{"Idempotency-Key": "create-idem-1"}})
		}()
	}
	wg.Wait()
	var createdID string
	for _, a := range answers {
		switch a.Code {
		case http.StatusCreated:
			id := a.JSON(t)["id"].(string)
			if createdID == "" {
				createdID = id
			}
			require.Equal(t, createdID, id, "a replay returned another org")
		case http.StatusConflict:
			require.Equal(t, "idempotency_key_in_progress", a.problemCode(t))
		default:
			t.Fatalf("unexpected %d: %s", a.Code, a.Body)
		}
	}
	replay := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: body, header: map[string]string{"Idempotency-Key": "create-idem-1"}})
	require.Equal(t, http.StatusCreated, replay.Code)
	require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
	require.Equal(t, createdID, replay.JSON(t)["id"])
	reuse := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "Other", "slug": "other"}, header: map[string]string{"Idempotency-Key": "create-idem-1"}})
	require.Equal(t, http.StatusUnprocessableEntity, reuse.Code)
	require.Equal(t, "idempotency_key_reused", reuse.problemCode(t))
}

func TestTogglesAndRegion(t *testing.T) {
	t.Parallel()
	off := newHarness(t, map[string]string{"BYTECHEF_ORGANIZATIONS_ENABLED": "false", "BYTECHEF_AUDIT_LOGS_ENABLED": "false", "BYTECHEF_SCIM_ENABLED": "false"})
	for _, p := range []string{"/api/v1/admin/orgs", "/api/v1/audit-logs", "/api/v1/export/123"} {
		res := off.do(req{method: "GET", path: p, token: testAdminKey})
		require.Equal(t, http.StatusNotFound, res.Code, p)
		require.Equal(t, "feature_disabled", res.problemCode(t), p)
	}
	// SCIM clients get the SCIM error schema, with the status as a string.
	res := off.do(req{method: "GET", path: "/scim/v2/Users", token: testAdminKey})
	require.Equal(t, http.StatusNotFound, res.Code)
	require.Equal(t, "application/scim+json", res.Header.Get("Content-Type"))
	require.Equal(t, "404", res.JSON(t)["status"])
	require.Contains(t, res.JSON(t)["detail"], "SCIM feature is disabled")
	res = off.do(req{method: "GET", path: "/api/v1/nothing-here", token: testAdminKey})
	require.Equal(t, "not_found", res.problemCode(t))

	// An org key naming another org (existing or not) is refused the same way; its own id or
	// slug is accepted.
	h0 := newHarness(t, nil)
	ownID, ownKey := h0.newOrg("own")
	h0.newOrg("other")
	for _, ref := range []string{"other", "does-not-exist", "01a23d33-6419-7f2a-80b7-934b3acb916c"} {
		res := h0.do(req{method: "GET", path: "/api/v1/org", token: ownKey, header: map[string]string{"X-ByteChef-Org": ref}})
		require.Equal(t, http.StatusUnprocessableEntity, res.Code, ref)
		require.Equal(t, "validation_failed", res.problemCode(t))
	}
	for _, ref := range []string{"own", "OWN", ownID} {
		res := h0.do(req{method: "GET", path: "/api/v1/org", token: ownKey, header: map[string]string{"X-ByteChef-Org": ref}})
		require.Equal(t, http.StatusOK, res.Code, ref)
	}

	// Single-org mode: the instance admin may omit X-ByteChef-Org.
	_, err := off.ids.CreateOrg(context.Background(), identityInput("solo"))
	require.NoError(t, err)
	res = off.do(req{method: "GET", path: "/api/v1/org", token: testAdminKey})
	require.Equal(t, http.StatusOK, res.Code, "%s", res.Body)
	require.Equal(t, "solo", res.JSON(t)["slug"])

	// Region: an org pinned elsewhere answers 421 with that region's URL.
	h := newHarness(t, nil)
	orgID, key := h.newOrg("roamer")
	_, err = h.pool.Exec(context.Background(), `UPDATE organization SET region = 'eu' WHERE id = $1`, orgID)
	require.NoError(t, err)
	for _, r := range []req{
		{method: "GET", path: "/api/v1/org", token: key},
		{method: "GET", path: "/api/v1/api-keys", token: testAdminKey, header: map[string]string{"X-ByteChef-Org": "roamer"}},
	} {
		res := h.do(r)
		require.Equal(t, http.StatusMisdirectedRequest, res.Code, "%s", res.Body)
		require.Equal(t, "region_mismatch", res.problemCode(t))
		require.Equal(t, "https://eu.bytechef.example", res.JSON(t)["region_url"])
	}
	res = h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "EU", "slug": "eu-org", "region": "eu"}})
	require.Equal(t, http.StatusMisdirectedRequest, res.Code)
}

// TestIdempotentKeyCreationKeepsNoSecret: a replayed create answers the same secret, yet the
// database holds neither the secret nor the Idempotency-Key it could be recovered with.
func TestIdempotentKeyCreationKeepsNoSecret(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, admin := h.newOrg("idem")
	idem := uuid.NewString()
	create := func() response {
		return h.do(req{method: "POST", path: "/api/v1/api-keys", token: admin, body: map[string]any{"name": "ci", "scopes": []string{"audit:read"}},
			header: map[string]string{"Idempotency-Key": idem}})
	}
	first := create()
	require.Equal(t, http.StatusCreated, first.Code, "%s", first.Body)
	secret := first.JSON(t)["secret"].(string)
	replay := create()
	require.Equal(t, http.StatusCreated, replay.Code, "%s", replay.Body)
	require.Equal(t, "true", replay.Header.Get("Idempotent-Replayed"))
	require.Equal(t, secret, replay.JSON(t)["secret"])
	var leaks int
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT count(*) FROM idempotency_record
		WHERE key = $1 OR position($2::bytea IN coalesce(body, ''::bytea)) > 0 OR position($3::bytea IN coalesce(body, ''::bytea)) > 0`,
		idem, []byte(secret), []byte(secret[len(secret)-8:])).Scan(&leaks))
	require.Zero(t, leaks)
	var records int
	require.NoError(t, h.pool.QueryRow(context.Background(), `SELECT count(*) FROM idempotency_record WHERE status = 201`).Scan(&records))
	require.Equal(t, 1, records, "the answer is stored (sealed)")
}

// TestRequestHygiene: ambiguous or unsupported requests are refused with a clear problem
// rather than half-understood.
func TestRequestHygiene(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	_, admin := h.newOrg("hygiene")
	// Two Authorization headers: which one would count is not for the server to guess.
	r := httptest.NewRequest("GET", "/api/v1/org", nil)
	r.Header.Add("Authorization", "Bearer "+admin)
	r.Header.Add("Authorization", "Bearer garbage")
	rec := httptest.NewRecorder()
	h.engine.ServeHTTP(rec, r)
	require.Equal(t, http.StatusUnauthorized, rec.Code, "%s", rec.Body)
	require.Contains(t, rec.Body.String(), "exactly one Authorization header")
	// Likewise any other header that must have one value.
	for _, name := range []string{"Idempotency-Key", "X-ByteChef-Org", "Content-Type"} {
		r = httptest.NewRequest("POST", "/api/v1/api-keys", strings.NewReader(`{"name":"k","scopes":["audit:read"]}`))
		r.Header.Set("Authorization", "Bearer "+admin)
		r.Header.Set("Content-Type", "application/json")
		r.Header.Add(name, "one")
		r.Header.Add(name, "two")
		rec = httptest.NewRecorder()
		h.engine.ServeHTTP(rec, r)
		require.Equal(t, http.StatusUnprocessableEntity, rec.Code, "%s: %s", name, rec.Body)
		require.Contains(t, rec.Body.String(), `"field":"`+name+`"`)
	}

	key := map[string]any{"name": "k", "scopes": []string{"audit:read"}}
	res := h.do(req{method: "POST", path: "/api/v1/api-keys", token: admin, body: key, header: map[string]string{"Content-Encoding": "gzip"}})
	require.Equal(t, http.StatusUnsupportedMediaType, res.Code, "%s", res.Body)
	require.Contains(t, string(res.Body), "uncompressed")
	res = h.do(req{method: "POST", path: "/api/v1/api-keys", token: admin, body: key, header: map[string]string{"Content-Type": "application/json; charset=latin1"}})
	require.Equal(t, http.StatusUnsupportedMediaType, res.Code, "%s", res.Body)
	res = h.do(req{method: "POST", path: "/api/v1/api-keys", token: admin, body: key, header: map[string]string{"Content-Type": "application/json; charset=UTF-8"}})
	require.Equal(t, http.StatusCreated, res.Code, "%s", res.Body)

	res = h.do(req{method: "GET", path: "/api/v1/api-keys?include_revoked=maybe", token: admin})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)
	require.Contains(t, string(res.Body), `"field":"include_revoked"`)
	res = h.do(req{method: "GET", path: "/api/v1/api-keys?include_revoked=true&include_revoked=yes", token: admin})
	require.Equal(t, http.StatusUnprocessableEntity, res.Code, "%s", res.Body)

	// A known path with another method is 405 with Allow; a trailing slash is another path.
	res = h.do(req{method: "PUT", path: "/api/v1/api-keys", token: admin, body: key})
	require.Equal(t, http.StatusMethodNotAllowed, res.Code, "%s", res.Body)
	require.Contains(t, res.Header.Get("Allow"), "GET")
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	// HEAD is answered like GET, without a body, by the production server's handler.
	srv := httptest.NewServer(headAsGet(h.engine))
	defer srv.Close()
	head, err := http.Head(srv.URL + "/healthz")
	require.NoError(t, err)
	body, _ := io.ReadAll(head.Body)
	head.Body.Close()
	require.Equal(t, http.StatusOK, head.StatusCode)
	require.Empty(t, body)
	res = h.do(req{method: "GET", path: "/api/v1/api-keys/", token: admin})
	require.Equal(t, http.StatusNotFound, res.Code, "%s", res.Body)
	require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
}
