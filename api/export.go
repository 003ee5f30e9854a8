// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// ExportRoutes serves /api/v1/export (scope export, or admin).
type ExportRoutes struct {
	Exports *export.Service
}

// Register mounts the export routes.
func (h ExportRoutes) Register(r *Router) {
	g := r.Org.Group("/export", requireScope(identity.ScopeExport))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/:id", h.get)
	g.DELETE("/:id", h.delete)
}

// ExportProgressDTO is how far a running export is.
type ExportProgressDTO struct {
	RowsWritten   int64  `json:"rows_written"`
	RowsEstimated *int64 `json:"rows_estimated"`
}

// ExportDTO is an export as the API shows it.
type ExportDTO struct {
	ExportID      string            `json:"export_id"`
	Type          string            `json:"type"`
	Status        string            `json:"status"`
	From          time.Time         `json:"from"`
	To            time.Time         `json:"to"`
	WorkspaceIDs  []string          `json:"workspace_ids"`
	Progress      ExportProgressDTO `json:"progress"`
	RowCount      *int64            `json:"row_count"`
	SizeBytes     *int64            `json:"size_bytes"`
	SHA256        *string           `json:"sha256"`
	DownloadURL   *string           `json:"download_url"`
	ExpiresAt     *time.Time        `json:"expires_at"`
	Error         *string           `json:"error"`
	CreatedAt     time.Time         `json:"created_at"`
	StartedAt     *time.Time        `json:"started_at"`
	FinishedAt    *time.Time        `json:"finished_at"`
	FileDeletedAt *time.Time        `json:"file_deleted_at"`
}

func exportDTO(e export.Export) ExportDTO {
	ws := make([]string, len(e.WorkspaceIDs))
	for i, id := range e.WorkspaceIDs {
		ws[i] = id.String()
	}
	return ExportDTO{ExportID: e.ID.String(), Type: string(e.Type), Status: string(e.Status), From: e.From.UTC(), To: e.To.UTC(),
		WorkspaceIDs: ws, Progress: ExportProgressDTO{RowsWritten: e.RowsWritten, RowsEstimated: e.RowsEstimated},
		RowCount: e.RowCount, SizeBytes: e.SizeBytes, SHA256: e.SHA256, Error: e.Error, CreatedAt: e.CreatedAt.UTC(),
		StartedAt: utcPtr(e.StartedAt), FinishedAt: utcPtr(e.FinishedAt), FileDeletedAt: utcPtr(e.FileDeletedAt)}
}

type createExportRequest struct {
	Type         string   `json:"type"`
	From         string   `json:"from"`
	To           string   `json:"to"`
	WorkspaceIDs []string `json:"workspace_ids"`
}

func (h ExportRoutes) create(c *gin.Context) {
	var req createExportRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p, _ := principalOf(c)
	e, err := h.Exports.Request(c.Request.Context(), orgOf(c).ID, export.RequestInput{
		Type: req.Type, From: req.From, To: req.To, WorkspaceIDs: req.WorkspaceIDs, RequestedBy: p.Label,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/export/"+e.ID.String())
	c.JSON(http.StatusAccepted, exportDTO(e))
}

func (h ExportRoutes) get(c *gin.Context) {
	id, err := pathID(c, "export")
	if err != nil {
		fail(c, err)
		return
	}
	ttl := export.DefaultURLTTL
	if s, ok := c.GetQuery("expires_in"); ok {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || time.Duration(n)*time.Second > blob.MaxPresignTTL {
			fail(c, errcode.Invalid("expires_in", "must be a number of seconds from 1 to %d (7 days)", int(blob.MaxPresignTTL/time.Second)))
			return
		}
		ttl = time.Duration(n) * time.Second
	}
	e, err := h.Exports.Get(c.Request.Context(), orgOf(c).ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	dto := exportDTO(e)
	if e.Status == export.Completed && e.FileDeletedAt == nil {
		d, err := h.Exports.DownloadURL(c.Request.Context(), e, ttl)
		if err != nil {
			fail(c, err)
			return
		}
		dto.DownloadURL, dto.ExpiresAt = &d.URL, &d.ExpiresAt
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, dto)
}

func (h ExportRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		orgPage(c, r, "exports", struct{}{}, func(after *uuid.UUID, limit int) ([]export.Export, error) {
			return h.Exports.List(c.Request.Context(), org, after, limit)
		}, func(e export.Export) uuid.UUID { return e.ID }, exportDTO)
	}
}

func (h ExportRoutes) delete(c *gin.Context) {
	id, err := pathID(c, "export")
	if err != nil {
		fail(c, err)
		return
	}
	e, running, err := h.Exports.Delete(c.Request.Context(), orgOf(c).ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	if running {
		// Cancellation is asynchronous: the workflow ends the export as CANCELLED.
		c.JSON(http.StatusAccepted, exportDTO(e))
		return
	}
	if e.Status == export.Cancelled {
		c.JSON(http.StatusOK, exportDTO(e))
		return
	}
	c.Status(http.StatusNoContent)
}
