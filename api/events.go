// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/events"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
)

// EventRoutes serves event ingestion (/api/v1/events/*, scope events:write) and workflow
// configuration snapshots (PUT /api/v1/workflow-configs/{workflow_id}).
type EventRoutes struct {
	Events *events.Service
}

// Register mounts the ingestion routes with the batch body limit.
func (h EventRoutes) Register(r *Router) {
	g := r.Org.Group("/events", requireScope(identity.ScopeEventsWrite), r.BatchBody)
	g.POST("/executions", h.executions)
	g.POST("/usage", h.usage)
	g.POST("/tool-calls", h.toolCalls)
	r.Org.PUT("/workflow-configs/:workflow_id", requireScope(identity.ScopeEventsWrite), r.BatchBody, h.putConfig)
}

// IngestResultDTO answers an ingestion batch, after it is committed.
type IngestResultDTO struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

// The item DTOs use the export column names (SPEC §1.1).

type executionDTO struct {
	ExecutionID     string       `json:"execution_id"`
	WorkflowID      string       `json:"workflow_id"`
	WorkflowName    *string      `json:"workflow_name"`
	WorkflowVersion *int64       `json:"workflow_version"`
	ProjectID       *string      `json:"project_id"`
	ProjectName     *string      `json:"project_name"`
	WorkspaceID     *string      `json:"workspace_id"`
	WorkspaceName   *string      `json:"workspace_name"`
	UserID          *string      `json:"user_id"`
	UserEmail       *string      `json:"user_email"`
	AgentID         *string      `json:"agent_id"`
	TriggerType     *string      `json:"trigger_type"`
	Status          string       `json:"status"`
	StartedAt       string       `json:"started_at"`
	FinishedAt      *string      `json:"finished_at"`
	DurationMs      *int64       `json:"duration_ms"`
	Credits         *json.Number `json:"credits"`
	CostUSD         *json.Number `json:"cost_usd"`
	ErrorCode       *string      `json:"error_code"`
	ErrorMessage    *string      `json:"error_message"`
}

type usageDTO struct {
	UsageID      string       `json:"usage_id"`
	OccurredAt   string       `json:"occurred_at"`
	Category     string       `json:"category"`
	UserID       *string      `json:"user_id"`
	UserEmail    *string      `json:"user_email"`
	WorkspaceID  *string      `json:"workspace_id"`
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

type toolCallDTO struct {
	ToolCallID   string       `json:"tool_call_id"`
	OccurredAt   string       `json:"occurred_at"`
	ExecutionID  *string      `json:"execution_id"`
	WorkflowID   *string      `json:"workflow_id"`
	AgentID      *string      `json:"agent_id"`
	WorkspaceID  *string      `json:"workspace_id"`
	ProjectID    *string      `json:"project_id"`
	UserID       *string      `json:"user_id"`
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

type batch[T any] struct {
	Events []T `json:"events"`
}

func (h EventRoutes) executions(c *gin.Context) {
	var b batch[executionDTO]
	if err := bindJSON(c, &b); err != nil {
		fail(c, err)
		return
	}
	in := make([]events.Execution, len(b.Events))
	for i, e := range b.Events {
		in[i] = events.Execution{ExecutionID: e.ExecutionID, WorkflowID: e.WorkflowID, WorkflowName: e.WorkflowName,
			WorkflowVersion: e.WorkflowVersion, ProjectID: e.ProjectID, ProjectName: e.ProjectName, WorkspaceID: e.WorkspaceID,
			WorkspaceName: e.WorkspaceName, UserID: e.UserID, UserEmail: e.UserEmail, AgentID: e.AgentID, TriggerType: e.TriggerType,
			Status: e.Status, StartedAt: e.StartedAt, FinishedAt: e.FinishedAt, DurationMs: e.DurationMs, Credits: e.Credits,
			CostUSD: e.CostUSD, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage}
	}
	res, err := h.Events.IngestExecutions(c.Request.Context(), orgOf(c).ID, in)
	answerIngest(c, res, err)
}

func (h EventRoutes) usage(c *gin.Context) {
	var b batch[usageDTO]
	if err := bindJSON(c, &b); err != nil {
		fail(c, err)
		return
	}
	in := make([]events.Usage, len(b.Events))
	for i, u := range b.Events {
		in[i] = events.Usage{UsageID: u.UsageID, OccurredAt: u.OccurredAt, Category: u.Category, UserID: u.UserID,
			UserEmail: u.UserEmail, WorkspaceID: u.WorkspaceID, ProjectID: u.ProjectID, WorkflowID: u.WorkflowID,
			ExecutionID: u.ExecutionID, Provider: u.Provider, Model: u.Model, InputTokens: u.InputTokens,
			OutputTokens: u.OutputTokens, Credits: u.Credits, CostUSD: u.CostUSD}
	}
	res, err := h.Events.IngestUsage(c.Request.Context(), orgOf(c).ID, in)
	answerIngest(c, res, err)
}

func (h EventRoutes) toolCalls(c *gin.Context) {
	var b batch[toolCallDTO]
	if err := bindJSON(c, &b); err != nil {
		fail(c, err)
		return
	}
	in := make([]events.ToolCall, len(b.Events))
	for i, t := range b.Events {
		in[i] = events.ToolCall{ToolCallID: t.ToolCallID, OccurredAt: t.OccurredAt, ExecutionID: t.ExecutionID,
			WorkflowID: t.WorkflowID, AgentID: t.AgentID, WorkspaceID: t.WorkspaceID, ProjectID: t.ProjectID, UserID: t.UserID,
			UserEmail: t.UserEmail, Component: t.Component, Action: t.Action, Status: t.Status, DurationMs: t.DurationMs,
			Credits: t.Credits, CostUSD: t.CostUSD, ErrorCode: t.ErrorCode, ErrorMessage: t.ErrorMessage}
	}
	res, err := h.Events.IngestToolCalls(c.Request.Context(), orgOf(c).ID, in)
	answerIngest(c, res, err)
}

func answerIngest(c *gin.Context, res events.Result, err error) {
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, IngestResultDTO{Accepted: res.Accepted, Duplicates: res.Duplicates})
}

type workflowConfigRequest struct {
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	Version        *int64          `json:"version"`
	WorkspaceID    *string         `json:"workspace_id"`
	ProjectID      *string         `json:"project_id"`
	CreatedByEmail *string         `json:"created_by_email"`
	Model          *string         `json:"model"`
	SystemPrompt   *string         `json:"system_prompt"`
	ComponentsJSON json.RawMessage `json:"components_json"`
	DefinitionJSON json.RawMessage `json:"definition_json"`
}

// WorkflowConfigDTO is a stored configuration version.
type WorkflowConfigDTO struct {
	WorkflowID     string          `json:"workflow_id"`
	Kind           string          `json:"kind"`
	Name           string          `json:"name"`
	Version        int32           `json:"version"`
	WorkspaceID    *string         `json:"workspace_id"`
	ProjectID      *string         `json:"project_id"`
	CreatedByEmail *string         `json:"created_by_email"`
	Model          *string         `json:"model"`
	SystemPrompt   *string         `json:"system_prompt"`
	ComponentsJSON json.RawMessage `json:"components_json"`
	DefinitionJSON json.RawMessage `json:"definition_json"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

func (h EventRoutes) putConfig(c *gin.Context) {
	var req workflowConfigRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	snap, created, err := h.Events.PutConfig(c.Request.Context(), orgOf(c).ID, events.WorkflowConfig{
		WorkflowID: c.Param("workflow_id"), Kind: req.Kind, Name: req.Name, Version: req.Version, WorkspaceID: req.WorkspaceID,
		ProjectID: req.ProjectID, CreatedByEmail: req.CreatedByEmail, Model: req.Model, SystemPrompt: req.SystemPrompt,
		Components: req.ComponentsJSON, Definition: req.DefinitionJSON,
	})
	if err != nil {
		fail(c, err)
		return
	}
	dto := WorkflowConfigDTO{WorkflowID: snap.WorkflowID, Kind: snap.Kind, Name: snap.Name, Version: snap.Version,
		ProjectID: snap.ProjectID, CreatedByEmail: snap.CreatedByEmail, Model: snap.Model, SystemPrompt: snap.SystemPrompt,
		ComponentsJSON: snap.Components, DefinitionJSON: snap.Definition, CreatedAt: snap.CreatedAt.UTC(), UpdatedAt: snap.UpdatedAt.UTC()}
	if snap.WorkspaceID != nil {
		s := snap.WorkspaceID.String()
		dto.WorkspaceID = &s
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, dto)
}
