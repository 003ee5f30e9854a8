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

// MemberDTO is a member on the wire.
type MemberDTO struct {
	ID                string     `json:"id"`
	UserID            string     `json:"user_id"`
	Email             string     `json:"email"`
	Name              string     `json:"name"`
	Role              string     `json:"role"`
	Status            string     `json:"status"`
	Source            string     `json:"source"`
	PermissionGroupID string     `json:"permission_group_id"`
	WorkspaceIDs      []string   `json:"workspace_ids"`
	ExternalKey       *string    `json:"external_key"`
	StatusChangedAt   *time.Time `json:"status_changed_at"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
}

func memberDTO(m orgadmin.Member) MemberDTO {
	return MemberDTO{ID: m.ID.String(), UserID: m.UserID.String(), Email: m.Email, Name: m.Name, Role: string(m.Role),
		Status: string(m.Status), Source: string(m.Source), PermissionGroupID: m.PermissionGroupID.String(),
		WorkspaceIDs: idStrings(m.WorkspaceIDs), ExternalKey: m.ExternalKey, StatusChangedAt: utcPtr(m.StatusChangedAt),
		CreatedAt: m.CreatedAt.UTC(), UpdatedAt: m.UpdatedAt.UTC()}
}

// EffectivePermissionsDTO is what enforcement points read about a user.
type EffectivePermissionsDTO struct {
	MemberID            string                 `json:"member_id"`
	UserID              string                 `json:"user_id"`
	Email               string                 `json:"email"`
	Role                string                 `json:"role"`
	Status              string                 `json:"status"`
	Active              bool                   `json:"active"`
	PermissionGroup     GroupRefDTO            `json:"permission_group"`
	FeatureRestrictions FeatureRestrictionsDTO `json:"feature_restrictions"`
	RateLimits          RateLimitsDTO          `json:"rate_limits"`
	OAuthScopeAllowlist map[string][]string    `json:"oauth_scope_allowlist"`
	ComponentDenylist   []string               `json:"component_denylist"`
}

// GroupRefDTO names a permission group.
type GroupRefDTO struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Priority  int32  `json:"priority"`
	IsDefault bool   `json:"is_default"`
}

// MemberRoutes serves /api/v1/members (admin scope; effective permissions also for the
// services that enforce them).
type MemberRoutes struct {
	Admin *orgadmin.Service
}

// Register mounts the member routes.
func (h MemberRoutes) Register(r *Router) {
	r.Org.GET("/members/:id/effective-permissions",
		requireAnyScope(identity.ScopeAdmin, identity.ScopePolicyEvaluate, identity.ScopeSSOExchange), h.effective)
	g := r.Org.Group("/members", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/by-key/:key", h.getByKey)
	g.PUT("/by-key/:key", h.upsert)
	g.DELETE("/by-key/:key", h.deleteByKey)
	g.GET("/:id", h.get)
	g.PATCH("/:id", h.update)
	g.DELETE("/:id", h.delete)
}

type memberRequest struct {
	Email             *string  `json:"email"`
	Name              *string  `json:"name"`
	Role              *string  `json:"role"`
	Status            *string  `json:"status"`
	UserID            *string  `json:"user_id"`
	PermissionGroupID *string  `json:"permission_group_id"`
	WorkspaceIDs      []string `json:"workspace_ids"`
	ExternalKey       *string  `json:"external_key"`
}

func (m memberRequest) patch() (orgadmin.MemberPatch, error) {
	user, err := parseOptID("user_id", m.UserID)
	if err != nil {
		return orgadmin.MemberPatch{}, err
	}
	group, err := parseOptID("permission_group_id", m.PermissionGroupID)
	if err != nil {
		return orgadmin.MemberPatch{}, err
	}
	ws, err := parseIDs("workspace_ids", m.WorkspaceIDs)
	if err != nil {
		return orgadmin.MemberPatch{}, err
	}
	return orgadmin.MemberPatch{Email: m.Email, Name: m.Name, Role: m.Role, Status: m.Status, UserID: user,
		PermissionGroupID: group, WorkspaceIDs: ws, ExternalKey: m.ExternalKey}, nil
}

func bindMember(c *gin.Context) (orgadmin.MemberPatch, *int32, error) {
	var req memberRequest
	if err := bindJSON(c, &req); err != nil {
		return orgadmin.MemberPatch{}, nil, err
	}
	p, err := req.patch()
	if err != nil {
		return orgadmin.MemberPatch{}, nil, err
	}
	ver, err := ifMatch(c)
	return p, ver, err
}

func (h MemberRoutes) create(c *gin.Context) {
	p, _, err := bindMember(c)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := h.Admin.CreateMember(c.Request.Context(), orgOf(c).ID, p)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/members/"+m.ID.String())
	writeVersioned(c, http.StatusCreated, m.Version, memberDTO(m))
}

type memberListFilters struct {
	Status string `json:"s,omitempty"`
	Group  string `json:"g,omitempty"`
	Email  string `json:"e,omitempty"`
}

func (h MemberRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		fl := memberListFilters{Status: c.Query("status"), Group: c.Query("permission_group_id"), Email: c.Query("email")}
		var f orgadmin.MemberFilter
		if fl.Status != "" {
			st := orgadmin.Status(fl.Status)
			if st != orgadmin.StatusActive && st != orgadmin.StatusSuspended && st != orgadmin.StatusDeprovisioned {
				fail(c, errcode.Invalid("status", "must be ACTIVE, SUSPENDED or DEPROVISIONED"))
				return
			}
			f.Status = &st
		}
		if fl.Group != "" {
			id, err := uuid.Parse(fl.Group)
			if err != nil {
				fail(c, errcode.Invalid("permission_group_id", "must be a UUID"))
				return
			}
			f.PermissionGroupID = &id
		}
		if fl.Email != "" {
			f.Email = &fl.Email
		}
		org := orgOf(c).ID
		listPage(c, r, "members", fl, func(p orgadmin.Page) ([]orgadmin.Member, error) {
			return h.Admin.ListMembers(c.Request.Context(), org, f, p)
		}, func(m orgadmin.Member) uuid.UUID { return m.ID }, memberDTO)
	}
}

func (h MemberRoutes) get(c *gin.Context) {
	id, err := pathID(c, "member")
	if err == nil {
		var m orgadmin.Member
		if m, err = h.Admin.GetMember(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, m.Version, memberDTO(m))
			return
		}
	}
	fail(c, err)
}

func (h MemberRoutes) getByKey(c *gin.Context) {
	m, err := h.Admin.MemberByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, m.Version, memberDTO(m))
}

func (h MemberRoutes) update(c *gin.Context) {
	id, err := pathID(c, "member")
	if err != nil {
		fail(c, err)
		return
	}
	p, ver, err := bindMember(c)
	if err != nil {
		fail(c, err)
		return
	}
	m, err := h.Admin.UpdateMember(c.Request.Context(), orgOf(c).ID, id, p, ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, m.Version, memberDTO(m))
}

func (h MemberRoutes) upsert(c *gin.Context) {
	p, ver, err := bindMember(c)
	if err != nil {
		fail(c, err)
		return
	}
	m, created, err := h.Admin.UpsertMember(c.Request.Context(), orgOf(c).ID, externalKeyParam(c), p, ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeUpserted(c, created, "/api/v1/members/by-key/"+url.PathEscape(externalKeyParam(c)), m.Version, memberDTO(m))
}

func (h MemberRoutes) delete(c *gin.Context) {
	id, err := pathID(c, "member")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteMember(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h MemberRoutes) deleteByKey(c *gin.Context) {
	m, err := h.Admin.MemberByKey(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteMember(c.Request.Context(), orgOf(c).ID, m.ID, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h MemberRoutes) effective(c *gin.Context) {
	id, err := pathID(c, "member")
	if err != nil {
		fail(c, err)
		return
	}
	e, err := h.Admin.EffectivePermissionsOfMember(c.Request.Context(), orgOf(c).ID, id)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, EffectivePermissionsDTO{MemberID: e.MemberID.String(), UserID: e.UserID.String(), Email: e.Email,
		Role: string(e.Role), Status: string(e.Status), Active: e.Active,
		PermissionGroup:     GroupRefDTO{ID: e.Group.ID.String(), Name: e.Group.Name, Priority: e.Group.Priority, IsDefault: e.Group.IsDefault},
		FeatureRestrictions: featuresDTO(e.FeatureRestrictions), RateLimits: rateLimitsDTO(e.RateLimits),
		OAuthScopeAllowlist: e.OAuthScopeAllowlist, ComponentDenylist: e.ComponentDenylist})
}
