// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/metrics"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// pgxpool's health-check goroutines end shortly after Close.
		goleak.IgnoreTopFunction("github.com/jackc/pgx/v5/pgxpool.(*Pool).backgroundHealthCheck"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

// testAdminKey is the instance admin key of every harness.
const testAdminKey = "test-instance-admin-key-0123456789abcdef"

// harness is the production engine over a fresh database, with every response checked
// against the OpenAPI document.
type harness struct {
	t      *testing.T
	engine *gin.Engine
	pool   *pgxpool.Pool
	ids    *identity.Service
	cfg    config.Config
}

// env returns the test configuration with every feature on; overrides replace entries.
func env(overrides map[string]string) config.Lookup {
	vars := map[string]string{
		"BYTECHEF_ADMIN_API_KEY":         testAdminKey,
		"BYTECHEF_REGION":                "us",
		"BYTECHEF_REGION_URLS":           "eu=https://eu.bytechef.example",
		"BYTECHEF_ORGANIZATIONS_ENABLED": "true",
		"BYTECHEF_SSO_ENABLED":           "true",
		"BYTECHEF_SCIM_ENABLED":          "true",
		"BYTECHEF_AUDIT_LOGS_ENABLED":    "true",
		"BYTECHEF_APP_POLICIES_ENABLED":  "true",
		"BYTECHEF_HTTP_BODY_LIMIT":       "4096",
		// The test IdPs listen on localhost.
		"BYTECHEF_SSO_IDP_EGRESS": "any",
	}
	for k, v := range overrides {
		vars[k] = v
	}
	return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
}

// extraRoutes lets a test file add the routes of its domain.
type routesFunc func(h *harness) []Routes

func newHarness(t *testing.T, overrides map[string]string, extra ...routesFunc) *harness {
	t.Helper()
	return newHarnessOn(t, dbtest.New(t), overrides, extra...)
}

// newHarnessOn is newHarness on a given database (e.g. a private cluster the test crashes).
func newHarnessOn(t *testing.T, pool *pgxpool.Pool, overrides map[string]string, extra ...routesFunc) *harness {
	t.Helper()
	cfg, err := config.Load(env(overrides))
	require.NoError(t, err)
	h := &harness{t: t, pool: pool, cfg: cfg, ids: identity.NewService(pool, cfg)}
	key, err := database.InstanceSecret(context.Background(), pool, "cursor")
	require.NoError(t, err)
	admin := orgadmin.NewService(pool, cfg)
	routes := []Routes{OrgRoutes{IDs: h.ids, MultiOrg: cfg.Features.Organizations}, APIKeyRoutes{IDs: h.ids},
		WorkspaceRoutes{Admin: admin}, MemberRoutes{Admin: admin}, GroupRoutes{Admin: admin}, DomainRoutes{Admin: admin}, SettingsRoutes{Admin: admin}}
	for _, f := range extra {
		routes = append(routes, f(h)...)
	}
	reg := metrics.NewRegistry()
	h.engine = NewEngine(EngineParams{
		Config:      cfg,
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Identity:    h.ids,
		Idempotency: idempotency.NewStore(pool),
		Cursors:     cursor.NewCodec(key),
		Registry:    reg,
		HTTPMetrics: metrics.NewHTTP(reg),
		Checks:      []Check{{Name: "postgres", Fn: pool.Ping}},
		Routes:      routes,
	})
	return h
}

// response is a recorded answer.
type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map.
func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body: %s", r.Body)
	return m
}

// problemCode returns the problem's code, asserting the problem content type.
func (r response) problemCode(t *testing.T) string {
	t.Helper()
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"), "body: %s", r.Body)
	return r.JSON(t)["code"].(string)
}

// req describes one request.
type req struct {
	method, path, token string
	body                any // string/[]byte sent raw; anything else as JSON
	header              map[string]string
}

func (h *harness) do(r req) response {
	h.t.Helper()
	var body io.Reader
	switch b := r.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(h.t, err)
		body = bytes.NewReader(raw)
	}
	httpReq := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		httpReq.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		httpReq.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.engine.ServeHTTP(rec, httpReq)
	res := response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	require.NotEqual(h.t, http.StatusInternalServerError, res.Code, "%s %s answered 500: %s", r.method, r.path, res.Body)
	validateAgainstOpenAPI(h.t, httpReq, res)
	return res
}

var (
	specOnce   sync.Once
	specRouter routers.Router
	specErr    error
)

// validateAgainstOpenAPI checks a real response against the OpenAPI document: the operation
// must be documented and the status, headers and body must match it.
func validateAgainstOpenAPI(t *testing.T, r *http.Request, res response) {
	t.Helper()
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(OpenAPI)
		if err != nil {
			specErr = err
			return
		}
		if err = doc.Validate(loader.Context); err != nil {
			specErr = err
			return
		}
		doc.Servers = nil
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	require.NoError(t, specErr, "openapi.yaml is invalid")
	route, params, err := specRouter.FindRoute(r)
	if err != nil {
		// Unknown paths are fine only when the product answered that it has no such endpoint.
		if res.Code == http.StatusNotFound || res.Code == http.StatusMethodNotAllowed {
			return
		}
		t.Fatalf("%s %s is not documented in openapi.yaml (answered %d)", r.Method, r.URL.Path, res.Code)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 res.Code,
		Header:                 res.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(res.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s %s: response %d does not match openapi.yaml: %v\nbody: %s", r.Method, r.URL.Path, res.Code, err, res.Body)
	}
}

// newOrg creates an org through the API and returns its id and an admin-scoped key.
func (h *harness) newOrg(slug string) (orgID, adminKey string) {
	h.t.Helper()
	res := h.do(req{method: "POST", path: "/api/v1/admin/orgs", token: testAdminKey, body: map[string]any{"name": "Org " + slug, "slug": slug}})
	require.Equal(h.t, http.StatusCreated, res.Code, "%s", res.Body)
	orgID = res.JSON(h.t)["id"].(string)
	key := h.do(req{method: "POST", path: "/api/v1/api-keys", token: testAdminKey, header: map[string]string{"X-ByteChef-Org": orgID},
		body: map[string]any{"name": "admin", "scopes": []string{"admin"}}})
	require.Equal(h.t, http.StatusCreated, key.Code, "%s", key.Body)
	return orgID, key.JSON(h.t)["secret"].(string)
}
