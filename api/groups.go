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
)

// FeatureRestrictionsDTO is the first axis of a permission group; every flag is present.
type FeatureRestrictionsDTO struct {
	RestrictProjectCreation      bool `json:"restrict_project_creation"`
	RestrictWorkflowCreation     bool `json:"restrict_workflow_creation"`
	RestrictConnectionManagement bool `json:"restrict_connection_management"`
	RestrictMCPToolCreation      bool `json:"restrict_mcp_tool_creation"`
	RestrictPublicSharing        bool `json:"restrict_public_sharing"`
	RestrictDataTableAccess      bool `json:"restrict_data_table_access"`
	RestrictKnowledgeBaseAccess  bool `json:"restrict_knowledge_base_access"`
}

// RateLimitsDTO is the second axis; null means no limit.
type RateLimitsDTO struct {
	MaxConcurrentExecutions *int32 `json:"max_concurrent_executions"`
	MaxExecutionsPerHour    *int32 `json:"max_executions_per_hour"`
}

func featuresDTO(f orgadmin.FeatureRestrictions) FeatureRestrictionsDTO {
	return FeatureRestrictionsDTO(f)
}

func rateLimitsDTO(r orgadmin.RateLimits) RateLimitsDTO { return RateLimitsDTO(r) }

// GroupDTO is a permission group on the wire.
type GroupDTO struct {
	ID                  string                 `json:"id"`
	Name                string                 `json:"name"`
	Description         string                 `json:"description"`
	IsDefault           bool                   `json:"is_default"`
	Priority            int32                  `json:"priority"`
	FeatureRestrictions FeatureRestrictionsDTO `json:"feature_restrictions"`
	RateLimits          RateLimitsDTO          `json:"rate_limits"`
	OAuthScopeAllowlist map[string][]string    `json:"oauth_scope_allowlist"`
	ComponentDenylist   []string               `json:"component_denylist"`
	ExternalKey         *string                `json:"external_key"`
	CreatedAt           time.Time              `json:"created_at"`
	UpdatedAt           time.Time              `json:"updated_at"`
}

func groupDTO(g orgadmin.Group) GroupDTO {
	return GroupDTO{ID: g.ID.String(), Name: g.Name, Description: g.Description, IsDefault: g.IsDefault, Priority: g.Priority,
		FeatureRestrictions: featuresDTO(g.FeatureRestrictions), RateLimits: rateLimitsDTO(g.RateLimits),
		OAuthScopeAllowlist: g.OAuthScopeAllowlist, ComponentDenylist: g.ComponentDenylist, ExternalKey: g.ExternalKey,
		CreatedAt: g.CreatedAt.UTC(), UpdatedAt: g.UpdatedAt.UTC()}
}

// GroupRoutes serves /api/v1/groups (admin scope).
type GroupRoutes struct {
	Admin *orgadmin.Service
}

// Register mounts the permission group routes.
func (h GroupRoutes) Register(r *Router) {
	g := r.Org.Group("/groups", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/by-key/:key", h.getByKey)
	g.PUT("/by-key/:key", h.upsert)
	g.DELETE("/by-key/:key", h.deleteByKey)
	g.GET("/:id", h.get)
	g.PATCH("/:id", h.update)
	g.DELETE("/:id", h.delete)
}

// groupRequest is strict: unknown fields anywhere (also inside the axes) are refused.
type groupRequest struct {
	Name                *string                 `json:"name"`
	Description         *string                 `json:"description"`
	Priority            *int32                  `json:"priority"`
	FeatureRestrictions *FeatureRestrictionsDTO `json:"feature_restrictions"`
	RateLimits          *RateLimitsDTO          `json:"rate_limits"`
	OAuthScopeAllowlist map[string][]string     `json:"oauth_scope_allowlist"`
	ComponentDenylist   []string                `json:"component_denylist"`
	ExternalKey         *string                 `json:"external_key"`
}

func (g groupRequest) patch() orgadmin.GroupPatch {
	p := orgadmin.GroupPatch{Name: g.Name, Description: g.Description, Priority: g.Priority,
		OAuthScopeAllowlist: g.OAuthScopeAllowlist, ComponentDenylist: g.ComponentDenylist, ExternalKey: g.ExternalKey}
	if g.FeatureRestrictions != nil {
		f := orgadmin.FeatureRestrictions(*g.FeatureRestrictions)
		p.FeatureRestrictions = &f
	}
	if g.RateLimits != nil {
		r := orgadmin.RateLimits(*g.RateLimits)
		p.RateLimits = &r
	}
	return p
}

func bindGroup(c *gin.Context) (orgadmin.GroupPatch, *int32, error) {
	var req groupRequest
	if err := bindJSON(c, &req); err != nil {
		return orgadmin.GroupPatch{}, nil, err
	}
	ver, err := ifMatch(c)
	return req.patch(), ver, err
}

func (h GroupRoutes) create(c *gin.Context) {
	p, _, err := bindGroup(c)
	if err != nil {
		fail(c, err)
		return
	}
	g, err := h.Admin.CreateGroup(c.Request.Context(), orgOf(c).ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/groups/"+g.ID.String())
	writeVersioned(c, http.StatusCreated, g.Version, groupDTO(g))
}

func (h GroupRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		listPage(c, r, "groups", nil, func(p orgadmin.Page) ([]orgadmin.Group, error) {
			return h.Admin.ListGroups(c.Request.Context(), org, p)
		}, func(g orgadmin.Group) uuid.UUID { return g.ID }, groupDTO)
	}
}

func (h GroupRoutes) get(c *gin.Context) {
	id, err := pathID(c, "permission group")
	if err == nil {
		var g orgadmin.Group
		if g, err = h.Admin.GetGroup(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, g.Version, groupDTO(g))
			return
		}
	}
	fail(c, err)
}

func (h GroupRoutes) getByKey(c *gin.Context) {
	g, err := h.Admin.GetGroupByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, g.Version, groupDTO(g))
}

func (h GroupRoutes) update(c *gin.Context) {
	id, err := pathID(c, "permission group")
	if err != nil {
		fail(c, err)
		return
	}
	p, ver, err := bindGroup(c)
	if err != nil {
		fail(c, err)
		return
	}
	g, err := h.Admin.UpdateGroup(c.Request.Context(), orgOf(c).ID, id, p, ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, g.Version, groupDTO(g))
}

func (h GroupRoutes) upsert(c *gin.Context) {
	p, ver, err := bindGroup(c)
	if err != nil {
		fail(c, err)
		return
	}
	g, created, err := h.Admin.UpsertGroup(c.Request.Context(), orgOf(c).ID, externalKeyParam(c), p, ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeUpserted(c, created, "/api/v1/groups/by-key/"+url.PathEscape(externalKeyParam(c)), g.Version, groupDTO(g))
}

func (h GroupRoutes) delete(c *gin.Context) {
	id, err := pathID(c, "permission group")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteGroup(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h GroupRoutes) deleteByKey(c *gin.Context) {
	g, err := h.Admin.GetGroupByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteGroup(c.Request.Context(), orgOf(c).ID, g.ID, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}
