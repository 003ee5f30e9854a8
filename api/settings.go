// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
)

// SettingsDTO is the org settings resource. Session durations are in seconds.
type SettingsDTO struct {
	SessionIdleTimeout       int64    `json:"session_idle_timeout"`
	SessionMaxLifetime       int64    `json:"session_max_lifetime"`
	AuditHotDays             int32    `json:"audit_hot_days"`
	AuditRetentionDays       int32    `json:"audit_retention_days"`
	SignupMode               string   `json:"signup_mode"`
	AllowedRedirectURIs      []string `json:"allowed_redirect_uris"`
	DeprovisionRetentionDays int32    `json:"deprovision_retention_days"`
}

func settingsDTO(s orgadmin.Settings) SettingsDTO {
	return SettingsDTO{SessionIdleTimeout: s.SessionIdleTimeout, SessionMaxLifetime: s.SessionMaxLifetime,
		AuditHotDays: s.AuditHotDays, AuditRetentionDays: s.AuditRetentionDays, SignupMode: string(s.SignupMode),
		AllowedRedirectURIs: s.AllowedRedirectURIs, DeprovisionRetentionDays: s.DeprovisionRetentionDays}
}

// SettingsRoutes serves /api/v1/settings (admin scope) and /api/v1/signup/check.
type SettingsRoutes struct {
	Admin *orgadmin.Service
}

// Register mounts the settings and signup routes.
func (h SettingsRoutes) Register(r *Router) {
	r.Org.GET("/settings", requireScope(identity.ScopeAdmin), h.get)
	r.Org.PATCH("/settings", requireScope(identity.ScopeAdmin), h.update)
	r.Org.POST("/signup/check", requireAnyScope(identity.ScopeAdmin, identity.ScopeSSOExchange), h.signupCheck)
}

func (h SettingsRoutes) get(c *gin.Context) {
	s, err := h.Admin.GetSettings(c.Request.Context(), orgOf(c).ID)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, s.Version, settingsDTO(s))
}

type settingsRequest struct {
	SessionIdleTimeout       *int64   `json:"session_idle_timeout"`
	SessionMaxLifetime       *int64   `json:"session_max_lifetime"`
	AuditHotDays             *int32   `json:"audit_hot_days"`
	AuditRetentionDays       *int32   `json:"audit_retention_days"`
	SignupMode               *string  `json:"signup_mode"`
	AllowedRedirectURIs      []string `json:"allowed_redirect_uris"`
	DeprovisionRetentionDays *int32   `json:"deprovision_retention_days"`
}

func (h SettingsRoutes) update(c *gin.Context) {
	var req settingsRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	ver, err := ifMatch(c)
	if err != nil {
		fail(c, err)
		return
	}
	s, err := h.Admin.UpdateSettings(c.Request.Context(), orgOf(c).ID, orgadmin.SettingsPatch{
		SessionIdleTimeout: req.SessionIdleTimeout, SessionMaxLifetime: req.SessionMaxLifetime, AuditHotDays: req.AuditHotDays,
		AuditRetentionDays: req.AuditRetentionDays, SignupMode: req.SignupMode, AllowedRedirectURIs: req.AllowedRedirectURIs,
		DeprovisionRetentionDays: req.DeprovisionRetentionDays}, ver)
	if err != nil {
		fail(c, err)
		return
	}
	writeVersioned(c, http.StatusOK, s.Version, settingsDTO(s))
}

type signupCheckRequest struct {
	Email string `json:"email"`
}

// SignupCheckDTO answers whether an email may join the org.
type SignupCheckDTO struct {
	Allowed bool   `json:"allowed"`
	OrgID   string `json:"org_id"`
	Reason  string `json:"reason"`
}

func (h SettingsRoutes) signupCheck(c *gin.Context) {
	var req signupCheckRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	d, err := h.Admin.SignupAllowed(c.Request.Context(), orgOf(c).ID, req.Email)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, SignupCheckDTO{Allowed: d.Allowed, OrgID: d.OrgID.String(), Reason: string(d.Reason)})
}
