// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/platform/metrics"
)

const (
	ctxRequestID = "bytechef.request_id"
	ctxPrincipal = "bytechef.principal"
	ctxBodyLimit = "bytechef.body_limit"
)

var requestIDRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestIDNamespace derives correlation ids from request ids that are not UUIDs.
var requestIDNamespace = uuid.MustParse("6c1d2b8e-8f57-4a59-9b0e-3f1c2a7d9e41")

// requestIDMiddleware reuses a well-formed X-Request-Id or makes one, echoes it, and puts the
// request's audit metadata (IP, user agent, correlation id) in the context.
func requestIDMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !requestIDRe.MatchString(id) {
			id = uuid.Must(uuid.NewV7()).String()
		}
		c.Set(ctxRequestID, id)
		c.Header("X-Request-Id", id)
		corr, err := uuid.Parse(id)
		if err != nil {
			corr = uuid.NewSHA1(requestIDNamespace, []byte(id))
		}
		meta := audit.Meta{CorrelationID: &corr, UserAgent: truncate(c.Request.UserAgent(), 512)}
		if ip, err := netip.ParseAddr(c.ClientIP()); err == nil {
			meta.IP = &ip
		}
		c.Request = c.Request.WithContext(audit.WithMeta(c.Request.Context(), meta))
		c.Next()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// recoveryMiddleware turns a panic into a logged, generic 500 problem.
func recoveryMiddleware(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.ErrorContext(c.Request.Context(), "panic", "request_id", requestID(c), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					writeProblem(c, log, fmt.Errorf("panic: %v", r))
				}
				c.Abort()
			}
		}()
		c.Next()
	}
}

// accessLogMiddleware writes one structured line per request and updates the HTTP metrics.
func accessLogMiddleware(log *slog.Logger, m *metrics.HTTP) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		elapsed := time.Since(start)
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := c.Writer.Status()
		m.Requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(status)).Inc()
		m.Duration.WithLabelValues(c.Request.Method, route).Observe(elapsed.Seconds())
		if route == "/healthz" || route == "/metrics" {
			return
		}
		attrs := []any{"method", c.Request.Method, "route", route, "path", c.Request.URL.Path, "status", status,
			"duration_ms", float64(elapsed.Microseconds()) / 1000, "bytes", c.Writer.Size(), "request_id", requestID(c)}
		if p, ok := principalOf(c); ok && p.Org != nil {
			attrs = append(attrs, "org_id", p.Org.ID.String())
		}
		log.InfoContext(c.Request.Context(), "http", attrs...)
	}
}

// bodyLimit sets the request body limit for the handlers after it; a later bodyLimit (for
// batch routes) overrides an earlier one. readBody enforces it.
func bodyLimit(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxBodyLimit, limit)
		c.Next()
	}
}

// urlTextMiddleware refuses a request whose path or query values are not valid UTF-8 or
// contain NUL: Postgres cannot compare such text (it answers SQLSTATE 22021/22P05, which
// would surface as a 500), and no identifier, key or filter of this API can hold it.
// Cursors are left to their codec, which answers invalid_cursor.
func urlTextMiddleware() gin.HandlerFunc {
	bad := func(s string) bool { return !utf8.ValidString(s) || strings.ContainsRune(s, 0) }
	refuse := func(c *gin.Context, field string) {
		e := &errcode.Error{Code: errcode.Validation, Message: "the request is invalid",
			Fields: []errcode.FieldError{{Field: field, Message: "must be valid UTF-8 without NUL characters"}}}
		if field == "filter" {
			e.Meta = map[string]any{"scimType": "invalidFilter"}
		}
		fail(c, e)
	}
	return func(c *gin.Context) {
		if bad(c.Request.URL.Path) {
			refuse(c, "(path)")
			return
		}
		for key, values := range c.Request.URL.Query() {
			switch {
			case key == "cursor" || key == "after":
				continue
			case bad(key):
				refuse(c, "(query)")
				return
			}
			for _, v := range values {
				if bad(v) {
					refuse(c, key)
					return
				}
			}
		}
		c.Next()
	}
}

// singleHeaders are headers whose repetition would leave the server to guess which copy
// counts (net/http keeps them all; Get returns the first).
var singleHeaders = []string{"Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-ByteChef-Org"}

// singleHeadersMiddleware refuses a request that repeats one of singleHeaders.
func singleHeadersMiddleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, name := range singleHeaders {
			if len(c.Request.Header.Values(name)) < 2 {
				continue
			}
			if name == "Authorization" {
				fail(c, errcode.New(errcode.Unauthenticated, "send exactly one Authorization header"))
			} else {
				fail(c, errcode.Invalid(name, "must be sent once"))
			}
			return
		}
		c.Next()
	}
}

// authMiddleware authenticates the bearer credential. Credentials in the query string are
// refused: they leak into logs and browser history.
func authMiddleware(ids *identity.Service) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Query("access_token") != "" || c.Query("api_key") != "" || c.Query("token") != "" {
			fail(c, errcode.New(errcode.Unauthenticated, "credentials in the query string are not accepted; use the Authorization header"))
			return
		}
		h := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			fail(c, errcode.New(errcode.Unauthenticated, "an Authorization: Bearer credential is required"))
			return
		}
		p, err := ids.Authenticate(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			fail(c, err)
			return
		}
		setPrincipal(c, p)
		c.Next()
	}
}

func setPrincipal(c *gin.Context, p identity.Principal) {
	c.Set(ctxPrincipal, p)
	meta := audit.MetaFrom(c.Request.Context())
	meta.ActorLabel = p.Label
	meta.ActorUserID = p.UserID
	if p.SessionID != nil {
		meta.SessionID = p.SessionID.String()
	}
	switch p.Kind {
	case identity.UserSession:
		meta.ActorType = audit.ActorUser
	case identity.SCIMToken:
		meta.ActorType = audit.ActorSCIM
	default:
		meta.ActorType = audit.ActorAPIKey
	}
	if p.KeyID != uuid.Nil {
		k := p.KeyID
		meta.ActorKeyID = &k
	}
	c.Request = c.Request.WithContext(audit.WithMeta(c.Request.Context(), meta))
}

func principalOf(c *gin.Context) (identity.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return identity.Principal{}, false
	}
	p, ok := v.(identity.Principal)
	return p, ok
}

// orgMiddleware fixes the org every org-scoped handler works in: the credential's own org,
// or for an instance admin the X-ByteChef-Org header (id or slug). In single-org mode the
// header may be omitted. An org of another region answers 421.
func orgMiddleware(ids *identity.Service, region string, regionURLs map[string]string, multiOrg bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		if p.Kind == identity.InstanceAdmin {
			ref := strings.TrimSpace(c.GetHeader("X-ByteChef-Org"))
			var org identity.Org
			var err error
			switch {
			case ref != "":
				org, err = ids.GetOrg(c.Request.Context(), ref)
			case !multiOrg:
				org, err = ids.SoleOrg(c.Request.Context())
			default:
				err = errcode.New(errcode.OrgRequired, "an instance admin must name the organization with the X-ByteChef-Org header (id or slug)")
			}
			if err != nil {
				fail(c, err)
				return
			}
			p.Org = &org
			setPrincipal(c, p)
		}
		if p.Org == nil {
			fail(c, errcode.New(errcode.Forbidden, "this credential is not bound to an organization"))
			return
		}
		// An org-bound credential naming another org is a client mistake worth surfacing. The
		// header is compared with the credential's own org only, so the answer says nothing
		// about whether the named org exists.
		if ref := strings.TrimSpace(c.GetHeader("X-ByteChef-Org")); ref != "" && p.Kind != identity.InstanceAdmin &&
			ref != p.Org.ID.String() && !strings.EqualFold(ref, p.Org.Slug) {
			fail(c, errcode.Invalid("X-ByteChef-Org", "names another organization than this credential's; omit the header or name its own org"))
			return
		}
		if p.Org.Region != region {
			fail(c, identity.RegionMismatch(p.Org.Region, regionURLs))
			return
		}
		c.Next()
	}
}

// requireScope refuses principals without the scope.
func requireScope(scope identity.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		if !p.Has(scope) {
			fail(c, errcode.New(errcode.Forbidden, "this credential lacks the %q scope", scope))
			return
		}
		c.Next()
	}
}

// requireInstanceAdmin limits a route to the instance-admin key.
func requireInstanceAdmin() gin.HandlerFunc {
	return func(c *gin.Context) {
		if p, _ := principalOf(c); p.Kind != identity.InstanceAdmin {
			fail(c, errcode.New(errcode.Forbidden, "this endpoint requires the instance admin key"))
			return
		}
		c.Next()
	}
}

// orgOf returns the org of an org-scoped request (set by orgMiddleware).
func orgOf(c *gin.Context) identity.Org {
	p, _ := principalOf(c)
	return *p.Org
}
