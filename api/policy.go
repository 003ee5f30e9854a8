// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

// PolicyRoutes serves app rules, evaluation and simulation (SPEC §5.1), app claims, domain
// restrictions and the OAuth connection checks (SPEC §5.2–5.4).
type PolicyRoutes struct {
	Policy *policy.Service
}

// Register mounts the app policy routes.
func (h PolicyRoutes) Register(r *Router) {
	admin := requireScope(identity.ScopeAdmin)
	eval := requireScope(identity.ScopePolicyEvaluate)
	g := r.Org.Group("/app-rules", admin)
	g.POST("", r.Idempotent, h.createRule)
	g.GET("", h.listRules(r))
	g.POST("/simulate", h.simulate)
	g.GET("/:id", h.getRule)
	g.PUT("/:id", h.updateRule)
	g.DELETE("/:id", h.deleteRule)
	g.GET("/:id/versions", h.listVersions(r))
	g.PUT("/by-key/:key", h.upsertRule)
	r.Org.POST("/policy/evaluate", eval, h.evaluate)
	r.Org.POST("/connections/oauth/check", eval, h.oauthCheck)
	r.Org.POST("/connections/scan", eval, h.scan)
	h.registerClaims(r, admin)
}

// RuleTargetDTO is whom a rule applies to.
type RuleTargetDTO struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// RuleScopeDTO limits a rule to a component and some of its actions.
type RuleScopeDTO struct {
	ServerID string   `json:"server_id"`
	Tools    []string `json:"tools"`
}

// AppRuleDTO is an app rule on the wire.
type AppRuleDTO struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Phase       string            `json:"phase"`
	Action      string            `json:"action"`
	Target      RuleTargetDTO     `json:"target"`
	Scope       RuleScopeDTO      `json:"scope"`
	Condition   string            `json:"condition"`
	Priority    int32             `json:"priority"`
	Tags        []string          `json:"tags"`
	Enabled     bool              `json:"enabled"`
	Mode        string            `json:"mode"`
	Version     int32             `json:"version"`
	Tests       []policy.RuleTest `json:"tests"`
	ExternalKey *string           `json:"external_key"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

func appRuleDTO(r policy.Rule) AppRuleDTO {
	tests := r.Tests
	if tests == nil {
		tests = []policy.RuleTest{}
	}
	tools, tags := r.Scope.Tools, r.Tags
	if tools == nil {
		tools = []string{}
	}
	if tags == nil {
		tags = []string{}
	}
	return AppRuleDTO{ID: r.ID.String(), Name: r.Name, Description: r.Description, Phase: string(r.Phase), Action: string(r.Action),
		Target: RuleTargetDTO{Type: string(r.Target.Type), ID: r.Target.ID}, Scope: RuleScopeDTO{ServerID: r.Scope.ServerID, Tools: tools},
		Condition: r.Condition, Priority: r.Priority, Tags: tags, Enabled: r.Enabled, Mode: string(r.Mode), Version: r.Version,
		Tests: tests, ExternalKey: r.ExternalKey, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type ruleRequest struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Phase       string            `json:"phase"`
	Action      string            `json:"action"`
	Target      *RuleTargetDTO    `json:"target"`
	Scope       *RuleScopeDTO     `json:"scope"`
	Condition   string            `json:"condition"`
	Priority    int32             `json:"priority"`
	Tags        []string          `json:"tags"`
	Enabled     *bool             `json:"enabled"`
	Mode        string            `json:"mode"`
	Tests       []policy.RuleTest `json:"tests"`
	ExternalKey *string           `json:"external_key"`
}

func (q ruleRequest) input() policy.RuleInput {
	in := policy.RuleInput{Name: q.Name, Description: q.Description, Phase: policy.Phase(q.Phase), Action: policy.Action(q.Action),
		Condition: q.Condition, Priority: q.Priority, Tags: q.Tags, Enabled: q.Enabled, Mode: policy.Mode(q.Mode), Tests: q.Tests,
		ExternalKey: q.ExternalKey, Target: policy.Target{Type: policy.TargetOrganization}}
	if q.Target != nil {
		in.Target = policy.Target{Type: policy.TargetType(q.Target.Type), ID: q.Target.ID}
	}
	if q.Scope != nil {
		in.Scope = policy.Scope{ServerID: q.Scope.ServerID, Tools: q.Scope.Tools}
	}
	return in
}

func (h PolicyRoutes) createRule(c *gin.Context) {
	var req ruleRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	rule, err := h.Policy.CreateRule(c.Request.Context(), orgOf(c).ID, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/app-rules/"+rule.ID.String())
	c.Header("ETag", etag(rule.Version))
	c.JSON(http.StatusCreated, appRuleDTO(rule))
}

type ruleListFilters struct {
	Phase *string `json:"p"`
}

func (h PolicyRoutes) listRules(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		var f ruleListFilters
		if p, ok := c.GetQuery("phase"); ok {
			if p != string(policy.PreExecution) && p != string(policy.PostExecution) {
				fail(c, errcode.Invalid("phase", "must be PRE_EXECUTION or POST_EXECUTION"))
				return
			}
			f.Phase = &p
		}
		org := orgOf(c).ID
		orgPage(c, r, "app-rules", f, func(after *uuid.UUID, limit int) ([]policy.Rule, error) {
			return h.Policy.ListRules(c.Request.Context(), org, after, f.Phase, limit)
		}, func(ru policy.Rule) uuid.UUID { return ru.ID }, appRuleDTO)
	}
}

func (h PolicyRoutes) getRule(c *gin.Context) {
	id, err := pathID(c, "app rule")
	if err == nil {
		var rule policy.Rule
		if rule, err = h.Policy.GetRule(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Header("ETag", etag(rule.Version))
			c.JSON(http.StatusOK, appRuleDTO(rule))
			return
		}
	}
	fail(c, err)
}

func (h PolicyRoutes) updateRule(c *gin.Context) {
	id, err := pathID(c, "app rule")
	if err != nil {
		fail(c, err)
		return
	}
	var req ruleRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	in := req.input()
	if in.IfVersion, err = ifMatch(c); err != nil {
		fail(c, err)
		return
	}
	rule, err := h.Policy.UpdateRule(c.Request.Context(), orgOf(c).ID, id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(rule.Version))
	c.JSON(http.StatusOK, appRuleDTO(rule))
}

func (h PolicyRoutes) upsertRule(c *gin.Context) {
	var req ruleRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	key := c.Param("key")
	if req.ExternalKey != nil && *req.ExternalKey != key {
		fail(c, errcode.Invalid("external_key", "must match the key in the path"))
		return
	}
	in := req.input()
	var err error
	if in.IfVersion, err = ifMatch(c); err != nil {
		fail(c, err)
		return
	}
	rule, created, err := h.Policy.UpsertRuleByKey(c.Request.Context(), orgOf(c).ID, key, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(rule.Version))
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", "/api/v1/app-rules/"+rule.ID.String())
	}
	c.JSON(status, appRuleDTO(rule))
}

func (h PolicyRoutes) deleteRule(c *gin.Context) {
	id, err := pathID(c, "app rule")
	if err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Policy.DeleteRule(c.Request.Context(), orgOf(c).ID, id, ver); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// AppRuleVersionDTO is one entry of a rule's history.
type AppRuleVersionDTO struct {
	Version   int32      `json:"version"`
	Change    string     `json:"change"`
	Actor     string     `json:"actor"`
	CreatedAt time.Time  `json:"created_at"`
	Rule      AppRuleDTO `json:"rule"`
}

func (h PolicyRoutes) listVersions(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "app rule")
		if err != nil {
			fail(c, err)
			return
		}
		kind := "app-rule-versions:" + orgOf(c).ID.String() + ":" + id.String()
		var before int32
		limit, first, err := pageParams(c, r.Cursors, kind, nil, &before)
		if err != nil {
			fail(c, err)
			return
		}
		var bp *int32
		if !first {
			bp = &before
		}
		vs, err := h.Policy.ListVersions(c.Request.Context(), orgOf(c).ID, id, bp, limit+1)
		if err != nil {
			fail(c, err)
			return
		}
		full := len(vs) > limit
		if full {
			vs = vs[:limit]
		}
		out := List[AppRuleVersionDTO]{Data: make([]AppRuleVersionDTO, len(vs))}
		for i, v := range vs {
			out.Data[i] = AppRuleVersionDTO{Version: v.Version, Change: v.Change, Actor: v.Actor, CreatedAt: v.CreatedAt.UTC(), Rule: appRuleDTO(v.Rule)}
		}
		if full {
			if out.NextCursor, err = nextCursor(r.Cursors, kind, nil, true, vs[len(vs)-1].Version); err != nil {
				fail(c, err)
				return
			}
		}
		c.JSON(http.StatusOK, out)
	}
}

type evaluateRequest struct {
	Phase         string          `json:"phase"`
	UserID        string          `json:"user_id"`
	AgentID       *string         `json:"agent_id"`
	AgentName     *string         `json:"agent_name"`
	WorkspaceID   string          `json:"workspace_id"`
	ServerID      string          `json:"server_id"`
	ToolName      string          `json:"tool_name"`
	Args          json.RawMessage `json:"args"`
	Output        json.RawMessage `json:"output"`
	ExecutionID   *string         `json:"execution_id"`
	CorrelationID *string         `json:"correlation_id"`
}

// MatchedRuleDTO is a rule that took part in a decision.
type MatchedRuleDTO struct {
	ID      string `json:"id"`
	Version int32  `json:"version"`
	Action  string `json:"action"`
}

// DecisionDTO is the answer of /policy/evaluate (200 for ALLOW and BLOCK alike).
type DecisionDTO struct {
	Decision     string           `json:"decision"`
	Tags         []string         `json:"tags"`
	MatchedRules []MatchedRuleDTO `json:"matched_rules"`
	ShadowRules  []MatchedRuleDTO `json:"shadow_rules"`
	Reason       string           `json:"reason"`
	Message      string           `json:"message"`
	DecisionID   string           `json:"decision_id"`
}

func matchedDTOs(ms []policy.MatchedRule) []MatchedRuleDTO {
	out := make([]MatchedRuleDTO, len(ms))
	for i, m := range ms {
		out[i] = MatchedRuleDTO{ID: m.ID.String(), Version: m.Version, Action: string(m.Action)}
	}
	return out
}

func parseUUIDField(f *errcode.Fields, field, s string) uuid.UUID {
	id, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be a UUID")
	}
	return id
}

func (h PolicyRoutes) evaluate(c *gin.Context) {
	var req evaluateRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var f errcode.Fields
	in := policy.EvaluateInput{Phase: policy.Phase(req.Phase), AgentID: req.AgentID, AgentName: req.AgentName,
		ServerID: req.ServerID, ToolName: req.ToolName, ExecutionID: req.ExecutionID}
	in.UserID = parseUUIDField(&f, "user_id", req.UserID)
	in.WorkspaceID = parseUUIDField(&f, "workspace_id", req.WorkspaceID)
	if req.CorrelationID != nil {
		id := parseUUIDField(&f, "correlation_id", *req.CorrelationID)
		in.CorrelationID = &id
	}
	in.Args = map[string]any{}
	if len(req.Args) > 0 && string(req.Args) != "null" {
		v, err := policy.DecodeJSON(req.Args)
		m, ok := v.(map[string]any)
		switch {
		case errors.Is(err, policy.ErrTooDeep):
			f.Add("args", "is nested deeper than %d levels", policy.MaxDepth)
		case err != nil || !ok:
			f.Add("args", "must be an object")
		default:
			in.Args, in.RawArgs = m, req.Args
		}
	}
	if len(req.Output) > 0 {
		v, err := policy.DecodeJSON(req.Output)
		if err != nil {
			f.Add("output", "is nested deeper than %d levels", policy.MaxDepth)
		}
		in.Output, in.HasOutput, in.RawOutput = v, true, req.Output
	}
	if err := f.Err(); err != nil {
		fail(c, err)
		return
	}
	ev, err := h.Policy.Evaluate(c.Request.Context(), orgOf(c).ID, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, DecisionDTO{Decision: string(ev.Decision), Tags: ev.Tags, MatchedRules: matchedDTOs(ev.Matched),
		ShadowRules: matchedDTOs(ev.Shadow), Reason: ev.Reason, Message: ev.Message, DecisionID: ev.DecisionID.String()})
}

type simulateRuleRequest struct {
	ID *string `json:"id"`
	ruleRequest
}

type simulateRequest struct {
	Rules []json.RawMessage `json:"rules"`
	From  *time.Time        `json:"from"`
	To    *time.Time        `json:"to"`
	Limit int               `json:"limit"`
}

// SimRuleDTO is what one listed rule would do.
type SimRuleDTO struct {
	Index      int      `json:"index"`
	ID         *string  `json:"id"`
	Name       string   `json:"name"`
	WouldBlock []string `json:"would_block"`
	WouldTag   []string `json:"would_tag"`
	Errors     []string `json:"errors"`
}

// SimulationDTO is the answer of /app-rules/simulate; call ids are decision ids.
type SimulationDTO struct {
	Calls           int          `json:"calls"`
	Rules           []SimRuleDTO `json:"rules"`
	NewlyBlocked    []string     `json:"newly_blocked"`
	NoLongerBlocked []string     `json:"no_longer_blocked"`
	NewlyTagged     []string     `json:"newly_tagged"`
}

// simulate accepts each rule as an id string or a draft object (with an optional id).
func (h PolicyRoutes) simulate(c *gin.Context) {
	var req simulateRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var f errcode.Fields
	in := policy.SimulateInput{Limit: req.Limit}
	if req.From != nil {
		in.From = *req.From
	}
	if req.To != nil {
		in.To = *req.To
	}
	for i, raw := range req.Rules {
		field := "rules[" + itoa(i) + "]"
		var s string
		if json.Unmarshal(raw, &s) == nil {
			id := parseUUIDField(&f, field, s)
			in.Rules = append(in.Rules, policy.SimRule{ID: &id})
			continue
		}
		var d simulateRuleRequest
		if err := decodeStrict(raw, &d); err != nil {
			f.Add(field, "must be a rule id or a draft rule object")
			continue
		}
		sr := policy.SimRule{}
		if d.ID != nil {
			id := parseUUIDField(&f, field+".id", *d.ID)
			sr.ID = &id
		}
		if d.Condition != "" || d.Name != "" || d.Phase != "" {
			in := d.input()
			sr.Draft = &in
		}
		in.Rules = append(in.Rules, sr)
	}
	if err := f.Err(); err != nil {
		fail(c, err)
		return
	}
	res, err := h.Policy.Simulate(c.Request.Context(), orgOf(c).ID, in)
	if err != nil {
		fail(c, err)
		return
	}
	out := SimulationDTO{Calls: res.Calls, Rules: make([]SimRuleDTO, len(res.Rules)), NewlyBlocked: idStrings(res.NewlyBlocked),
		NoLongerBlocked: idStrings(res.NoLongerBlocked), NewlyTagged: idStrings(res.NewlyTagged)}
	for i, r := range res.Rules {
		d := SimRuleDTO{Index: r.Index, Name: r.Name, WouldBlock: idStrings(r.WouldBlock), WouldTag: idStrings(r.WouldTag), Errors: idStrings(r.Errors)}
		if r.ID != nil {
			s := r.ID.String()
			d.ID = &s
		}
		out.Rules[i] = d
	}
	c.JSON(http.StatusOK, out)
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
