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

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
)

// DomainDTO is a claimed domain with its DNS TXT challenge.
type DomainDTO struct {
	ID           string             `json:"id"`
	Domain       string             `json:"domain"`
	Status       string             `json:"status"`
	Verification DomainChallengeDTO `json:"verification"`
	VerifiedAt   *time.Time         `json:"verified_at"`
	CreatedAt    time.Time          `json:"created_at"`
	UpdatedAt    time.Time          `json:"updated_at"`
}

// DomainChallengeDTO is the DNS record the org must publish.
type DomainChallengeDTO struct {
	RecordType  string `json:"record_type"`
	RecordName  string `json:"record_name"`
	RecordValue string `json:"record_value"`
}

func domainDTO(d orgadmin.Domain) DomainDTO {
	status := "PENDING"
	if d.VerifiedAt != nil {
		status = "VERIFIED"
	}
	return DomainDTO{ID: d.ID.String(), Domain: d.Domain, Status: status,
		Verification: DomainChallengeDTO{RecordType: "TXT", RecordName: d.RecordName(), RecordValue: d.VerificationToken},
		VerifiedAt:   utcPtr(d.VerifiedAt), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
}

// DomainRoutes serves /api/v1/domains (admin scope). A domain has no mutable fields: its
// state changes by verification, and PUT /domains/by-key/{domain} ensures a claim exists.
type DomainRoutes struct {
	Admin *orgadmin.Service
}

// Register mounts the domain routes.
func (h DomainRoutes) Register(r *Router) {
	g := r.Org.Group("/domains", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/by-key/:key", h.getByKey)
	g.PUT("/by-key/:key", h.ensure)
	g.GET("/:id", h.get)
	g.DELETE("/:id", h.delete)
	g.POST("/:id/verify", h.verify)
}

type domainRequest struct {
	Domain string `json:"domain"`
}

func (h DomainRoutes) create(c *gin.Context) {
	var req domainRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Admin.CreateDomain(c.Request.Context(), orgOf(c).ID, req.Domain)
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/domains/"+d.ID.String())
	writeVersioned(c, http.StatusCreated, d.Version, domainDTO(d))
}

func (h DomainRoutes) ensure(c *gin.Context) {
	d, created, err := h.Admin.EnsureDomain(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeUpserted(c, created, "/api/v1/domains/"+d.ID.String(), d.Version, domainDTO(d))
}

func (h DomainRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		org := orgOf(c).ID
		listPage(c, r, "domains", nil, func(p orgadmin.Page) ([]orgadmin.Domain, error) {
			return h.Admin.ListDomains(c.Request.Context(), org, p)
		}, func(d orgadmin.Domain) uuid.UUID { return d.ID }, domainDTO)
	}
}

func (h DomainRoutes) get(c *gin.Context) {
	id, err := pathID(c, "domain")
	if err == nil {
		var d orgadmin.Domain
		if d, err = h.Admin.GetDomain(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, d.Version, domainDTO(d))
			return
		}
	}
	fail(c, err)
}

func (h DomainRoutes) getByKey(c *gin.Context) {
	d, err := h.Admin.GetDomainByName(c.Request.Context(), orgOf(c).ID, externalKeyParam(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, d.Version, domainDTO(d))
}

func (h DomainRoutes) delete(c *gin.Context) {
	id, err := pathID(c, "domain")
	if err == nil {
		var ver *int32
		if ver, err = ifMatch(c); err == nil {
			if err = h.Admin.DeleteDomain(c.Request.Context(), orgOf(c).ID, id, ver); err == nil {
				c.Status(http.StatusNoContent)
				return
			}
		}
	}
	fail(c, err)
}

func (h DomainRoutes) verify(c *gin.Context) {
	id, err := pathID(c, "domain")
	if err == nil {
		var d orgadmin.Domain
		if d, err = h.Admin.VerifyDomain(c.Request.Context(), orgOf(c).ID, id); err == nil {
			writeVersioned(c, http.StatusOK, d.Version, domainDTO(d))
			return
		}
	}
	fail(c, err)
}
