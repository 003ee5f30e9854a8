// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"encoding/json"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

// SCIMRoutes serves the SCIM 2.0 service provider under /scim/v2 (SPEC §3.4) with its own
// bearer (scim_ tokens), and the admin endpoints for tokens, the request log and the IdP
// group mappings under /api/v1.
type SCIMRoutes struct {
	SCIM *scim.Service
	// Region is this deployment's region: a token of another region's org answers 421.
	Region     string
	RegionURLs map[string]string
	PublicURL  string
	// Requests counts bytechef_scim_requests_total{op,status}.
	Requests *prometheus.CounterVec
	// RatePerSecond and Burst are the per-token limit. The limiter is a token bucket per
	// replica (in memory): a replica protects itself without a database write per request,
	// and N replicas behind a balancer admit at most N times the rate, which is documented.
	RatePerSecond float64
	Burst         int
	limiters      *tokenLimiters
}

// NewSCIMRequests registers the SCIM request counter.
func NewSCIMRequests(reg prometheus.Registerer) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bytechef_scim_requests_total",
		Help: "SCIM requests by operation and HTTP status."}, []string{"op", "status"})
	reg.MustRegister(c)
	return c
}

type tokenLimiters struct {
	mu sync.Mutex
	m  map[uuid.UUID]*rate.Limiter
}

func (l *tokenLimiters) get(id uuid.UUID, r rate.Limit, burst int) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[uuid.UUID]*rate.Limiter{}
	}
	lim, ok := l.m[id]
	if !ok {
		if len(l.m) > 100_000 { // bound memory: forget idle limiters (they refill anyway)
			l.m = map[uuid.UUID]*rate.Limiter{}
		}
		lim = rate.NewLimiter(r, burst)
		l.m[id] = lim
	}
	return lim
}

const ctxSCIMCaller = "bytechef.scim_caller"

// Register mounts the routes.
func (h SCIMRoutes) Register(r *Router) {
	if h.RatePerSecond <= 0 {
		h.RatePerSecond = 100
	}
	if h.Burst <= 0 {
		h.Burst = 200
	}
	h.limiters = &tokenLimiters{}
	// observe wraps auth so 401s and 429s are counted too.
	g := r.Public.Group("/scim/v2", r.BatchBody, h.observe, h.auth)
	g.GET("/ServiceProviderConfig", h.spc)
	g.GET("/ResourceTypes", h.resourceTypes)
	g.GET("/ResourceTypes/:id", h.resourceType)
	g.GET("/Schemas", h.schemas)
	g.GET("/Schemas/:id", h.schema)
	g.GET("/Users", h.listUsers)
	g.POST("/Users", h.createUser)
	g.GET("/Users/:id", h.getUser)
	g.PUT("/Users/:id", h.replaceUser)
	g.PATCH("/Users/:id", h.patchUser)
	g.DELETE("/Users/:id", h.deleteUser)
	g.GET("/Groups", h.listGroups)
	g.POST("/Groups", h.createGroup)
	g.GET("/Groups/:id", h.getGroup)
	g.PUT("/Groups/:id", h.replaceGroup)
	g.PATCH("/Groups/:id", h.patchGroup)
	g.DELETE("/Groups/:id", h.deleteGroup)

	admin := r.Org.Group("", requireScope(identity.ScopeAdmin))
	admin.POST("/scim/tokens", r.Idempotent, h.createToken)
	admin.GET("/scim/tokens", h.listTokens(r))
	admin.DELETE("/scim/tokens/:id", h.revokeToken)
	admin.GET("/scim/requests", h.listRequests(r))
	admin.POST("/directory/group-mappings", r.Idempotent, h.createMapping)
	admin.GET("/directory/group-mappings", h.listMappings(r))
	admin.GET("/directory/group-mappings/:id", h.getMapping)
	admin.DELETE("/directory/group-mappings/:id", h.deleteMapping)
}

// auth authenticates the SCIM bearer. Tokens in the query string are refused (they leak
// into logs); a token only works on the SCIM endpoints of its own org.
func (h SCIMRoutes) auth(c *gin.Context) {
	q := c.Request.URL.Query()
	for _, k := range []string{"access_token", "token", "api_key", "bearer"} {
		if q.Has(k) {
			fail(c, errcode.New(errcode.Unauthenticated, "credentials in the query string are not accepted; use the Authorization header"))
			return
		}
	}
	scheme, token, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		fail(c, errcode.New(errcode.Unauthenticated, "an Authorization: Bearer SCIM token is required"))
		return
	}
	caller, err := h.SCIM.Authenticate(c.Request.Context(), strings.TrimSpace(token))
	if err != nil {
		fail(c, err)
		return
	}
	if caller.Org.Region != h.Region {
		fail(c, identity.RegionMismatch(caller.Org.Region, h.RegionURLs))
		return
	}
	org := caller.Org
	setPrincipal(c, identity.Principal{Kind: identity.SCIMToken, Org: &org, KeyID: caller.TokenID, Label: "scim-token:" + caller.TokenID.String()})
	c.Set(ctxSCIMCaller, caller)
	lim := h.limiters.get(caller.TokenID, rate.Limit(h.RatePerSecond), h.Burst)
	if res := lim.Reserve(); res.Delay() > 0 {
		wait := res.Delay()
		res.Cancel()
		e := errcode.New(errcode.RateLimited, "too many SCIM requests for this token; retry later")
		e.Meta = map[string]any{"retry_after": int(math.Ceil(wait.Seconds()))}
		fail(c, e)
		return
	}
	c.Next()
}

// observe counts the request and writes the admin-visible request log after it.
func (h SCIMRoutes) observe(c *gin.Context) {
	c.Next()
	status := c.Writer.Status()
	if len(c.Errors) > 0 && !c.Writer.Written() {
		if p := problemFor(c.Errors.Last().Err, ""); p.Status != 0 {
			status = scimStatus(p)
		}
	}
	op := scimOp(c)
	if h.Requests != nil {
		h.Requests.WithLabelValues(op, strconv.Itoa(status)).Inc()
	}
	v, ok := c.Get(ctxSCIMCaller)
	if !ok {
		return
	}
	caller := v.(scim.Caller)
	e := scim.LogEntry{TokenID: &caller.TokenID, Method: c.Request.Method, Path: c.Request.URL.RequestURI(), Status: status, RequestID: requestID(c)}
	if len(c.Errors) > 0 {
		if ee, ok := errcode.As(c.Errors.Last().Err); ok {
			msg := ee.Message
			e.Error = &msg
			if t, ok := ee.Meta["scimType"].(string); ok && t != "" {
				e.SCIMType = &t
			}
		} else {
			msg := "internal error"
			e.Error = &msg
		}
	}
	if err := h.SCIM.LogRequest(c.Request.Context(), caller.Org.ID, e); err != nil {
		_ = err // the log is best effort; the request itself already succeeded or failed
	}
}

func scimOp(c *gin.Context) string {
	route := c.FullPath()
	res := "other"
	switch {
	case strings.Contains(route, "/Users"):
		res = "users"
	case strings.Contains(route, "/Groups"):
		res = "groups"
	case route != "":
		res = "discovery"
	}
	return strings.ToLower(c.Request.Method) + "_" + res
}

func (h SCIMRoutes) base(c *gin.Context) string {
	return strings.TrimRight(h.PublicURL, "/") + "/scim/v2"
}

func writeSCIM(c *gin.Context, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(status, "application/scim+json", b)
}

// scimBody reads a JSON object body; application/scim+json and application/json are accepted.
func scimBody(c *gin.Context) (map[string]any, error) {
	ct := c.GetHeader("Content-Type")
	if ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/scim+json" && mt != "application/json" {
			return nil, errcode.New(errcode.UnsupportedMedia, "the body must be application/scim+json or application/json")
		}
	}
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := decodeStrict(body, &m); err != nil {
		if e, ok := errcode.As(err); ok && e.Code == errcode.Validation {
			msg := "the body must be a JSON object"
			if len(e.Fields) > 0 && e.Fields[0].Field != "(body)" {
				msg = e.Fields[0].Field + " " + e.Fields[0].Message
			}
			return nil, scim.Err(errcode.Validation, scim.InvalidSyntax, "%s", msg)
		}
		return nil, err
	}
	if m == nil {
		return nil, scim.Err(errcode.Validation, scim.InvalidSyntax, "the body must be a JSON object")
	}
	return m, nil
}

func scimID(c *gin.Context, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errcode.New(errcode.NotFound, "%s not found", what)
	}
	return id, nil
}

// scimIfMatch reads If-Match as a SCIM ETag (W/"n").
func scimIfMatch(c *gin.Context) (*int32, error) {
	v := strings.TrimSpace(c.GetHeader("If-Match"))
	if v == "" || v == "*" {
		return nil, nil
	}
	n, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(v, "W/"), `"`), 10, 32)
	if err != nil {
		return nil, errcode.New(errcode.PreconditionFail, "If-Match does not name a version of this resource")
	}
	ver := int32(n)
	return &ver, nil
}

func listQuery(c *gin.Context) (scim.ListQuery, scim.Projection, error) {
	lq := scim.ListQuery{Filter: c.Query("filter"), StartIndex: 1, Count: 100}
	if s, ok := c.GetQuery("startIndex"); ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return lq, scim.Projection{}, scim.Err(errcode.Validation, scim.InvalidValue, "startIndex must be an integer")
		}
		lq.StartIndex = n
	}
	if s, ok := c.GetQuery("count"); ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return lq, scim.Projection{}, scim.Err(errcode.Validation, scim.InvalidValue, "count must be an integer")
		}
		lq.Count = n
	}
	if _, ok := c.GetQuery("sortBy"); ok {
		return lq, scim.Projection{}, scim.Err(errcode.Validation, scim.InvalidValue, "sorting is not supported (see ServiceProviderConfig)")
	}
	lq.Normalize()
	return lq, scim.ParseProjection(c.Query("attributes"), c.Query("excludedAttributes")), nil
}

func listResponse(total, start int, resources []any) map[string]any {
	out := map[string]any{"schemas": []any{scim.ListSchema}, "totalResults": total, "startIndex": start, "itemsPerPage": len(resources)}
	if len(resources) > 0 {
		out["Resources"] = resources
	}
	return out
}

func (h SCIMRoutes) spc(c *gin.Context) {
	writeSCIM(c, http.StatusOK, scim.ServiceProviderConfig(h.base(c)))
}

func (h SCIMRoutes) resourceTypes(c *gin.Context) {
	rt := scim.ResourceTypes(h.base(c))
	writeSCIM(c, http.StatusOK, listResponse(len(rt), 1, rt))
}

func (h SCIMRoutes) resourceType(c *gin.Context) {
	for _, r := range scim.ResourceTypes(h.base(c)) {
		if m := r.(map[string]any); strings.EqualFold(m["id"].(string), c.Param("id")) {
			writeSCIM(c, http.StatusOK, m)
			return
		}
	}
	fail(c, errcode.New(errcode.NotFound, "resource type not found"))
}

func (h SCIMRoutes) schemas(c *gin.Context) {
	s := scim.Schemas(h.base(c))
	writeSCIM(c, http.StatusOK, listResponse(len(s), 1, s))
}

func (h SCIMRoutes) schema(c *gin.Context) {
	for _, r := range scim.Schemas(h.base(c)) {
		if m := r.(map[string]any); strings.EqualFold(m["id"].(string), c.Param("id")) {
			writeSCIM(c, http.StatusOK, m)
			return
		}
	}
	fail(c, errcode.New(errcode.NotFound, "schema not found"))
}

func (h SCIMRoutes) listUsers(c *gin.Context) {
	lq, proj, err := listQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	users, total, err := h.SCIM.ListUsers(c.Request.Context(), orgOf(c).ID, lq, proj.Wants("groups"))
	if err != nil {
		fail(c, err)
		return
	}
	res := make([]any, len(users))
	for i, u := range users {
		res[i] = proj.Apply(scim.KindUser, scim.RenderUser(u, h.base(c)))
	}
	writeSCIM(c, http.StatusOK, listResponse(total, lq.StartIndex, res))
}

func (h SCIMRoutes) writeUser(c *gin.Context, status int, u scim.User) {
	proj := scim.ParseProjection(c.Query("attributes"), c.Query("excludedAttributes"))
	c.Header("ETag", scim.ETag(u.Version))
	if status == http.StatusCreated {
		c.Header("Location", h.base(c)+"/Users/"+u.ID.String())
	}
	writeSCIM(c, status, proj.Apply(scim.KindUser, scim.RenderUser(u, h.base(c))))
}

func (h SCIMRoutes) getUser(c *gin.Context) {
	id, err := scimID(c, "user")
	if err == nil {
		var u scim.User
		proj := scim.ParseProjection(c.Query("attributes"), c.Query("excludedAttributes"))
		if u, err = h.SCIM.GetUser(c.Request.Context(), orgOf(c).ID, id, proj.Wants("groups")); err == nil {
			h.writeUser(c, http.StatusOK, u)
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) createUser(c *gin.Context) {
	body, err := scimBody(c)
	if err == nil {
		var u scim.User
		if u, err = h.SCIM.CreateUser(c.Request.Context(), orgOf(c).ID, body); err == nil {
			h.writeUser(c, http.StatusCreated, u)
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) replaceUser(c *gin.Context) {
	id, err := scimID(c, "user")
	if err == nil {
		var body map[string]any
		if body, err = scimBody(c); err == nil {
			var ver *int32
			if ver, err = scimIfMatch(c); err == nil {
				var u scim.User
				if u, err = h.SCIM.ReplaceUser(c.Request.Context(), orgOf(c).ID, id, body, ver); err == nil {
					h.writeUser(c, http.StatusOK, u)
					return
				}
			}
		}
	}
	fail(c, err)
}

func patchOps(c *gin.Context) ([]scim.PatchOp, *int32, error) {
	body, err := scimBody(c)
	if err != nil {
		return nil, nil, err
	}
	ops, err := scim.ParsePatch(body)
	if err != nil {
		return nil, nil, err
	}
	ver, err := scimIfMatch(c)
	return ops, ver, err
}

func (h SCIMRoutes) patchUser(c *gin.Context) {
	id, err := scimID(c, "user")
	if err == nil {
		var ops []scim.PatchOp
		var ver *int32
		if ops, ver, err = patchOps(c); err == nil {
			var u scim.User
			if u, err = h.SCIM.PatchUser(c.Request.Context(), orgOf(c).ID, id, ops, ver); err == nil {
				h.writeUser(c, http.StatusOK, u)
				return
			}
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) deleteUser(c *gin.Context) {
	id, err := scimID(c, "user")
	if err == nil {
		if err = h.SCIM.DeleteUser(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) listGroups(c *gin.Context) {
	lq, proj, err := listQuery(c)
	if err != nil {
		fail(c, err)
		return
	}
	groups, total, err := h.SCIM.ListGroups(c.Request.Context(), orgOf(c).ID, lq, proj.Wants("members"))
	if err != nil {
		fail(c, err)
		return
	}
	res := make([]any, len(groups))
	for i, g := range groups {
		res[i] = proj.Apply(scim.KindGroup, scim.RenderGroup(g, h.base(c)))
	}
	writeSCIM(c, http.StatusOK, listResponse(total, lq.StartIndex, res))
}

func (h SCIMRoutes) writeGroup(c *gin.Context, status int, g scim.Group) {
	proj := scim.ParseProjection(c.Query("attributes"), c.Query("excludedAttributes"))
	c.Header("ETag", scim.ETag(g.Version))
	if status == http.StatusCreated {
		c.Header("Location", h.base(c)+"/Groups/"+g.ID.String())
	}
	writeSCIM(c, status, proj.Apply(scim.KindGroup, scim.RenderGroup(g, h.base(c))))
}

func wantsMembers(c *gin.Context) bool {
	return scim.ParseProjection(c.Query("attributes"), c.Query("excludedAttributes")).Wants("members")
}

func (h SCIMRoutes) getGroup(c *gin.Context) {
	id, err := scimID(c, "group")
	if err == nil {
		var g scim.Group
		if g, err = h.SCIM.GetGroup(c.Request.Context(), orgOf(c).ID, id, wantsMembers(c)); err == nil {
			h.writeGroup(c, http.StatusOK, g)
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) createGroup(c *gin.Context) {
	body, err := scimBody(c)
	if err == nil {
		var g scim.Group
		if g, err = h.SCIM.CreateGroup(c.Request.Context(), orgOf(c).ID, body); err == nil {
			h.writeGroup(c, http.StatusCreated, g)
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) replaceGroup(c *gin.Context) {
	id, err := scimID(c, "group")
	if err == nil {
		var body map[string]any
		if body, err = scimBody(c); err == nil {
			var ver *int32
			if ver, err = scimIfMatch(c); err == nil {
				var g scim.Group
				if g, err = h.SCIM.ReplaceGroup(c.Request.Context(), orgOf(c).ID, id, body, ver, wantsMembers(c)); err == nil {
					h.writeGroup(c, http.StatusOK, g)
					return
				}
			}
		}
	}
	fail(c, err)
}

// patchGroup answers 204 (as Okta and Entra expect) unless attributes are asked for, so a
// membership delta on a huge group never has to read the whole member list back.
func (h SCIMRoutes) patchGroup(c *gin.Context) {
	id, err := scimID(c, "group")
	if err == nil {
		var ops []scim.PatchOp
		var ver *int32
		if ops, ver, err = patchOps(c); err == nil {
			want := c.Query("attributes") != ""
			var g scim.Group
			if g, err = h.SCIM.PatchGroup(c.Request.Context(), orgOf(c).ID, id, ops, ver, want && wantsMembers(c)); err == nil {
				if !want {
					c.Header("ETag", scim.ETag(g.Version))
					c.Status(http.StatusNoContent)
					return
				}
				h.writeGroup(c, http.StatusOK, g)
				return
			}
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) deleteGroup(c *gin.Context) {
	id, err := scimID(c, "group")
	if err == nil {
		if err = h.SCIM.DeleteGroup(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}

// SCIMTokenDTO is a SCIM token as listed.
type SCIMTokenDTO struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Last4      string     `json:"last4"`
	ExpiresAt  *time.Time `json:"expires_at"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func scimTokenDTO(t scim.Token) SCIMTokenDTO {
	return SCIMTokenDTO{ID: t.ID.String(), Name: t.Name, Prefix: t.Prefix, Last4: t.Last4, ExpiresAt: utcPtr(t.ExpiresAt),
		CreatedAt: t.CreatedAt.UTC(), LastUsedAt: utcPtr(t.LastUsedAt), RevokedAt: utcPtr(t.RevokedAt)}
}

func (h SCIMRoutes) createToken(c *gin.Context) {
	var req struct {
		Name          string `json:"name"`
		ExpiresInDays *int   `json:"expires_in_days"`
	}
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	t, secret, err := h.SCIM.CreateToken(c.Request.Context(), orgOf(c).ID, req.Name, req.ExpiresInDays)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": t.ID.String(), "name": t.Name, "secret": secret, "expires_at": utcPtr(t.ExpiresAt),
		"prefix": t.Prefix, "last4": t.Last4, "created_at": t.CreatedAt.UTC()})
}

func (h SCIMRoutes) listTokens(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		incl, err := boolQuery(c, "include_revoked")
		if err != nil {
			fail(c, err)
			return
		}
		org := orgOf(c).ID
		orgPage(c, r, "scim-tokens", map[string]bool{"r": incl}, func(after *uuid.UUID, limit int) ([]scim.Token, error) {
			return h.SCIM.ListTokens(c.Request.Context(), org, after, limit, incl)
		}, func(t scim.Token) uuid.UUID { return t.ID }, scimTokenDTO)
	}
}

func (h SCIMRoutes) revokeToken(c *gin.Context) {
	id, err := pathID(c, "SCIM token")
	if err == nil {
		if _, err = h.SCIM.RevokeToken(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}

// SCIMRequestDTO is one logged SCIM request.
type SCIMRequestDTO struct {
	ID        string    `json:"id"`
	TokenID   *string   `json:"token_id"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Status    int       `json:"status"`
	SCIMType  *string   `json:"scim_type"`
	Error     *string   `json:"error"`
	RequestID string    `json:"request_id"`
	CreatedAt time.Time `json:"created_at"`
}

func (h SCIMRoutes) listRequests(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "scim-requests", struct{}{}, func(before *uuid.UUID, limit int) ([]scim.LogEntry, error) {
			return h.SCIM.ListRequests(c.Request.Context(), org, before, limit)
		}, func(e scim.LogEntry) uuid.UUID { return e.ID }, func(e scim.LogEntry) SCIMRequestDTO {
			var tok *string
			if e.TokenID != nil {
				s := e.TokenID.String()
				tok = &s
			}
			return SCIMRequestDTO{ID: e.ID.String(), TokenID: tok, Method: e.Method, Path: e.Path, Status: e.Status, SCIMType: e.SCIMType,
				Error: e.Error, RequestID: e.RequestID, CreatedAt: e.CreatedAt.UTC()}
		})
	}
}

// GroupMappingDTO maps an IdP group to a permission group.
type GroupMappingDTO struct {
	ID                string    `json:"id"`
	MatchBy           string    `json:"match_by"`
	IdPGroup          string    `json:"idp_group"`
	PermissionGroupID string    `json:"permission_group_id"`
	CreatedAt         time.Time `json:"created_at"`
}

func mappingDTO(m scim.Mapping) GroupMappingDTO {
	return GroupMappingDTO{ID: m.ID.String(), MatchBy: m.MatchBy, IdPGroup: m.IdPGroup, PermissionGroupID: m.PermissionGroupID.String(), CreatedAt: m.CreatedAt.UTC()}
}

func (h SCIMRoutes) createMapping(c *gin.Context) {
	var req struct {
		MatchBy           string `json:"match_by"`
		IdPGroup          string `json:"idp_group"`
		PermissionGroupID string `json:"permission_group_id"`
	}
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	gid, err := uuid.Parse(req.PermissionGroupID)
	if err != nil {
		fail(c, errcode.Invalid("permission_group_id", "must be a UUID"))
		return
	}
	m, err := h.SCIM.CreateMapping(c.Request.Context(), orgOf(c).ID, req.MatchBy, req.IdPGroup, gid)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, mappingDTO(m))
}

func (h SCIMRoutes) listMappings(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "group-mappings", struct{}{}, func(after *uuid.UUID, limit int) ([]scim.Mapping, error) {
			return h.SCIM.ListMappings(c.Request.Context(), org, after, limit)
		}, func(m scim.Mapping) uuid.UUID { return m.ID }, mappingDTO)
	}
}

func (h SCIMRoutes) getMapping(c *gin.Context) {
	id, err := pathID(c, "group mapping")
	if err == nil {
		var m scim.Mapping
		if m, err = h.SCIM.GetMapping(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.JSON(http.StatusOK, mappingDTO(m))
			return
		}
	}
	fail(c, err)
}

func (h SCIMRoutes) deleteMapping(c *gin.Context) {
	id, err := pathID(c, "group mapping")
	if err == nil {
		if err = h.SCIM.DeleteMapping(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}
