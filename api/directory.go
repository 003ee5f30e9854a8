// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
)

// DirectoryRoutes serves /api/v1/directory: connections, the manual sync trigger and the
// run history (SPEC §3.5).
type DirectoryRoutes struct {
	Directory *directory.Service
}

// Register mounts the routes.
func (h DirectoryRoutes) Register(r *Router) {
	g := r.Org.Group("/directory", requireScope(identity.ScopeAdmin))
	g.POST("/connections", r.Idempotent, h.createConnection)
	g.GET("/connections", h.listConnections(r))
	g.GET("/connections/:id", h.getConnection)
	g.PATCH("/connections/:id", h.updateConnection)
	g.DELETE("/connections/:id", h.deleteConnection)
	g.POST("/sync", h.sync)
	g.GET("/sync-runs", h.listRuns(r))
	g.GET("/sync-runs/:id", h.getRun)
}

// DirectoryConnectionDTO is a connection on the wire; the secret is never returned.
type DirectoryConnectionDTO struct {
	ID        string               `json:"id"`
	Kind      string               `json:"kind"`
	Name      string               `json:"name"`
	BaseURL   string               `json:"base_url"`
	Settings  DirectorySettingsDTO `json:"settings"`
	Enabled   bool                 `json:"enabled"`
	CreatedAt time.Time            `json:"created_at"`
	UpdatedAt time.Time            `json:"updated_at"`
	Schedule  DirectoryScheduleDTO `json:"schedule"`
}

// DirectorySettingsDTO are the non-secret parameters (Entra ID).
type DirectorySettingsDTO struct {
	TenantID string `json:"tenant_id"`
	ClientID string `json:"client_id"`
	TokenURL string `json:"token_url"`
	Scope    string `json:"scope"`
}

// DirectoryScheduleDTO describes the org's sync schedule.
type DirectoryScheduleDTO struct {
	ID              string `json:"id"`
	IntervalSeconds int    `json:"interval_seconds"`
}

func connectionDTO(c directory.Connection) DirectoryConnectionDTO {
	return DirectoryConnectionDTO{ID: c.ID.String(), Kind: string(c.Kind), Name: c.Name, BaseURL: c.BaseURL,
		Settings: DirectorySettingsDTO{TenantID: c.Settings.TenantID, ClientID: c.Settings.ClientID, TokenURL: c.Settings.TokenURL, Scope: c.Settings.Scope},
		Enabled:  c.Enabled, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Schedule: DirectoryScheduleDTO{ID: directory.ScheduleID(c.OrgID), IntervalSeconds: int(directory.SyncInterval.Seconds())}}
}

type connectionRequest struct {
	Kind     *string               `json:"kind"`
	Name     *string               `json:"name"`
	BaseURL  *string               `json:"base_url"`
	Secret   *string               `json:"secret"`
	Settings *DirectorySettingsDTO `json:"settings"`
	Enabled  *bool                 `json:"enabled"`
}

func (r connectionRequest) input() directory.ConnectionInput {
	in := directory.ConnectionInput{Kind: r.Kind, Name: r.Name, BaseURL: r.BaseURL, Secret: r.Secret, Enabled: r.Enabled}
	if r.Settings != nil {
		in.Settings = &directory.Settings{TenantID: r.Settings.TenantID, ClientID: r.Settings.ClientID, TokenURL: r.Settings.TokenURL, Scope: r.Settings.Scope}
	}
	return in
}

func (h DirectoryRoutes) createConnection(c *gin.Context) {
	var req connectionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	conn, err := h.Directory.CreateConnection(c.Request.Context(), orgOf(c).ID, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/directory/connections/"+conn.ID.String())
	writeVersioned(c, http.StatusCreated, conn.Version, connectionDTO(conn))
}

func (h DirectoryRoutes) listConnections(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "directory-connections", struct{}{}, func(after *uuid.UUID, limit int) ([]directory.Connection, error) {
			return h.Directory.ListConnections(c.Request.Context(), org, after, limit)
		}, func(x directory.Connection) uuid.UUID { return x.ID }, connectionDTO)
	}
}

func (h DirectoryRoutes) getConnection(c *gin.Context) {
	id, err := pathID(c, "directory connection")
	if err == nil {
		var conn directory.Connection
		if conn, err = h.Directory.GetConnection(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, conn.Version, connectionDTO(conn))
			return
		}
	}
	fail(c, err)
}

func (h DirectoryRoutes) updateConnection(c *gin.Context) {
	id, err := pathID(c, "directory connection")
	if err != nil {
		fail(c, err)
		return
	}
	var req connectionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	conn, err := h.Directory.UpdateConnection(c.Request.Context(), orgOf(c).ID, id, req.input())
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, conn.Version, connectionDTO(conn))
}

func (h DirectoryRoutes) deleteConnection(c *gin.Context) {
	id, err := pathID(c, "directory connection")
	if err == nil {
		if err = h.Directory.DeleteConnection(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}

// DirectoryRunDTO is a sync run with its counts, drift and errors.
type DirectoryRunDTO struct {
	ID           string            `json:"id"`
	ConnectionID string            `json:"connection_id"`
	WorkflowID   string            `json:"workflow_id"`
	Trigger      string            `json:"trigger"`
	DryRun       bool              `json:"dry_run"`
	Status       string            `json:"status"`
	Phase        string            `json:"phase"`
	Counts       map[string]int64  `json:"counts"`
	Drift        []directory.Drift `json:"drift"`
	Errors       []string          `json:"errors"`
	StartedAt    time.Time         `json:"started_at"`
	FinishedAt   *time.Time        `json:"finished_at"`
}

func runDTO(r directory.Run) DirectoryRunDTO {
	return DirectoryRunDTO{ID: r.ID.String(), ConnectionID: r.ConnectionID.String(), WorkflowID: r.WorkflowID, Trigger: r.Trigger, DryRun: r.DryRun,
		Status: r.Status, Phase: r.Phase, Counts: r.Counts, Drift: r.Drift, Errors: r.Errors, StartedAt: r.StartedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt)}
}

// sync starts a run now: 202 with the run, 409 (with running_run_id) while one is in flight.
func (h DirectoryRoutes) sync(c *gin.Context) {
	dry, err := boolQuery(c, "dry_run")
	if err != nil {
		fail(c, err)
		return
	}
	run, err := h.Directory.TriggerRun(c.Request.Context(), orgOf(c).ID, dry)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/directory/sync-runs/"+run.ID.String())
	c.JSON(http.StatusAccepted, runDTO(run))
}

func (h DirectoryRoutes) listRuns(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "directory-runs", struct{}{}, func(before *uuid.UUID, limit int) ([]directory.Run, error) {
			return h.Directory.ListRuns(c.Request.Context(), org, before, limit)
		}, func(x directory.Run) uuid.UUID { return x.ID }, runDTO)
	}
}

func (h DirectoryRoutes) getRun(c *gin.Context) {
	id, err := pathID(c, "sync run")
	if err == nil {
		var run directory.Run
		if run, err = h.Directory.GetRun(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.JSON(http.StatusOK, runDTO(run))
			return
		}
	}
	fail(c, err)
}
