// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	gql "github.com/bytechefhq/bytechef-ee/api/graphql"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// RetentionStarter starts the audit retention workflow on demand and returns its ids.
type RetentionStarter func(ctx context.Context) (workflowID, runID string, err error)

// AuditRoutes serves the audit log (SPEC §4.1, §4.2).
type AuditRoutes struct {
	Audit *audit.Service
	// StartRetention is nil when the API runs without Temporal (then /run answers 503).
	StartRetention RetentionStarter
	// GraphQL serves POST /api/v1/graphql; nil leaves the route out.
	GraphQL http.Handler
}

// Register mounts the audit routes.
func (h AuditRoutes) Register(r *Router) {
	write := requireScope(identity.ScopeAuditWrite)
	read := requireScope(identity.ScopeAuditRead)
	admin := requireScope(identity.ScopeAdmin)
	r.Org.POST("/audit-events", write, r.BatchBody, h.ingest)
	r.Org.GET("/audit-logs", read, h.list(r))
	r.Org.GET("/audit-logs.csv", read, h.csv)
	r.Org.GET("/audit-logs/stream", read, h.stream(r))
	r.Org.GET("/audit-logs/verify", read, h.verify)
	r.Org.GET("/audit-logs/:id", read, h.get)
	r.Org.GET("/audit-retention", read, h.getRetention)
	r.Org.PUT("/audit-retention", admin, h.putRetention)
	r.Org.POST("/audit-retention/run", admin, h.runRetention)
	if h.GraphQL != nil {
		r.Org.POST("/graphql", read, h.graphql)
	}
}

// graphql serves the GraphQL endpoint in the caller's org, under the normal body limit.
func (h AuditRoutes) graphql(c *gin.Context) {
	limit := c.GetInt64(ctxBodyLimit)
	if limit <= 0 {
		limit = 1 << 20
	}
	if c.Request.ContentLength > limit {
		fail(c, errcode.New(errcode.TooLarge, "the request body is larger than %d bytes", limit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Request = c.Request.WithContext(gql.WithOrg(c.Request.Context(), orgOf(c).ID))
	h.GraphQL.ServeHTTP(c.Writer, c.Request)
}

// AuditEventDTO is an audit event on the wire (SPEC §4.1 column names).
type AuditEventDTO struct {
	ID               string          `json:"id"`
	OccurredAt       time.Time       `json:"occurred_at"`
	EventType        string          `json:"event_type"`
	Category         string          `json:"category"`
	ActorUserID      *string         `json:"actor_user_id"`
	ActorType        string          `json:"actor_type"`
	ActorIP          *string         `json:"actor_ip"`
	UserAgent        *string         `json:"user_agent"`
	SessionID        *string         `json:"session_id"`
	OrgID            string          `json:"org_id"`
	WorkspaceID      *string         `json:"workspace_id"`
	TargetEntityType string          `json:"target_entity_type"`
	TargetEntityID   string          `json:"target_entity_id"`
	ActionData       json.RawMessage `json:"action_data"`
	CorrelationID    *string         `json:"correlation_id"`
	Seq              int64           `json:"seq"`
	// Storage says which tier answered: HOT (Postgres) or COLD (archive object).
	Storage string `json:"storage"`
}

func uuidStr(u *uuid.UUID) *string {
	if u == nil {
		return nil
	}
	s := u.String()
	return &s
}

func auditEventDTO(e audit.StoredEvent) AuditEventDTO {
	d := AuditEventDTO{ID: e.ID.String(), OccurredAt: e.OccurredAt.UTC(), EventType: e.EventType, Category: e.Category,
		ActorUserID: uuidStr(e.ActorUserID), ActorType: e.ActorType, UserAgent: e.UserAgent, SessionID: e.SessionID,
		OrgID: e.OrgID.String(), WorkspaceID: uuidStr(e.WorkspaceID), TargetEntityType: e.TargetEntityType,
		TargetEntityID: e.TargetEntityID, ActionData: e.ActionData, CorrelationID: uuidStr(e.CorrelationID), Seq: e.Seq, Storage: "HOT"}
	if e.ActorIP != nil {
		s := e.ActorIP.String()
		d.ActorIP = &s
	}
	if len(d.ActionData) == 0 {
		d.ActionData = json.RawMessage("{}")
	}
	if e.Cold {
		d.Storage = "COLD"
	}
	return d
}

// ingestItem is one event of a batch; org_id is never taken from the body.
type ingestItem struct {
	ID               string          `json:"id"`
	OccurredAt       string          `json:"occurred_at"`
	EventType        string          `json:"event_type"`
	Category         string          `json:"category"`
	ActorType        string          `json:"actor_type"`
	ActorUserID      *string         `json:"actor_user_id"`
	ActorIP          *string         `json:"actor_ip"`
	UserAgent        *string         `json:"user_agent"`
	SessionID        *string         `json:"session_id"`
	WorkspaceID      *string         `json:"workspace_id"`
	TargetEntityType string          `json:"target_entity_type"`
	TargetEntityID   string          `json:"target_entity_id"`
	ActionData       json.RawMessage `json:"action_data"`
	CorrelationID    *string         `json:"correlation_id"`
}

type ingestRequest struct {
	Events []ingestItem `json:"events"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (h AuditRoutes) ingest(c *gin.Context) {
	var body ingestRequest
	if err := bindJSON(c, &body); err != nil {
		fail(c, err)
		return
	}
	items := make([]audit.IngestItem, len(body.Events))
	for i, e := range body.Events {
		items[i] = audit.IngestItem{ID: e.ID, OccurredAt: e.OccurredAt, EventType: e.EventType, Category: e.Category,
			ActorType: e.ActorType, ActorUserID: str(e.ActorUserID), ActorIP: str(e.ActorIP), UserAgent: str(e.UserAgent),
			SessionID: str(e.SessionID), WorkspaceID: str(e.WorkspaceID), TargetEntityType: e.TargetEntityType,
			TargetEntityID: e.TargetEntityID, ActionData: e.ActionData, CorrelationID: str(e.CorrelationID)}
	}
	res, err := h.Audit.Ingest(c.Request.Context(), orgOf(c).ID, items)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"accepted": res.Accepted, "duplicates": res.Duplicates})
}

// auditFilters is the query's filter set in canonical form; cursors bind its fingerprint.
type auditFilters struct {
	EventTypes       []string `json:"et,omitempty"`
	Category         string   `json:"c,omitempty"`
	From             string   `json:"f,omitempty"`
	To               string   `json:"t,omitempty"`
	ActorUserID      string   `json:"a,omitempty"`
	TargetEntityType *string  `json:"tt,omitempty"`
	TargetEntityID   *string  `json:"ti,omitempty"`
	WorkspaceID      string   `json:"w,omitempty"`
	CorrelationID    string   `json:"r,omitempty"`
	Q                string   `json:"q,omitempty"`
}

// parseAuditFilter reads the SPEC §4.1 filters from the query string.
func parseAuditFilter(c *gin.Context) (audit.Filter, auditFilters, error) {
	var f audit.Filter
	var fp auditFilters
	var fe errcode.Fields
	types := c.QueryArray("event_type")
	if len(types) > 50 {
		fe.Add("event_type", "at most 50 values")
	}
	for _, t := range types {
		if t == "" || len(t) > 100 {
			fe.Add("event_type", "must be 1 to 100 characters")
			break
		}
	}
	f.EventTypes = append([]string(nil), types...)
	sort.Strings(f.EventTypes)
	fp.EventTypes = f.EventTypes
	if v := c.Query("category"); v != "" {
		if !audit.ValidCategory(v) {
			fe.Add("category", "must be one of AUTHENTICATION, CREDENTIALS, TEAMS, ORGANIZATION, PERMISSIONS, WORKFLOWS, FILES")
		}
		f.Category, fp.Category = v, v
	}
	parseTime := func(name string) *time.Time {
		v := c.Query(name)
		if v == "" {
			return nil
		}
		t, msg := timeParam(v)
		if msg != "" {
			fe.Add(name, "%s", msg)
			return nil
		}
		return &t
	}
	f.From, f.To = parseTime("from"), parseTime("to")
	if f.From != nil && f.To != nil && f.From.After(*f.To) {
		fe.Add("to", "must not be before from")
	}
	if f.From != nil {
		fp.From = f.From.Format(time.RFC3339Nano)
	}
	if f.To != nil {
		fp.To = f.To.Format(time.RFC3339Nano)
	}
	parseUUID := func(name string) (*uuid.UUID, string) {
		v := c.Query(name)
		if v == "" {
			return nil, ""
		}
		u, err := uuid.Parse(v)
		if err != nil {
			fe.Add(name, "must be a UUID")
			return nil, ""
		}
		return &u, u.String()
	}
	f.ActorUserID, fp.ActorUserID = parseUUID("actor_user_id")
	f.WorkspaceID, fp.WorkspaceID = parseUUID("workspace_id")
	f.CorrelationID, fp.CorrelationID = parseUUID("correlation_id")
	for _, p := range []struct {
		name string
		dst  **string
	}{{"target_entity_type", &f.TargetEntityType}, {"target_entity_id", &f.TargetEntityID}} {
		if v, ok := c.GetQuery(p.name); ok && v != "" {
			if len(v) > 256 {
				fe.Add(p.name, "must be at most 256 characters")
			}
			s := v
			*p.dst = &s
		}
	}
	fp.TargetEntityType, fp.TargetEntityID = f.TargetEntityType, f.TargetEntityID
	if q := c.Query("q"); q != "" {
		if len(q) > 500 {
			fe.Add("q", "must be at most 500 characters")
		}
		f.Q, fp.Q = q, q
	}
	return f, fp, fe.Err()
}

// filterDetails summarises a query for its audit_log.viewed event.
func (fp auditFilters) details() map[string]any {
	var m map[string]any
	b, _ := json.Marshal(fp)
	_ = json.Unmarshal(b, &m)
	return map[string]any{"filters": m}
}

// AuditPage is a page of the audit log.
type AuditPage struct {
	Data        []AuditEventDTO `json:"data"`
	NextCursor  *string         `json:"next_cursor"`
	ColdStorage ColdStorageDTO  `json:"cold_storage"`
}

// ColdStorageDTO says which part of a page came from archive objects.
type ColdStorageDTO struct {
	Events  int      `json:"events"`
	Objects []string `json:"objects"`
}

func (h AuditRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c)
		f, fp, err := parseAuditFilter(c)
		if err != nil {
			fail(c, err)
			return
		}
		kind := "audit-logs:" + org.ID.String()
		var pos audit.Position
		limit, first, err := pageParams(c, r.Cursors, kind, fp, &pos)
		if err != nil {
			fail(c, err)
			return
		}
		var after *audit.Position
		if !first {
			after = &pos
		}
		page, err := h.Audit.List(c.Request.Context(), org.ID, f, after, limit)
		if err != nil {
			fail(c, err)
			return
		}
		out := AuditPage{Data: make([]AuditEventDTO, len(page.Events)), ColdStorage: ColdStorageDTO{Events: page.Cold, Objects: page.ColdObjects}}
		if out.ColdStorage.Objects == nil {
			out.ColdStorage.Objects = []string{}
		}
		for i, e := range page.Events {
			out.Data[i] = auditEventDTO(e)
		}
		if page.Next != nil {
			if out.NextCursor, err = nextCursor(r.Cursors, kind, fp, true, page.Next); err != nil {
				fail(c, err)
				return
			}
		}
		if err := h.Audit.RecordView(c.Request.Context(), org.ID, "list", fp.details()); err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

// AuditEventDetailDTO is one event with the events sharing its correlation id.
type AuditEventDetailDTO struct {
	AuditEventDTO
	CorrelationChain []AuditEventDTO `json:"correlation_chain"`
}

func (h AuditRoutes) get(c *gin.Context) {
	org := orgOf(c)
	id, err := pathID(c, "audit event")
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	e, err := h.Audit.Get(ctx, org.ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	out := AuditEventDetailDTO{AuditEventDTO: auditEventDTO(e), CorrelationChain: []AuditEventDTO{}}
	if e.CorrelationID != nil {
		chain, err := h.Audit.Correlated(ctx, org.ID, *e.CorrelationID)
		if err != nil {
			fail(c, err)
			return
		}
		for _, x := range chain {
			out.CorrelationChain = append(out.CorrelationChain, auditEventDTO(x))
		}
	}
	if err := h.Audit.RecordView(ctx, org.ID, "get", map[string]any{"event_id": id.String()}); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// csv streams every matching event (no row cap), page by page with the same keyset as the
// JSON list, so memory stays bounded whatever the size of the log.
func (h AuditRoutes) csv(c *gin.Context) {
	org := orgOf(c)
	f, fp, err := parseAuditFilter(c)
	if err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	if err := h.Audit.RecordView(ctx, org.ID, "csv", fp.details()); err != nil {
		fail(c, err)
		return
	}
	// The first page is read before any byte is sent, so an early failure is still a problem.
	page, err := h.Audit.List(ctx, org.ID, f, nil, audit.MaxPage)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="audit-logs.csv"`)
	c.Status(http.StatusOK)
	w := audit.NewCSVWriter(c.Writer)
	if err := w.WriteHeader(); err != nil {
		return
	}
	for {
		for _, e := range page.Events {
			if err := w.Write(e); err != nil {
				return
			}
		}
		if err := w.Flush(); err != nil || page.Next == nil {
			return
		}
		c.Writer.Flush()
		if page, err = h.Audit.List(ctx, org.ID, f, page.Next, audit.MaxPage); err != nil {
			// Headers are gone: cut the response so the client sees an incomplete file.
			h.Audit.LogError(ctx, "audit csv stream failed", err)
			panic(http.ErrAbortHandler)
		}
	}
}

// StreamPage is one SIEM pull answer; next_cursor is always set (poll again with it).
type StreamPage struct {
	Data       []any  `json:"data"`
	NextCursor string `json:"next_cursor"`
}

func (h AuditRoutes) stream(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c)
		format := c.DefaultQuery("format", "json")
		if format != "json" && format != "ocsf" {
			fail(c, errcode.Invalid("format", "must be json or ocsf"))
			return
		}
		limit := 100
		if s, ok := c.GetQuery("limit"); ok {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > audit.MaxStreamPage {
				fail(c, errcode.Invalid("limit", "must be an integer from 1 to %d", audit.MaxStreamPage))
				return
			}
			limit = n
		}
		kind := "audit-stream:" + org.ID.String()
		var pos audit.StreamPos
		after := c.Query("after")
		if after != "" {
			if err := r.Cursors.Decode(after, kind, nil, &pos); err != nil {
				fail(c, errcode.New(errcode.InvalidCursor, "%s", cursor.ErrInvalid.Error()))
				return
			}
		} else if err := h.Audit.RecordView(c.Request.Context(), org.ID, "stream", nil); err != nil {
			// A stream is audited when it starts, not on every poll: a per-poll event
			// would feed the stream its own reads forever.
			fail(c, err)
			return
		}
		events, next, err := h.Audit.Stream(c.Request.Context(), org.ID, pos, limit)
		if err != nil {
			fail(c, err)
			return
		}
		out := StreamPage{Data: make([]any, len(events))}
		for i, e := range events {
			if format == "ocsf" {
				out.Data[i] = audit.OCSF(e)
			} else {
				out.Data[i] = auditEventDTO(e)
			}
		}
		if out.NextCursor, err = r.Cursors.Encode(kind, nil, next); err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, out)
	}
}

// VerifyDTO is the tamper-evidence report.
type VerifyDTO struct {
	OK             bool           `json:"ok"`
	From           time.Time      `json:"from"`
	To             time.Time      `json:"to"`
	BlocksChecked  int            `json:"blocks_checked"`
	EventsChecked  int            `json:"events_checked"`
	ColdEvents     int            `json:"cold_events"`
	UnsealedEvents int64          `json:"unsealed_events"`
	ChainHead      string         `json:"chain_head"`
	FirstBreak     *ChainBreakDTO `json:"first_break"`
}

// ChainBreakDTO is the first break found.
type ChainBreakDTO struct {
	Block          int64  `json:"block"`
	Reason         string `json:"reason"`
	FirstSeq       int64  `json:"first_seq"`
	LastSeq        int64  `json:"last_seq"`
	ExpectedHash   string `json:"expected_hash"`
	ActualHash     string `json:"actual_hash"`
	ExpectedEvents int    `json:"expected_events"`
	ActualEvents   int    `json:"actual_events"`
}

func (h AuditRoutes) verify(c *gin.Context) {
	org := orgOf(c)
	now := time.Now().UTC()
	from, to := now.Add(-7*24*time.Hour), now.Add(audit.MaxFuture)
	var fe errcode.Fields
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := c.Query(p.name); v != "" {
			t, msg := timeParam(v)
			if msg != "" {
				fe.Add(p.name, "%s", msg)
				continue
			}
			*p.dst = t
		}
	}
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	if !from.Before(to) {
		fail(c, errcode.Invalid("to", "must be after from"))
		return
	}
	ctx := c.Request.Context()
	res, err := h.Audit.Verify(ctx, org.ID, from, to)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Audit.RecordView(ctx, org.ID, "verify", map[string]any{"from": from, "to": to, "ok": res.OK}); err != nil {
		fail(c, err)
		return
	}
	out := VerifyDTO{OK: res.OK, From: from, To: to, BlocksChecked: res.BlocksChecked, EventsChecked: res.EventsChecked,
		ColdEvents: res.ColdEvents, UnsealedEvents: res.UnsealedEvents, ChainHead: res.ChainHead}
	if b := res.FirstBreak; b != nil {
		out.FirstBreak = &ChainBreakDTO{Block: b.Block, Reason: b.Reason, FirstSeq: b.FirstSeq, LastSeq: b.LastSeq,
			ExpectedHash: b.Expected, ActualHash: b.Actual, ExpectedEvents: b.ExpectedRows, ActualEvents: b.ActualRows}
	}
	c.JSON(http.StatusOK, out)
}

// RetentionDTO is the retention policy.
type RetentionDTO struct {
	HotDays       int `json:"hot_days"`
	RetentionDays int `json:"retention_days"`
}

func (h AuditRoutes) getRetention(c *gin.Context) {
	p, err := h.Audit.GetPolicy(c.Request.Context(), orgOf(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(p.Version))
	c.JSON(http.StatusOK, RetentionDTO{HotDays: p.HotDays, RetentionDays: p.RetentionDays})
}

type putRetentionRequest struct {
	HotDays       *int `json:"hot_days"`
	RetentionDays *int `json:"retention_days"`
}

func (h AuditRoutes) putRetention(c *gin.Context) {
	var req putRetentionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var fe errcode.Fields
	if req.HotDays == nil {
		fe.Add("hot_days", "is required")
	}
	if req.RetentionDays == nil {
		fe.Add("retention_days", "is required")
	}
	if err := fe.Err(); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	p, err := h.Audit.PutPolicy(c.Request.Context(), orgOf(c).ID, *req.HotDays, *req.RetentionDays, ver)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(p.Version))
	c.JSON(http.StatusOK, RetentionDTO{HotDays: p.HotDays, RetentionDays: p.RetentionDays})
}

func (h AuditRoutes) runRetention(c *gin.Context) {
	if h.StartRetention == nil {
		fail(c, errcode.New(errcode.Unavailable, "the workflow engine is not configured on this process"))
		return
	}
	wid, rid, err := h.StartRetention(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"workflow_id": wid, "run_id": rid, "status": "STARTED"})
}

// timeParam parses a time query parameter (RFC 3339, years 1970–9998, as UTC), or says what
// is wrong with it.
func timeParam(v string) (time.Time, string) {
	t, err := time.Parse(time.RFC3339Nano, v)
	switch {
	case err != nil:
		return time.Time{}, "must be an RFC 3339 timestamp"
	case t.Year() < 1970 || t.Year() > 9998:
		return time.Time{}, "must be between 1970 and 9998"
	}
	return t.UTC(), ""
}
