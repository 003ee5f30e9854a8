// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package identity owns organizations, API keys and the principals that authenticate with
// them: who is calling, for which org, with which scopes.
package identity

import (
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Org is an organization, the tenant everything else belongs to.
type Org struct {
	ID        uuid.UUID
	Slug      string
	Name      string
	Region    string
	Version   int32
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Scope is an API key permission (SPEC §2.1).
type Scope string

// The API key scopes. ScopeAdmin implies every other scope.
const (
	ScopeAdmin          Scope = "admin"
	ScopeAuditRead      Scope = "audit:read"
	ScopeAuditWrite     Scope = "audit:write"
	ScopeEventsWrite    Scope = "events:write"
	ScopeExport         Scope = "export"
	ScopePolicyEvaluate Scope = "policy:evaluate"
	ScopeAIRoute        Scope = "ai:route"
	ScopeAnalyticsRead  Scope = "analytics:read"
	ScopeSSOExchange    Scope = "sso:exchange"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeAdmin, ScopeAuditRead, ScopeAuditWrite, ScopeEventsWrite, ScopeExport,
	ScopePolicyEvaluate, ScopeAIRoute, ScopeAnalyticsRead, ScopeSSOExchange}

// ValidScope reports whether s names a scope.
func ValidScope(s string) bool { return slices.Contains(Scopes, Scope(s)) }

// APIKey is an org API key as listed; the secret is never kept.
type APIKey struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	Name       string
	Scopes     []Scope
	Prefix     string
	Last4      string
	CreatedAt  time.Time
	RotatedAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	// MemberID is the member the key acts for, if any (revoked when the member is suspended).
	MemberID *uuid.UUID
}

// PrincipalKind says how a caller authenticated.
type PrincipalKind string

// The principal kinds.
const (
	InstanceAdmin PrincipalKind = "INSTANCE_ADMIN"
	OrgAPIKey     PrincipalKind = "API_KEY"
	UserSession   PrincipalKind = "SESSION"
	SCIMToken     PrincipalKind = "SCIM"
)

// Principal is an authenticated caller. For an instance admin, Org is set only once the
// request names an org (X-ByteChef-Org).
type Principal struct {
	Kind   PrincipalKind
	Org    *Org
	KeyID  uuid.UUID
	Label  string
	UserID *uuid.UUID
	// SessionID is set for UserSession principals (recorded as the audit session_id).
	SessionID *uuid.UUID
	Scopes    []Scope
}

// Has reports whether the principal holds scope. Instance admins and admin keys hold all.
func (p Principal) Has(scope Scope) bool {
	if p.Kind == InstanceAdmin {
		return true
	}
	return slices.Contains(p.Scopes, ScopeAdmin) || slices.Contains(p.Scopes, scope)
}

var slugRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidSlug reports whether s is a URL-safe org slug: lowercase letters, digits and inner
// hyphens, 1 to 63 characters.
func ValidSlug(s string) bool { return slugRe.MatchString(s) }
