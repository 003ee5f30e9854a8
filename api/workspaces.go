// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// WorkspaceDTO is a workspace on the wire.
type WorkspaceDTO struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ExternalKey *string   `json:"external_key"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func workspaceDTO(w orgadmin.Workspace) WorkspaceDTO {
	return WorkspaceDTO{ID: w.ID.String(), Name: w.Name, ExternalKey: w.ExternalKey, CreatedAt: w.CreatedAt.UTC(), UpdatedAt: w.UpdatedAt.UTC()}
}

// WorkspaceRoutes serves /api/v1/workspaces (admin scope).
type WorkspaceRoutes struct {
	Admin *orgadmin.Service
}

// Register mounts the workspace routes.
func (h WorkspaceRoutes) Register(r *Router) {
	g := r.Org.Group("/workspaces", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/by-key/:key", h.getByKey)
	g.PUT("/by-key/:key", h.upsert)
	g.DELETE("/by-key/:key", h.deleteByKey)
	g.GET("/:id", h.get)
	g.PATCH("/:id", h.update)
	g.DELETE("/:id", h.delete)
	g.GET("/:id/members", h.listMembers(r))
	g.PUT("/:id/members/:member_id", h.addMember)
	g.DELETE("/:id/members/:member_id", h.removeMember)
}

type workspaceRequest struct {
	Name        *string `json:"name"`
	ExternalKey *string `json:"external_key"`
}

func (w workspaceRequest) patch() orgadmin.WorkspacePatch {
	return orgadmin.WorkspacePatch{Name: w.Name, ExternalKey: w.ExternalKey}
}

func (h WorkspaceRoutes) create(c *gin.Context) {
	var req workspaceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	w, err := h.Admin.CreateWorkspace(c.Request.Context(), orgOf(c).ID, req.patch())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/workspaces/"+w.ID.String())
	writeVersioned(c, http.StatusCreated, w.Version, workspaceDTO(w))
}

func (h WorkspaceRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		listPage(c, r, "workspaces", nil, func(p orgadmin.Page) ([]orgadmin.Workspace, error) {
			return h.Admin.ListWorkspaces(c.Request.Context(), org, p)
		}, func(w orgadmin.Workspace) uuid.UUID { return w.ID }, workspaceDTO)
	}
}

func (h WorkspaceRoutes) get(c *gin.Context) {
	id, err := pathID(c, "workspace")
	if err == nil {
		var w orgadmin.Workspace
		if w, err = h.Admin.GetWorkspace(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, w.Version, workspaceDTO(w))
			return
		}
	}
	fail(c, err)
}

func (h WorkspaceRoutes) getByKey(c *gin.Context) {
	w, err := h.Admin.GetWorkspaceByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, w.Version, workspaceDTO(w))
}

func (h WorkspaceRoutes) update(c *gin.Context) {
	id, err := pathID(c, "workspace")
	if err != nil {
		fail(c, err)
		return
	}
	var req workspaceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	w, err := h.Admin.UpdateWorkspace(c.Request.Context(), orgOf(c).ID, id, req.patch(), ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, w.Version, workspaceDTO(w))
}

func (h WorkspaceRoutes) upsert(c *gin.Context) {
	var req workspaceRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	w, created, err := h.Admin.UpsertWorkspace(c.Request.Context(), orgOf(c).ID, externalKeyParam(c), req.patch(), ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeUpserted(c, created, "/api/v1/workspaces/by-key/"+url.PathEscape(externalKeyParam(c)), w.Version, workspaceDTO(w))
}

func (h WorkspaceRoutes) delete(c *gin.Context) {
	id, err := pathID(c, "workspace")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteWorkspace(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h WorkspaceRoutes) deleteByKey(c *gin.Context) {
	w, err := h.Admin.GetWorkspaceByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteWorkspace(c.Request.Context(), orgOf(c).ID, w.ID, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h WorkspaceRoutes) listMembers(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := pathID(c, "workspace")
		if err != nil {
			fail(c, err)
			return
		}
		org := orgOf(c).ID
		listPage(c, r, "workspace-members:"+id.String(), nil, func(p orgadmin.Page) ([]orgadmin.Member, error) {
			return h.Admin.ListWorkspaceMembers(c.Request.Context(), org, id, p)
		}, func(m orgadmin.Member) uuid.UUID { return m.ID }, memberDTO)
	}
}

func (h WorkspaceRoutes) membership(c *gin.Context) (ws, member uuid.UUID, err error) {
	if ws, err = pathID(c, "workspace"); err != nil {
		return
	}
	member, perr := uuid.Parse(c.Param("member_id"))
	if perr != nil {
		err = errcode.New(errcode.NotFound, "member not found")
	}
	return
}

func (h WorkspaceRoutes) addMember(c *gin.Context) {
	ws, member, err := h.membership(c)
	if err == nil {
		var added bool
		if added, err = h.Admin.AddWorkspaceMember(c.Request.Context(), orgOf(c).ID, ws, member); err == nil {
			status := http.StatusOK
			if added {
				status = http.StatusCreated
			}
			c.JSON(status, WorkspaceMembershipDTO{WorkspaceID: ws.String(), MemberID: member.String()})
			return
		}
	}
	fail(c, err)
}

// WorkspaceMembershipDTO is one member's membership of one workspace.
type WorkspaceMembershipDTO struct {
	WorkspaceID string `json:"workspace_id"`
	MemberID    string `json:"member_id"`
}

func (h WorkspaceRoutes) removeMember(c *gin.Context) {
	ws, member, err := h.membership(c)
	if err == nil {
		if err = h.Admin.RemoveWorkspaceMember(c.Request.Context(), orgOf(c).ID, ws, member); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}
