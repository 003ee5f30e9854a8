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
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// APIKeyDTO is an API key as listed: never the secret.
type APIKeyDTO struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Scopes     []string   `json:"scopes"`
	Prefix     string     `json:"prefix"`
	Last4      string     `json:"last4"`
	CreatedAt  time.Time  `json:"created_at"`
	RotatedAt  *time.Time `json:"rotated_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	// MemberID is the member the key acts for; suspending the member revokes the key.
	MemberID *string `json:"member_id"`
}

// APIKeySecretDTO is the create/rotate answer: the only time the secret is shown.
type APIKeySecretDTO struct {
	APIKeyDTO
	Secret string `json:"secret"`
}

func apiKeyDTO(k identity.APIKey) APIKeyDTO {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	dto := APIKeyDTO{ID: k.ID.String(), Name: k.Name, Scopes: scopes, Prefix: k.Prefix, Last4: k.Last4,
		CreatedAt: k.CreatedAt.UTC(), RotatedAt: utcPtr(k.RotatedAt), LastUsedAt: utcPtr(k.LastUsedAt), RevokedAt: utcPtr(k.RevokedAt)}
	if k.MemberID != nil {
		m := k.MemberID.String()
		dto.MemberID = &m
	}
	return dto
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// APIKeyRoutes serves /api/v1/api-keys (admin scope).
type APIKeyRoutes struct {
	IDs *identity.Service
}

// Register mounts the API key routes.
func (h APIKeyRoutes) Register(r *Router) {
	g := r.Org.Group("/api-keys", requireScope(identity.ScopeAdmin))
	g.POST("", r.Idempotent, h.create)
	g.GET("", h.list(r))
	g.GET("/:id", h.get)
	g.POST("/:id/rotate", h.rotate)
	g.DELETE("/:id", h.revoke)
}

type createKeyRequest struct {
	Name     string   `json:"name"`
	Scopes   []string `json:"scopes"`
	MemberID *string  `json:"member_id"`
}

func (h APIKeyRoutes) create(c *gin.Context) {
	var req createKeyRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	member, err := parseOptID("member_id", req.MemberID)
	if err != nil {
		fail(c, err)
		return
	}
	key, secret, err := h.IDs.CreateAPIKey(c.Request.Context(), orgOf(c).ID, identity.CreateKeyInput{Name: req.Name, Scopes: req.Scopes, MemberID: member})
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/api-keys/"+key.ID.String())
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, APIKeySecretDTO{APIKeyDTO: apiKeyDTO(key), Secret: secret})
}

type keyListFilters struct {
	IncludeRevoked bool `json:"r"`
}

func (h APIKeyRoutes) list(r *Router) gin.HandlerFunc {
	return func(c *gin.Context) {
		incl, err := boolQuery(c, "include_revoked")
		if err != nil {
			fail(c, err)
			return
		}
		f := keyListFilters{IncludeRevoked: incl}
		org := orgOf(c).ID
		orgPage(c, r, "api-keys", f, func(after *uuid.UUID, limit int) ([]identity.APIKey, error) {
			return h.IDs.ListAPIKeys(c.Request.Context(), org, after, limit, f.IncludeRevoked)
		}, func(k identity.APIKey) uuid.UUID { return k.ID }, apiKeyDTO)
	}
}

// pathID parses an id path parameter; a malformed id is simply not found (no oracle).
func pathID(c *gin.Context, what string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, errcode.New(errcode.NotFound, "%s not found", what)
	}
	return id, nil
}

func (h APIKeyRoutes) get(c *gin.Context) {
	id, err := pathID(c, "api key")
	if err == nil {
		var key identity.APIKey
		if key, err = h.IDs.GetAPIKey(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.JSON(http.StatusOK, apiKeyDTO(key))
			return
		}
	}
	fail(c, err)
}

func (h APIKeyRoutes) rotate(c *gin.Context) {
	id, err := pathID(c, "api key")
	if err == nil {
		var key identity.APIKey
		var secret string
		if key, secret, err = h.IDs.RotateAPIKey(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Header("Cache-Control", "no-store")
			c.JSON(http.StatusOK, APIKeySecretDTO{APIKeyDTO: apiKeyDTO(key), Secret: secret})
			return
		}
	}
	fail(c, err)
}

func (h APIKeyRoutes) revoke(c *gin.Context) {
	id, err := pathID(c, "api key")
	if err == nil {
		if _, err = h.IDs.RevokeAPIKey(c.Request.Context(), orgOf(c).ID, id); err == nil {
			c.Status(http.StatusNoContent)
			return
		}
	}
	fail(c, err)
}
