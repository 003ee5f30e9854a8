// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package api is the product's HTTP surface: the Gin engine, its middleware chain (recovery,
// request id, access log, body limits, authentication, org and region resolution, problem
// rendering), one handler file per domain, and the OpenAPI document that describes it all.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/platform/metrics"
)

// Router is what a domain's routes are registered on.
type Router struct {
	Engine *gin.Engine
	// Public routes take no credential (health, SSO browser flows, SCIM with its own auth).
	Public *gin.RouterGroup
	// Org is /api/v1 for any authenticated principal bound to an org in this region.
	Org *gin.RouterGroup
	// Admin is /api/v1/admin for the instance admin key.
	Admin *gin.RouterGroup
	// Idempotent wraps create handlers with Idempotency-Key support.
	Idempotent gin.HandlerFunc
	// BatchBody raises the body limit for ingestion batches.
	BatchBody gin.HandlerFunc
	Cursors   *cursor.Codec
	Log       *slog.Logger
}

// Routes is implemented by each domain's handler set.
type Routes interface {
	Register(r *Router)
}

// Check is one readiness dependency (Postgres, Temporal, S3).
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
}

// EngineParams are the engine's dependencies.
type EngineParams struct {
	fx.In
	Config      config.Config
	Log         *slog.Logger
	Identity    *identity.Service
	Idempotency *idempotency.Store
	Cursors     *cursor.Codec
	Registry    *prometheus.Registry
	HTTPMetrics *metrics.HTTP
	Checks      []Check  `group:"readiness"`
	Routes      []Routes `group:"routes"`
}

// NewEngine builds the production engine.
func NewEngine(p EngineParams) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.ContextWithFallback = true
	e.RemoveExtraSlash = false
	e.RedirectTrailingSlash = false // a trailing slash is a different path: 404, not a redirect
	e.HandleMethodNotAllowed = true
	e.UseRawPath = true
	_ = e.SetTrustedProxies(nil) // ClientIP is the socket peer unless a deployment opts in
	e.Use(requestIDMiddleware(), accessLogMiddleware(p.Log, p.HTTPMetrics), errorsMiddleware(p.Log),
		recoveryMiddleware(p.Log), bodyLimit(p.Config.BodyLimit), urlTextMiddleware(), singleHeadersMiddleware())

	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", readyHandler(p.Checks))
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(p.Registry, promhttp.HandlerOpts{})))
	e.GET("/api/v1/openapi.yaml", openAPIHandler)
	e.GET("/api/v1/features", featuresHandler(p.Config.Features))

	auth := authMiddleware(p.Identity)
	r := &Router{
		Engine:     e,
		Public:     e.Group("/"),
		Org:        e.Group("/api/v1", auth, orgMiddleware(p.Identity, p.Config.Region, p.Config.RegionURLs, p.Config.Features.Organizations)),
		Admin:      e.Group("/api/v1/admin", auth, requireInstanceAdmin()),
		Idempotent: idempotent(p.Idempotency, p.Log),
		BatchBody:  bodyLimit(p.Config.BatchBodyLimit),
		Cursors:    p.Cursors,
		Log:        p.Log,
	}
	for _, routes := range p.Routes {
		routes.Register(r)
	}
	e.NoRoute(noRouteHandler(p.Config.Features))
	e.NoMethod(func(c *gin.Context) { // gin has set Allow
		fail(c, errcode.New(errcode.MethodNotAllowed, "%s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})
	return e
}

// noRouteHandler answers 404: feature_disabled for the paths of a disabled feature, else not_found.
func noRouteHandler(f config.Features) gin.HandlerFunc {
	return func(c *gin.Context) {
		if name, ok := disabledFeatureFor(f, c.Request.URL.Path); ok {
			e := errcode.New(errcode.FeatureDisabled, "the %s feature is disabled on this deployment", name)
			e.Meta = map[string]any{"feature": name}
			fail(c, e)
			return
		}
		fail(c, errcode.New(errcode.NotFound, "no such endpoint: %s %s", c.Request.Method, c.Request.URL.Path))
	}
}

func readyHandler(checks []Check) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
		defer cancel()
		status := http.StatusOK
		results := gin.H{}
		type res struct {
			name string
			err  error
		}
		ch := make(chan res, len(checks))
		for _, chk := range checks {
			go func() { ch <- res{chk.Name, chk.Fn(ctx)} }()
		}
		for range checks {
			r := <-ch
			if r.err != nil {
				status = http.StatusServiceUnavailable
				results[r.name] = "unavailable"
				continue
			}
			results[r.name] = "ok"
		}
		state := "ready"
		if status != http.StatusOK {
			state = "not_ready"
		}
		c.JSON(status, gin.H{"status": state, "checks": results})
	}
}

// Server runs the engine with production timeouts.
type Server struct {
	srv *http.Server
	log *slog.Logger
	// Addr is the bound address once started (useful with port 0 in tests).
	Addr string
}

// NewServer returns a server for the engine on the configured address.
func NewServer(cfg config.Config, e *gin.Engine, log *slog.Logger) *Server {
	return &Server{log: log, srv: &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           headAsGet(e),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}}
}

// headAsGet answers HEAD as GET (RFC 9110 §9.3.2; load balancers probe /healthz with it):
// routes are declared for GET only, and net/http itself sends no body for a HEAD request.
func headAsGet(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		h.ServeHTTP(w, r)
	})
}

// Start listens synchronously (so a taken port fails start) and serves in the background.
func (s *Server) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.srv.Addr)
	if err != nil {
		return errors.New("http: BYTECHEF_HTTP_ADDR: " + err.Error())
	}
	s.Addr = ln.Addr().String()
	s.log.Info("http server listening", "addr", s.Addr)
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "error", err)
		}
	}()
	return nil
}

// Stop drains in-flight requests until ctx ends.
func (s *Server) Stop(ctx context.Context) error {
	return s.srv.Shutdown(ctx)
}

// featurePrefixes maps each toggle to the paths its module serves, so a disabled feature's
// paths answer feature_disabled instead of a bare not_found.
var featurePrefixes = map[string][]string{
	"SSO":              {"/sso/", "/api/v1/sso/", "/api/v1/sessions/"},
	"SCIM":             {"/scim/", "/api/v1/scim/", "/api/v1/directory/"},
	"AUDIT_LOGS":       {"/api/v1/audit-", "/api/v1/export", "/api/v1/events/", "/api/v1/graphql", "/api/v1/workflow-configs/"},
	"APP_POLICIES":     {"/api/v1/app-rules", "/api/v1/app-claims", "/api/v1/policy/", "/api/v1/domain-restrictions", "/api/v1/connections/"},
	"AI_MODEL_CONTROL": {"/api/v1/ai/", "/v1/"},
	"ANALYTICS":        {"/api/v1/analytics"},
	"ORGANIZATIONS":    {"/api/v1/admin/orgs"},
	"WHITELABELING":    {"/api/v1/branding"},
}

func disabledFeatureFor(f config.Features, path string) (string, bool) {
	state := f.Map()
	for name, prefixes := range featurePrefixes {
		if state[name] {
			continue
		}
		for _, p := range prefixes {
			if strings.HasPrefix(path, p) || path == strings.TrimSuffix(p, "/") {
				return name, true
			}
		}
	}
	return "", false
}

func featuresHandler(f config.Features) gin.HandlerFunc {
	return func(c *gin.Context) {
		state := f.Map()
		out := make([]gin.H, 0, len(state))
		for _, name := range f.FeatureNames() {
			out = append(out, gin.H{"name": name, "enabled": state[name]})
		}
		c.JSON(http.StatusOK, gin.H{"data": out, "always_on": []string{"ADMIN_CORE", "GDPR_ERASURE"}})
	}
}
