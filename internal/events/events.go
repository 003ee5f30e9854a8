// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package events owns the ingestion of what ByteChef's services report about their work —
// workflow and agent executions, usage, tool calls — and the versioned configuration snapshots
// of workflows and agents. Exports and analytics read these tables. Ingestion is idempotent by
// the client's ids: a batch sent twice stores each row once.
package events

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// MaxBatch is the most events one ingestion request may carry.
const MaxBatch = 1000

// Kind names an event stream; it is the label of bytechef_events_ingested_total.
type Kind string

// The ingested event kinds.
const (
	KindExecutions Kind = "EXECUTIONS"
	KindUsage      Kind = "USAGE"
	KindToolCalls  Kind = "TOOL_CALLS"
)

// Result is what an ingestion batch did: rows stored and rows that were already there.
type Result struct {
	Accepted   int
	Duplicates int
}

// Execution is one workflow or agent run as reported by a ByteChef worker. Fields are named
// after the EXECUTIONS export columns; times are RFC 3339, ids are the client's, and decimals
// keep the exact text the client sent.
type Execution struct {
	ExecutionID     string
	WorkflowID      string
	WorkflowName    *string
	WorkflowVersion *int64
	ProjectID       *string
	ProjectName     *string
	WorkspaceID     *string
	WorkspaceName   *string
	UserID          *string
	UserEmail       *string
	AgentID         *string
	TriggerType     *string
	Status          string
	StartedAt       string
	FinishedAt      *string
	DurationMs      *int64
	Credits         *json.Number
	CostUSD         *json.Number
	ErrorCode       *string
	ErrorMessage    *string
}

// Usage is one metered unit of consumption (USAGE export columns).
type Usage struct {
	UsageID      string
	OccurredAt   string
	Category     string
	UserID       *string
	UserEmail    *string
	WorkspaceID  *string
	ProjectID    *string
	WorkflowID   *string
	ExecutionID  *string
	Provider     *string
	Model        *string
	InputTokens  *int64
	OutputTokens *int64
	Credits      *json.Number
	CostUSD      *json.Number
}

// ToolCall is one tool or connector call made by a workflow or agent.
type ToolCall struct {
	ToolCallID   string
	OccurredAt   string
	ExecutionID  *string
	WorkflowID   *string
	AgentID      *string
	WorkspaceID  *string
	ProjectID    *string
	UserID       *string
	UserEmail    *string
	Component    string
	Action       string
	Status       string
	DurationMs   *int64
	Credits      *json.Number
	CostUSD      *json.Number
	ErrorCode    *string
	ErrorMessage *string
}

// UsageCategories are the USAGE categories.
var UsageCategories = []string{"WORKFLOW_RUN", "AGENT_RUN", "AI_CALL", "TOOL_CALL"}

// WorkflowConfig is one snapshot of a workflow's or agent's configuration.
type WorkflowConfig struct {
	WorkflowID     string
	Kind           string // WORKFLOW or AGENT
	Name           string
	Version        *int64 // optional: the client's version number; else the next one
	WorkspaceID    *string
	ProjectID      *string
	CreatedByEmail *string
	Model          *string
	SystemPrompt   *string
	Components     json.RawMessage
	Definition     json.RawMessage
}

// ConfigSnapshot is a stored configuration version.
type ConfigSnapshot struct {
	WorkflowID     string
	Kind           string
	Name           string
	Version        int32
	WorkspaceID    *uuid.UUID
	ProjectID      *string
	CreatedByEmail *string
	Model          *string
	SystemPrompt   *string
	Components     json.RawMessage
	Definition     json.RawMessage
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// validator collects field problems with their paths (events[3].started_at).
type validator struct {
	f      errcode.Fields
	prefix string
}

func (v *validator) add(field, format string, args ...any) {
	v.f.Add(v.prefix+field, format, args...)
}

var (
	codeRe    = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
	decimalRe = regexp.MustCompile(`^-?[0-9]{1,24}(\.[0-9]{1,18})?$`)
)

// text checks a free-text value: valid UTF-8 without NUL (Postgres cannot store it), bounded.
func (v *validator) text(field string, s string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(s) == "":
		v.add(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		v.add(field, "must be valid UTF-8 without NUL characters")
	case utf8.RuneCountInString(s) > max:
		v.add(field, "must be at most %d characters", max)
	}
}

func (v *validator) optText(field string, s *string, max int) {
	if s != nil {
		v.text(field, *s, max, false)
	}
}

// id checks a client identifier: 1-200 characters, no control characters.
func (v *validator) id(field, s string) {
	v.text(field, s, 200, true)
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		v.add(field, "must not contain control characters")
	}
}

func (v *validator) optID(field string, s *string) {
	if s != nil {
		v.id(field, *s)
	}
}

func (v *validator) code(field, s string) {
	if !codeRe.MatchString(s) {
		v.add(field, "must be an upper-case code like COMPLETED (A-Z, 0-9, _; at most 64)")
	}
}

func (v *validator) optCode(field string, s *string) {
	if s != nil {
		v.code(field, *s)
	}
}

// timestamp parses an RFC 3339 time and returns it in UTC RFC 3339 form.
func (v *validator) timestamp(field, s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.add(field, "must be an RFC 3339 timestamp")
		return time.Time{}, false
	}
	if t.Year() < 1970 || t.Year() > 9999 {
		v.add(field, "must be between 1970 and 9999")
		return time.Time{}, false
	}
	return t.UTC(), true
}

func (v *validator) optTimestamp(field string, s *string) *time.Time {
	if s == nil {
		return nil
	}
	t, ok := v.timestamp(field, *s)
	if !ok {
		return nil
	}
	return &t
}

func (v *validator) optUUID(field string, s *string) *uuid.UUID {
	if s == nil {
		return nil
	}
	u, err := uuid.Parse(*s)
	if err != nil || len(*s) != 36 {
		v.add(field, "must be a UUID")
		return nil
	}
	return &u
}

func (v *validator) optDecimal(field string, n *json.Number) {
	if n != nil && !decimalRe.MatchString(n.String()) {
		v.add(field, "must be a plain decimal number (no exponent, at most 24 integer and 18 fraction digits)")
	}
}

func (v *validator) optNonNegative(field string, n *int64) {
	if n != nil && *n < 0 {
		v.add(field, "must not be negative")
	}
}

func (v *validator) email(field string, s *string) {
	if s == nil {
		return
	}
	v.text(field, *s, 320, false)
	if *s != "" && !strings.Contains(*s, "@") {
		v.add(field, "must be an email address")
	}
}

func batchSize(n int) error {
	switch {
	case n == 0:
		return errcode.Invalid("events", "must contain at least one event")
	case n > MaxBatch:
		return errcode.Invalid("events", "must contain at most %d events", MaxBatch)
	}
	return nil
}

func itemPrefix(i int) string { return fmt.Sprintf("events[%d].", i) }
