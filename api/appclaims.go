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

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

func (h PolicyRoutes) registerClaims(r *Router, admin gin.HandlerFunc) {
	g := r.Org.Group("/app-claims", admin)
	g.POST("", r.Idempotent, h.createClaim)
	g.GET("", h.listClaims(r))
	g.GET("/:id", h.getClaim)
	g.PATCH("/:id", h.updateClaim)
	g.PUT("/:id", h.updateClaim)
	g.DELETE("/:id", h.deleteClaim)
	d := r.Org.Group("/domain-restrictions", admin)
	d.POST("", r.Idempotent, h.createRestriction)
	d.GET("", h.listRestrictions(r))
	d.GET("/:id", h.getRestriction)
	d.PUT("/:id", h.updateRestriction)
	d.DELETE("/:id", h.deleteRestriction)
}

// AppClaimDTO is an app claim on the wire.
type AppClaimDTO struct {
	ID                  string    `json:"id"`
	Provider            string    `json:"provider"`
	ExternalWorkspaceID string    `json:"external_workspace_id"`
	DisplayName         string    `json:"display_name"`
	Enabled             bool      `json:"enabled"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

func appClaimDTO(c policy.Claim) AppClaimDTO {
	return AppClaimDTO{ID: c.ID.String(), Provider: c.Provider, ExternalWorkspaceID: c.ExternalWorkspaceID, DisplayName: c.DisplayName,
		Enabled: c.Enabled, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
}

type claimRequest struct {
	Provider            string  `json:"provider"`
	ExternalWorkspaceID string  `json:"external_workspace_id"`
	DisplayName         *string `json:"display_name"`
	Enabled             *bool   `json:"enabled"`
}

func (h PolicyRoutes) createClaim(c *gin.Context) {
	var req claimRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	cl, err := h.Policy.CreateClaim(c.Request.Context(), orgOf(c).ID, policy.ClaimInput{Provider: req.Provider,
		ExternalWorkspaceID: req.ExternalWorkspaceID, DisplayName: req.DisplayName, Enabled: req.Enabled})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/app-claims/"+cl.ID.String())
	c.Header("ETag", etag(cl.Version))
	c.JSON(http.StatusCreated, appClaimDTO(cl))
}

func (h PolicyRoutes) listClaims(r *Router) gin.HandlerFunc {
	return pagedList(r, "app-claims", func(c *gin.Context, after *uuid.UUID, limit int) ([]AppClaimDTO, func(AppClaimDTO) uuid.UUID, error) {
		cls, err := h.Policy.ListClaims(c.Request.Context(), orgOf(c).ID, after, limit)
		out := make([]AppClaimDTO, len(cls))
		for i, cl := range cls {
			out[i] = appClaimDTO(cl)
		}
		return out, func(d AppClaimDTO) uuid.UUID { return uuid.MustParse(d.ID) }, err
	})
}

// pagedList serves a keyset-paginated list by id of an org's resources whose fetch returns
// DTOs and the function that reads their id.
func pagedList[T any](r *Router, name string, fetch func(c *gin.Context, after *uuid.UUID, limit int) ([]T, func(T) uuid.UUID, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		var idOf func(T) uuid.UUID
		orgPage(c, r, name, nil, func(after *uuid.UUID, limit int) ([]T, error) {
			items, f, err := fetch(c, after, limit)
			idOf = f
			return items, err
		}, func(t T) uuid.UUID { return idOf(t) }, func(t T) T { return t })
	}
}

func (h PolicyRoutes) getClaim(c *gin.Context) {
	id, err := pathID(c, "app claim")
	if err == nil {
		var cl policy.Claim
		if cl, err = h.Policy.GetClaim(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Header("ETag", etag(cl.Version))
			c.JSON(http.StatusOK, appClaimDTO(cl))
			return
		}
	}
	fail(c, err)
}

func (h PolicyRoutes) updateClaim(c *gin.Context) {
	id, err := pathID(c, "app claim")
	if err != nil {
		fail(c, err)
		return
	}
	var req claimRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	in := policy.ClaimInput{Provider: req.Provider, ExternalWorkspaceID: req.ExternalWorkspaceID, DisplayName: req.DisplayName, Enabled: req.Enabled}
	if in.IfVersion, err = ifMatch(c); err != nil {
		fail(c, err)
		return
	}
	cl, err := h.Policy.UpdateClaim(c.Request.Context(), orgOf(c).ID, id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(cl.Version))
	c.JSON(http.StatusOK, appClaimDTO(cl))
}

func (h PolicyRoutes) deleteClaim(c *gin.Context) {
	id, err := pathID(c, "app claim")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Policy.DeleteClaim(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

// DomainRestrictionDTO is an OAuth domain restriction on the wire.
type DomainRestrictionDTO struct {
	ID        string    `json:"id"`
	Provider  string    `json:"provider"`
	Domains   []string  `json:"domains"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func restrictionDTO(r policy.DomainRestriction) DomainRestrictionDTO {
	return DomainRestrictionDTO{ID: r.ID.String(), Provider: r.Provider, Domains: r.Domains, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

type restrictionRequest struct {
	Provider string   `json:"provider"`
	Domains  []string `json:"domains"`
}

func (h PolicyRoutes) createRestriction(c *gin.Context) {
	var req restrictionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Policy.CreateRestriction(c.Request.Context(), orgOf(c).ID, policy.RestrictionInput{Provider: req.Provider, Domains: req.Domains})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/domain-restrictions/"+d.ID.String())
	c.Header("ETag", etag(d.Version))
	c.JSON(http.StatusCreated, restrictionDTO(d))
}

func (h PolicyRoutes) listRestrictions(r *Router) gin.HandlerFunc {
	return pagedList(r, "domain-restrictions", func(c *gin.Context, after *uuid.UUID, limit int) ([]DomainRestrictionDTO, func(DomainRestrictionDTO) uuid.UUID, error) {
		ds, err := h.Policy.ListRestrictions(c.Request.Context(), orgOf(c).ID, after, limit)
		out := make([]DomainRestrictionDTO, len(ds))
		for i, d := range ds {
			out[i] = restrictionDTO(d)
		}
		return out, func(d DomainRestrictionDTO) uuid.UUID { return uuid.MustParse(d.ID) }, err
	})
}

func (h PolicyRoutes) getRestriction(c *gin.Context) {
	id, err := pathID(c, "domain restriction")
	if err == nil {
		var d policy.DomainRestriction
		if d, err = h.Policy.GetRestriction(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Header("ETag", etag(d.Version))
			c.JSON(http.StatusOK, restrictionDTO(d))
			return
		}
	}
	fail(c, err)
}

func (h PolicyRoutes) updateRestriction(c *gin.Context) {
	id, err := pathID(c, "domain restriction")
	if err != nil {
		fail(c, err)
		return
	}
	var req restrictionRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	in := policy.RestrictionInput{Provider: req.Provider, Domains: req.Domains}
	if in.IfVersion, err = ifMatch(c); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Policy.UpdateRestriction(c.Request.Context(), orgOf(c).ID, id, in)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(d.Version))
	c.JSON(http.StatusOK, restrictionDTO(d))
}

func (h PolicyRoutes) deleteRestriction(c *gin.Context) {
	id, err := pathID(c, "domain restriction")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Policy.DeleteRestriction(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

type oauthCheckRequest struct {
	Provider            string   `json:"provider"`
	Category            string   `json:"category"`
	UserID              string   `json:"user_id"`
	Email               *string  `json:"email"`
	ExternalWorkspaceID *string  `json:"external_workspace_id"`
	Scopes              []string `json:"scopes"`
}

// ViolationDTO is one reason a connection is not allowed.
type ViolationDTO struct {
	Policy  string `json:"policy"`
	Message string `json:"message"`
}

func violationDTOs(vs []policy.Violation) []ViolationDTO {
	out := make([]ViolationDTO, len(vs))
	for i, v := range vs {
		out[i] = ViolationDTO{Policy: v.Policy, Message: v.Message}
	}
	return out
}

func (h PolicyRoutes) oauthCheck(c *gin.Context) {
	var req oauthCheckRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var f errcode.Fields
	uid := parseUUIDField(&f, "user_id", req.UserID)
	if err := f.Err(); err != nil {
		fail(c, err)
		return
	}
	res, err := h.Policy.CheckOAuth(c.Request.Context(), orgOf(c).ID, policy.OAuthCheckInput{Provider: req.Provider, Category: req.Category,
		UserID: uid, Email: req.Email, ExternalWorkspaceID: req.ExternalWorkspaceID, Scopes: req.Scopes})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"allowed": res.Allowed, "violations": violationDTOs(res.Violations)})
}

type scanRequest struct {
	Connections []struct {
		ID                  string   `json:"id"`
		Provider            string   `json:"provider"`
		Email               *string  `json:"email"`
		ExternalWorkspaceID *string  `json:"external_workspace_id"`
		Scopes              []string `json:"scopes"`
	} `json:"connections"`
}

// ScanItemDTO is one existing connection that now violates a restriction or claim.
type ScanItemDTO struct {
	ID         string         `json:"id"`
	Provider   string         `json:"provider"`
	Violations []ViolationDTO `json:"violations"`
}

func (h PolicyRoutes) scan(c *gin.Context) {
	var req scanRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	conns := make([]policy.ScanConnection, len(req.Connections))
	for i, x := range req.Connections {
		conns[i] = policy.ScanConnection{ID: x.ID, Provider: x.Provider, Email: x.Email, ExternalWorkspaceID: x.ExternalWorkspaceID, Scopes: x.Scopes}
	}
	res, err := h.Policy.Scan(c.Request.Context(), orgOf(c).ID, conns)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]ScanItemDTO, len(res))
	for i, r := range res {
		out[i] = ScanItemDTO{ID: r.ID, Provider: r.Provider, Violations: violationDTOs(r.Violations)}
	}
	c.JSON(http.StatusOK, gin.H{"data": out, "scanned": len(conns), "violating": len(out)})
}
