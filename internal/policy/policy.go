// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package policy owns app policies (SPEC §5): CEL app rules evaluated before and after every
// tool call with fail-closed semantics, their versions and fixtures, the recorded tool calls
// that simulation replays, app claims, OAuth domain restrictions and the OAuth connection
// check. The evaluation path is in-memory (compiled programs cached per rule version, rule
// sets cached per org and invalidated on every replica through Postgres LISTEN/NOTIFY).
package policy

import (
	"time"

	"github.com/google/uuid"
)

// Phase says when a rule runs relative to the tool call.
type Phase string

// The phases.
const (
	PreExecution  Phase = "PRE_EXECUTION"
	PostExecution Phase = "POST_EXECUTION"
)

// Action is what a matching rule does.
type Action string

// The actions.
const (
	ActionBlock Action = "BLOCK"
	ActionTag   Action = "TAG"
)

// TargetType says whom a rule applies to.
type TargetType string

// The target types, from least to most specific.
const (
	TargetOrganization    TargetType = "ORGANIZATION"
	TargetPermissionGroup TargetType = "PERMISSION_GROUP"
	TargetUser            TargetType = "USER"
	TargetAgent           TargetType = "AGENT"
)

// Mode says whether a rule's outcome counts.
type Mode string

// The modes. SHADOW rules are evaluated and recorded but never block or tag.
const (
	ModeEnforce Mode = "ENFORCE"
	ModeShadow  Mode = "SHADOW"
)

// Decision is the answer to an evaluation.
type Decision string

// The decisions. Expect values of rule tests add TAG (the rule matched and tags).
const (
	Allow Decision = "ALLOW"
	Block Decision = "BLOCK"
	Tag   Decision = "TAG"
)

// Reasons explain a decision.
const (
	ReasonNoMatch         = "NO_BLOCKING_RULE"
	ReasonRuleMatched     = "RULE_MATCHED"
	ReasonEvaluationError = "EVALUATION_ERROR"
	ReasonUnknownUser     = "UNKNOWN_USER"
	ReasonInactiveUser    = "USER_INACTIVE"
	ReasonUnknownWS       = "UNKNOWN_WORKSPACE"
)

// DefaultBlockMessage is the generic user-facing text of a BLOCK; admins see the rule in the
// audit log, users never see rule names or conditions.
const DefaultBlockMessage = "This action was blocked by your organization's policy. Contact your administrator if you need access."

// Target is whom a rule applies to. ID is empty for ORGANIZATION.
type Target struct {
	Type TargetType
	ID   string
}

// Scope limits a rule to one component (server) and some of its actions; empty is all.
type Scope struct {
	ServerID string
	Tools    []string
}

// RuleTest is a fixture saved with a rule and run on every save.
type RuleTest struct {
	Name   string    `json:"name"`
	Input  TestInput `json:"input"`
	Expect Decision  `json:"expect"`
}

// TestInput is one call as a rule test describes it: the caller context is given directly.
type TestInput struct {
	ServerID  string         `json:"server_id,omitempty"`
	ToolName  string         `json:"tool_name,omitempty"`
	Args      map[string]any `json:"args,omitempty"`
	Output    any            `json:"output,omitempty"`
	User      *UserCtx       `json:"user,omitempty"`
	Workspace *WorkspaceCtx  `json:"workspace,omitempty"`
	Agent     *AgentCtx      `json:"agent,omitempty"`
	Now       *time.Time     `json:"now,omitempty"`
}

// Rule is an app rule (SPEC §5.1).
type Rule struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	Name        string
	Description string
	Phase       Phase
	Action      Action
	Target      Target
	Scope       Scope
	Condition   string
	Priority    int32
	Tags        []string
	Enabled     bool
	Mode        Mode
	Tests       []RuleTest
	ExternalKey *string
	Version     int32
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// RuleVersion is one entry of a rule's history.
type RuleVersion struct {
	RuleID    uuid.UUID
	Version   int32
	Change    string
	Actor     string
	Rule      Rule
	CreatedAt time.Time
}

// UserCtx is the `user` variable of the CEL environment.
type UserCtx struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Role      string `json:"role"`
	GroupID   string `json:"group_id"`
	GroupName string `json:"group_name"`
}

// WorkspaceCtx is the `workspace` variable.
type WorkspaceCtx struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// AgentCtx is the `agent` variable (null when the call is not an agent's).
type AgentCtx struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Call is one tool call to decide on, with the caller context already resolved.
type Call struct {
	Phase     Phase
	ServerID  string
	ToolName  string
	Args      map[string]any // normalized: see NormalizeJSON
	Output    any
	HasOutput bool
	User      UserCtx
	Workspace WorkspaceCtx
	Agent     *AgentCtx
	Now       time.Time
	vals      *callerVals // User and Workspace as CEL values, when prepared
}

// MatchedRule is a rule that matched (or failed) during an evaluation.
type MatchedRule struct {
	ID      uuid.UUID `json:"id"`
	Version int32     `json:"version"`
	Action  Action    `json:"action"`
	Mode    Mode      `json:"mode"`
	// Error is the evaluation error text, when the rule failed to evaluate.
	Error string `json:"error,omitempty"`
}

// Result is the outcome of evaluating a rule set over a call.
type Result struct {
	Decision Decision
	Reason   string
	Tags     []string
	// Matched are the ENFORCE rules that decided: TAG rules that matched and the BLOCK rule (or
	// the rule that failed to evaluate), in evaluation order.
	Matched []MatchedRule
	// Shadow are the SHADOW rules that matched or failed; they never change the decision.
	Shadow []MatchedRule
	// Errors are the ENFORCE rules that failed to evaluate (at most one: it decides).
	Errors []MatchedRule
}
