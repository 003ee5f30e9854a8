// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// OrgDTO is an organization on the wire.
type OrgDTO struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Region    string    `json:"region"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func orgDTO(o identity.Org) OrgDTO {
	return OrgDTO{ID: o.ID.String(), Slug: o.Slug, Name: o.Name, Region: o.Region, CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC()}
}

// etag is the entity tag of a versioned resource.
func etag(version int32) string { return fmt.Sprintf(`"v%d"`, version) }

// ifMatch parses If-Match into a version; "*" or absence means no precondition.
func ifMatch(c *gin.Context) (*int32, error) {
	h := strings.TrimSpace(c.GetHeader("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	v := strings.TrimPrefix(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), "v")
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return nil, errcode.New(errcode.PreconditionFail, "If-Match %q does not match the resource's ETag", h)
	}
	n32 := int32(n)
	return &n32, nil
}

// OrgRoutes serves organizations: instance-admin management and the caller's own org.
type OrgRoutes struct {
	IDs *identity.Service
	// MultiOrg is BYTECHEF_ORGANIZATIONS_ENABLED: without it the admin org endpoints are off.
	MultiOrg bool
}

// Register mounts the org routes.
func (h OrgRoutes) Register(r *Router) {
	r.Org.GET("/org", h.current)
	if !h.MultiOrg {
		return
	}
	r.Admin.POST("/orgs", r.Idempotent, h.create)
	r.Admin.GET("/orgs", h.list(r))
	r.Admin.GET("/orgs/:id", h.get)
	r.Admin.PATCH("/orgs/:id", h.update)
	r.Admin.DELETE("/orgs/:id", h.delete)
}

// OrgDeletionDTO answers an org deletion: gone now, data purged after purge_after.
type OrgDeletionDTO struct {
	ID         string    `json:"id"`
	Slug       string    `json:"slug"`
	Status     string    `json:"status"`
	DeletedAt  time.Time `json:"deleted_at"`
	PurgeAfter time.Time `json:"purge_after"`
}

// delete soft-deletes an org; ?confirm= must repeat its slug. The data is removed after the
// grace period by OrgPurgeWorkflow, so the answer is 202.
func (h OrgRoutes) delete(c *gin.Context) {
	d, err := h.IDs.DeleteOrg(c.Request.Context(), c.Param("id"), c.Query("confirm"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, OrgDeletionDTO{ID: d.Org.ID.String(), Slug: d.Org.Slug, Status: "DELETED",
		DeletedAt: d.DeletedAt.UTC(), PurgeAfter: d.PurgeAfter.UTC()})
}

type createOrgRequest struct {
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	Region string `json:"region"`
}

func (h OrgRoutes) create(c *gin.Context) {
	var req createOrgRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	org, err := h.IDs.CreateOrg(c.Request.Context(), identity.CreateOrgInput{Name: req.Name, Slug: req.Slug, Region: req.Region})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/admin/orgs/"+org.ID.String())
	c.Header("ETag", etag(org.Version))
	c.JSON(http.StatusCreated, orgDTO(org))
}

func (h OrgRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		keysetPage(c, r, "orgs", nil, func(after *uuid.UUID, limit int) ([]identity.Org, error) {
			return h.IDs.ListOrgs(c.Request.Context(), after, limit)
		}, func(o identity.Org) uuid.UUID { return o.ID }, orgDTO)
	}
}

func (h OrgRoutes) get(c *gin.Context) {
	org, err := h.IDs.GetOrg(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(org.Version))
	c.JSON(http.StatusOK, orgDTO(org))
}

type updateOrgRequest struct {
	Name *string `json:"name"`
}

func (h OrgRoutes) update(c *gin.Context) {
	var req updateOrgRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	cur, err := h.IDs.GetOrg(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	org, err := h.IDs.UpdateOrg(c.Request.Context(), cur.ID, identity.UpdateOrgInput{Name: req.Name, IfVersion: ver})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(org.Version))
	c.JSON(http.StatusOK, orgDTO(org))
}

// current returns the org the caller works in.
func (h OrgRoutes) current(c *gin.Context) {
	org, err := h.IDs.GetOrg(c.Request.Context(), orgOf(c).ID.String())
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("ETag", etag(org.Version))
	c.JSON(http.StatusOK, orgDTO(org))
}
