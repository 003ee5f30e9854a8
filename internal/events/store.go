// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package events

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// The *Row types are the JSON documents the insert queries expand with
// jsonb_populate_recordset: their keys are the table's column names.

type executionRow struct {
	ExecutionID     string       `json:"execution_id"`
	WorkflowID      string       `json:"workflow_id"`
	WorkflowName    *string      `json:"workflow_name"`
	WorkflowVersion *int64       `json:"workflow_version"`
	ProjectID       *string      `json:"project_id"`
	ProjectName     *string      `json:"project_name"`
	WorkspaceID     *uuid.UUID   `json:"workspace_id"`
	WorkspaceName   *string      `json:"workspace_name"`
	UserID          *uuid.UUID   `json:"user_id"`
	UserEmail       *string      `json:"user_email"`
	AgentID         *string      `json:"agent_id"`
	TriggerType     *string      `json:"trigger_type"`
	Status          string       `json:"status"`
	StartedAt       time.Time    `json:"started_at"`
	FinishedAt      *time.Time   `json:"finished_at"`
	DurationMs      *int64       `json:"duration_ms"`
	Credits         *json.Number `json:"credits"`
	CostUSD         *json.Number `json:"cost_usd"`
	ErrorCode       *string      `json:"error_code"`
	ErrorMessage    *string      `json:"error_message"`
}

func normalizeExecution(v *validator, e Execution) executionRow {
	v.id("execution_id", e.ExecutionID)
	v.id("workflow_id", e.WorkflowID)
	v.optText("workflow_name", e.WorkflowName, 500)
	if e.WorkflowVersion != nil && (*e.WorkflowVersion < 0 || *e.WorkflowVersion > 1<<31-1) {
		v.add("workflow_version", "must be a non-negative 32-bit integer")
	}
	v.optID("project_id", e.ProjectID)
	v.optText("project_name", e.ProjectName, 500)
	v.optText("workspace_name", e.WorkspaceName, 500)
	v.email("user_email", e.UserEmail)
	v.optID("agent_id", e.AgentID)
	v.optCode("trigger_type", e.TriggerType)
	v.code("status", e.Status)
	v.optNonNegative("duration_ms", e.DurationMs)
	v.optDecimal("credits", e.Credits)
	v.optDecimal("cost_usd", e.CostUSD)
	v.optText("error_code", e.ErrorCode, 200)
	v.optText("error_message", e.ErrorMessage, 10_000)
	started, _ := v.timestamp("started_at", e.StartedAt)
	finished := v.optTimestamp("finished_at", e.FinishedAt)
	if finished != nil && !started.IsZero() && finished.Before(started) {
		v.add("finished_at", "must not be before started_at")
	}
	return executionRow{
		ExecutionID: e.ExecutionID, WorkflowID: e.WorkflowID, WorkflowName: e.WorkflowName, WorkflowVersion: e.WorkflowVersion,
		ProjectID: e.ProjectID, ProjectName: e.ProjectName, WorkspaceID: v.optUUID("workspace_id", e.WorkspaceID),
		WorkspaceName: e.WorkspaceName, UserID: v.optUUID("user_id", e.UserID), UserEmail: e.UserEmail, AgentID: e.AgentID,
		TriggerType: e.TriggerType, Status: e.Status, StartedAt: started, FinishedAt: finished, DurationMs: e.DurationMs,
		Credits: e.Credits, CostUSD: e.CostUSD, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage,
	}
}

type usageRow struct {
	UsageID      string       `json:"usage_id"`
	OccurredAt   time.Time    `json:"occurred_at"`
	Category     string       `json:"category"`
	UserID       *uuid.UUID   `json:"user_id"`
	UserEmail    *string      `json:"user_email"`
	WorkspaceID  *uuid.UUID   `json:"workspace_id"`
	ProjectID    *string      `json:"project_id"`
	WorkflowID   *string      `json:"workflow_id"`
	ExecutionID  *string      `json:"execution_id"`
	Provider     *string      `json:"provider"`
	Model        *string      `json:"model"`
	InputTokens  *int64       `json:"input_tokens"`
	OutputTokens *int64       `json:"output_tokens"`
	Credits      *json.Number `json:"credits"`
	CostUSD      *json.Number `json:"cost_usd"`
}

func normalizeUsage(v *validator, u Usage) usageRow {
	v.id("usage_id", u.UsageID)
	occurred, _ := v.timestamp("occurred_at", u.OccurredAt)
	ok := false
	for _, c := range UsageCategories {
		ok = ok || c == u.Category
	}
	if !ok {
		v.add("category", "must be one of WORKFLOW_RUN, AGENT_RUN, AI_CALL, TOOL_CALL")
	}
	v.email("user_email", u.UserEmail)
	v.optID("project_id", u.ProjectID)
	v.optID("workflow_id", u.WorkflowID)
	v.optID("execution_id", u.ExecutionID)
	v.optText("provider", u.Provider, 200)
	v.optText("model", u.Model, 200)
	v.optNonNegative("input_tokens", u.InputTokens)
	v.optNonNegative("output_tokens", u.OutputTokens)
	v.optDecimal("credits", u.Credits)
	v.optDecimal("cost_usd", u.CostUSD)
	return usageRow{
		UsageID: u.UsageID, OccurredAt: occurred, Category: u.Category, UserID: v.optUUID("user_id", u.UserID),
		UserEmail: u.UserEmail, WorkspaceID: v.optUUID("workspace_id", u.WorkspaceID), ProjectID: u.ProjectID,
		WorkflowID: u.WorkflowID, ExecutionID: u.ExecutionID, Provider: u.Provider, Model: u.Model,
		InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, Credits: u.Credits, CostUSD: u.CostUSD,
	}
}

type toolCallRow struct {
	ToolCallID   string       `json:"tool_call_id"`
	OccurredAt   time.Time    `json:"occurred_at"`
	ExecutionID  *string      `json:"execution_id"`
	WorkflowID   *string      `json:"workflow_id"`
	AgentID      *string      `json:"agent_id"`
	WorkspaceID  *uuid.UUID   `json:"workspace_id"`
	ProjectID    *string      `json:"project_id"`
	UserID       *uuid.UUID   `json:"user_id"`
	UserEmail    *string      `json:"user_email"`
	Component    string       `json:"component"`
	Action       string       `json:"action"`
	Status       string       `json:"status"`
	DurationMs   *int64       `json:"duration_ms"`
	Credits      *json.Number `json:"credits"`
	CostUSD      *json.Number `json:"cost_usd"`
	ErrorCode    *string      `json:"error_code"`
	ErrorMessage *string      `json:"error_message"`
}

func normalizeToolCall(v *validator, t ToolCall) toolCallRow {
	v.id("tool_call_id", t.ToolCallID)
	occurred, _ := v.timestamp("occurred_at", t.OccurredAt)
	v.optID("execution_id", t.ExecutionID)
	v.optID("workflow_id", t.WorkflowID)
	v.optID("agent_id", t.AgentID)
	v.optID("project_id", t.ProjectID)
	v.email("user_email", t.UserEmail)
	v.id("component", t.Component)
	v.id("action", t.Action)
	v.code("status", t.Status)
	v.optNonNegative("duration_ms", t.DurationMs)
	v.optDecimal("credits", t.Credits)
	v.optDecimal("cost_usd", t.CostUSD)
	v.optText("error_code", t.ErrorCode, 200)
	v.optText("error_message", t.ErrorMessage, 10_000)
	return toolCallRow{
		ToolCallID: t.ToolCallID, OccurredAt: occurred, ExecutionID: t.ExecutionID, WorkflowID: t.WorkflowID, AgentID: t.AgentID,
		WorkspaceID: v.optUUID("workspace_id", t.WorkspaceID), ProjectID: t.ProjectID, UserID: v.optUUID("user_id", t.UserID),
		UserEmail: t.UserEmail, Component: t.Component, Action: t.Action, Status: t.Status, DurationMs: t.DurationMs,
		Credits: t.Credits, CostUSD: t.CostUSD, ErrorCode: t.ErrorCode, ErrorMessage: t.ErrorMessage,
	}
}

func configFromRow(r dbsqlc.WorkflowConfig) ConfigSnapshot {
	return ConfigSnapshot{WorkflowID: r.WorkflowID, Kind: r.Kind, Name: r.Name, Version: r.Version, WorkspaceID: r.WorkspaceID,
		ProjectID: r.ProjectID, CreatedByEmail: r.CreatedByEmail, Model: r.Model, SystemPrompt: r.SystemPrompt,
		Components: r.ComponentsJson, Definition: r.DefinitionJson, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// translate turns Postgres errors into domain errors.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if _, ok := database.UniqueViolation(err); ok {
		return errcode.New(errcode.Conflict, "this %s already exists (a concurrent request stored it)", what)
	}
	if _, ok := database.CheckViolation(err); ok {
		return errcode.New(errcode.Validation, "the %s violates a constraint", what)
	}
	return err
}
