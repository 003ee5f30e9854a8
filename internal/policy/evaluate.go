// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// EvaluateInput is one tool call as ByteChef's worker reports it (SPEC §5.1).
type EvaluateInput struct {
	Phase       Phase
	UserID      uuid.UUID
	AgentID     *string
	AgentName   *string
	WorkspaceID uuid.UUID
	ServerID    string
	ToolName    string
	// Args and Output are normalized (NormalizeJSON); RawArgs and RawOutput, when set, are the
	// JSON as received and are what gets recorded (exactly as sent).
	Args          map[string]any
	RawArgs       json.RawMessage
	Output        any
	HasOutput     bool
	RawOutput     json.RawMessage
	ExecutionID   *string
	CorrelationID *uuid.UUID
}

// Evaluation is the answer to an evaluation.
type Evaluation struct {
	DecisionID uuid.UUID
	Decision   Decision
	Reason     string
	Message    string
	Tags       []string
	Matched    []MatchedRule
	Shadow     []MatchedRule
}

func validateInput(in *EvaluateInput) error {
	var f errcode.Fields
	if in.Phase != PreExecution && in.Phase != PostExecution {
		f.Add("phase", "must be PRE_EXECUTION or POST_EXECUTION")
	}
	if in.UserID == uuid.Nil {
		f.Add("user_id", "is required")
	}
	if in.WorkspaceID == uuid.Nil {
		f.Add("workspace_id", "is required")
	}
	validText(&f, "server_id", in.ServerID, maxIDLen, true)
	validText(&f, "tool_name", in.ToolName, maxIDLen, true)
	if in.AgentID != nil {
		validText(&f, "agent_id", *in.AgentID, maxIDLen, true)
	}
	if in.AgentName != nil {
		validText(&f, "agent_name", *in.AgentName, maxNameLen, false)
	}
	if in.ExecutionID != nil {
		validText(&f, "execution_id", *in.ExecutionID, maxIDLen, false)
	}
	if in.HasOutput && in.Phase == PreExecution {
		f.Add("output", "is only accepted in POST_EXECUTION")
	}
	return f.Err()
}

// Evaluate decides a tool call for the org, records it (and its audit events) and answers
// only once the record is committed. Errors are for bad input and an unavailable store; a
// caller that cannot get an answer must treat the call as blocked.
func (s *Service) Evaluate(ctx context.Context, orgID uuid.UUID, in EvaluateInput) (Evaluation, error) {
	if err := validateInput(&in); err != nil {
		return Evaluation{}, err
	}
	start := time.Now()
	call, res, err := s.decide(ctx, orgID, &in)
	if err != nil {
		return Evaluation{}, err
	}
	if s.metrics != nil {
		s.metrics.Duration.Observe(time.Since(start).Seconds())
	}
	ev := Evaluation{Decision: res.Decision, Reason: res.Reason, Tags: res.Tags, Matched: res.Matched, Shadow: res.Shadow}
	if ev.Tags == nil {
		ev.Tags = []string{}
	}
	if ev.Decision == Block {
		ev.Message = DefaultBlockMessage
	}
	if ev.DecisionID, err = uuid.NewV7(); err != nil {
		return Evaluation{}, err
	}
	if err := s.record(ctx, orgID, &in, call, &ev, res); err != nil {
		return Evaluation{}, errcode.New(errcode.Unavailable, "the decision could not be recorded; treat the call as blocked and retry")
	}
	if s.metrics != nil {
		s.metrics.Decisions.WithLabelValues(string(ev.Decision)).Inc()
	}
	return ev, nil
}

// decide resolves the caller and evaluates the org's rules.
func (s *Service) decide(ctx context.Context, orgID uuid.UUID, in *EvaluateInput) (*Call, Result, error) {
	if s.resolver == nil {
		return nil, Result{}, errcode.New(errcode.Unavailable, "caller resolution is not available")
	}
	entry := s.cache.entry(orgID)
	call := &Call{Phase: in.Phase, ServerID: in.ServerID, ToolName: in.ToolName, Args: in.Args, Output: in.Output,
		HasOutput: in.HasOutput, Now: time.Now().UTC(), Workspace: WorkspaceCtx{ID: in.WorkspaceID.String()},
		User: UserCtx{ID: in.UserID.String()}}
	if in.AgentID != nil {
		call.Agent = &AgentCtx{ID: *in.AgentID}
		if in.AgentName != nil {
			call.Agent.Name = *in.AgentName
		}
	}
	caller, ok := entry.caller(in.UserID)
	if !ok {
		c, err := s.resolver.Caller(ctx, orgID, in.UserID)
		if errcode.Is(err, errcode.NotFound) {
			return call, Result{Decision: Block, Reason: ReasonUnknownUser}, nil
		}
		if err != nil {
			return nil, Result{}, err
		}
		caller = entry.putCaller(in.UserID, c)
	}
	call.User = caller.User
	if !caller.Active() {
		return call, Result{Decision: Block, Reason: ReasonInactiveUser}, nil
	}
	ws, ok := entry.workspace(in.WorkspaceID)
	if !ok {
		w, err := s.resolver.Workspace(ctx, orgID, in.WorkspaceID)
		if errcode.Is(err, errcode.NotFound) {
			return call, Result{Decision: Block, Reason: ReasonUnknownWS}, nil
		}
		if err != nil {
			return nil, Result{}, err
		}
		ws = entry.putWorkspace(in.WorkspaceID, w)
	}
	call.Workspace = ws.ctx
	call.vals = &callerVals{user: caller.userVal, workspace: ws.val}
	rs, err := s.ruleSet(ctx, orgID, entry)
	if err != nil {
		return nil, Result{}, err
	}
	return call, rs.Evaluate(ctx, call), nil
}

// ruleSet returns the org's compiled rule set, from the cache when it is current.
func (s *Service) ruleSet(ctx context.Context, orgID uuid.UUID, entry *orgEntry) (*RuleSet, error) {
	if rs := entry.rules.Load(); rs != nil {
		return rs, nil
	}
	rows, err := dbsqlc.New(s.db).AppRuleListEnabled(ctx, orgID)
	if err != nil {
		return nil, err
	}
	rs := s.buildRuleSet(rows)
	entry.rules.Store(rs)
	return rs, nil
}

func (s *Service) buildRuleSet(rows []dbsqlc.AppRule) *RuleSet {
	rules := make([]*Rule, len(rows))
	prgs := make([]*Program, len(rows))
	for i, row := range rows {
		r := ruleFromRow(row)
		rules[i] = &r
		prgs[i] = s.programs.get(&r, func() (*Program, error) { return s.compiler.Compile(r.Phase, r.Condition) })
	}
	return NewRuleSet(rules, prgs)
}

// record stores the call with its decision and writes the audit events of BLOCK, TAG and
// evaluation errors under the call's correlation id.
func (s *Service) record(ctx context.Context, orgID uuid.UUID, in *EvaluateInput, call *Call, ev *Evaluation, res Result) error {
	if s.recorder == nil {
		return errors.New("policy: no recorder")
	}
	args := in.RawArgs
	if len(args) == 0 {
		b, err := json.Marshal(in.Args)
		if err != nil {
			return err
		}
		args = b
	}
	var output []byte
	if in.HasOutput {
		output = in.RawOutput
		if len(output) == 0 {
			b, err := json.Marshal(in.Output)
			if err != nil {
				return err
			}
			output = b
		}
	}
	callerJSON, err := json.Marshal(recordedCaller{User: call.User, Workspace: call.Workspace, Agent: call.Agent})
	if err != nil {
		return err
	}
	matched, err := json.Marshal(recordedMatches{Matched: ev.Matched, Shadow: ev.Shadow, Errors: res.Errors})
	if err != nil {
		return err
	}
	row := dbsqlc.PolicyToolCallCopyParams{ID: ev.DecisionID, OrgID: orgID, OccurredAt: call.Now, Phase: string(in.Phase),
		UserID: in.UserID, AgentID: in.AgentID, WorkspaceID: in.WorkspaceID, ServerID: in.ServerID, ToolName: in.ToolName,
		Args: args, Output: output, Caller: callerJSON, ExecutionID: in.ExecutionID, CorrelationID: in.CorrelationID,
		Decision: string(ev.Decision), Reason: ev.Reason, Tags: ev.Tags, Matched: matched}

	events := auditEvents(orgID, in, ev, res)
	if len(events) > 0 {
		m := audit.MetaFrom(ctx)
		if in.CorrelationID != nil {
			m.CorrelationID = in.CorrelationID
		}
		uid := in.UserID
		m.ActorType, m.ActorUserID = audit.ActorUser, &uid
		ctx = audit.WithMeta(ctx, m)
	}
	return s.recorder.Record(ctx, row, events)
}

type recordedCaller struct {
	User      UserCtx      `json:"user"`
	Workspace WorkspaceCtx `json:"workspace"`
	Agent     *AgentCtx    `json:"agent"`
}

type recordedMatches struct {
	Matched []MatchedRule `json:"matched"`
	Shadow  []MatchedRule `json:"shadow,omitempty"`
	Errors  []MatchedRule `json:"errors,omitempty"`
}

func auditEvents(orgID uuid.UUID, in *EvaluateInput, ev *Evaluation, res Result) []audit.Event {
	var events []audit.Event
	ws := in.WorkspaceID
	base := func() map[string]any {
		d := map[string]any{"decision_id": ev.DecisionID.String(), "phase": in.Phase, "server_id": in.ServerID,
			"tool_name": in.ToolName, "user_id": in.UserID.String(), "decision": ev.Decision, "reason": ev.Reason}
		if in.AgentID != nil {
			d["agent_id"] = *in.AgentID
		}
		if in.ExecutionID != nil {
			d["execution_id"] = *in.ExecutionID
		}
		return d
	}
	for _, e := range res.Errors {
		d := base()
		d["rule_id"], d["rule_version"], d["error"] = e.ID.String(), e.Version, e.Error
		events = append(events, audit.Event{OrgID: orgID, Type: "app_rule.evaluation_failed", WorkspaceID: &ws,
			TargetType: "app_rule", TargetID: e.ID.String(), Data: d})
	}
	var tagRules []string
	for _, m := range ev.Matched {
		if m.Action == ActionTag && m.Error == "" {
			tagRules = append(tagRules, m.ID.String())
		}
	}
	if len(tagRules) > 0 {
		d := base()
		d["tags"], d["rule_ids"] = ev.Tags, tagRules
		events = append(events, audit.Event{OrgID: orgID, Type: "app_rule.tagged", WorkspaceID: &ws,
			TargetType: "app_rule", TargetID: tagRules[0], Data: d})
	}
	if ev.Decision == Block {
		d := base()
		target, targetType := in.UserID.String(), "user"
		for _, m := range ev.Matched {
			if m.Action == ActionBlock || m.Error != "" {
				d["rule_id"], d["rule_version"] = m.ID.String(), m.Version
				target, targetType = m.ID.String(), "app_rule"
				break
			}
		}
		events = append(events, audit.Event{OrgID: orgID, Type: "app_rule.blocked", WorkspaceID: &ws,
			TargetType: targetType, TargetID: target, Data: d})
	}
	return events
}
