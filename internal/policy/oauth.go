// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// The policies an OAuth connection can violate (SPEC §5.4).
const (
	ViolationDomain       = "DOMAIN_RESTRICTION"
	ViolationClaim        = "APP_CLAIM"
	ViolationScope        = "OAUTH_SCOPE"
	ViolationComponent    = "COMPONENT_DENIED"
	ViolationUserInactive = "USER_INACTIVE"
)

// Violation is one reason a connection is not allowed.
type Violation struct {
	Policy  string
	Message string
}

// OAuthCheckInput is a new connection about to be stored.
type OAuthCheckInput struct {
	Provider            string
	Category            string // optional connector category, for category:<name> entries
	UserID              uuid.UUID
	Email               *string
	ExternalWorkspaceID *string
	Scopes              []string
}

// OAuthCheck is the answer.
type OAuthCheck struct {
	Allowed    bool
	Violations []Violation
}

const maxScopes = 500

func emailDomain(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 || at == len(email)-1 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
}

// domainViolation checks the provider's restriction (restrictions are keyed by lower(provider)).
func domainViolation(restrictions map[string]DomainRestriction, provider string, email *string) *Violation {
	r, ok := restrictions[strings.ToLower(provider)]
	if !ok {
		return nil
	}
	if email == nil || strings.TrimSpace(*email) == "" {
		return &Violation{ViolationDomain, fmt.Sprintf("connections to %s must come from an allowed email domain, and no email was given", provider)}
	}
	d := emailDomain(*email)
	if d == "" || !slices.Contains(r.Domains, d) {
		return &Violation{ViolationDomain, fmt.Sprintf("accounts of %q may not connect %s; allowed domains: %s", d, provider, strings.Join(r.Domains, ", "))}
	}
	return nil
}

func (s *Service) restrictionsFor(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, providers []string) (map[string]DomainRestriction, error) {
	lower := make([]string, 0, len(providers))
	for _, p := range providers {
		if l := strings.ToLower(p); !slices.Contains(lower, l) {
			lower = append(lower, l)
		}
	}
	rows, err := q.DomainRestrictionForProviders(ctx, dbsqlc.DomainRestrictionForProvidersParams{OrgID: orgID, Providers: lower})
	if err != nil {
		return nil, err
	}
	out := make(map[string]DomainRestriction, len(rows))
	for _, r := range rows {
		out[strings.ToLower(r.Provider)] = restrictionFromRow(r)
	}
	return out, nil
}

type claimKey struct{ provider, ws string }

// foreignClaims returns which (provider, workspace) pairs live orgs other than orgID hold.
func (s *Service) foreignClaims(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, pairs []claimKey) (map[claimKey]bool, error) {
	out := map[claimKey]bool{}
	if len(pairs) == 0 {
		return out, nil
	}
	var providers, workspaces []string
	for _, p := range pairs {
		providers = append(providers, p.provider)
		workspaces = append(workspaces, p.ws)
	}
	rows, err := q.AppClaimForeignHolders(ctx, dbsqlc.AppClaimForeignHoldersParams{OrgID: orgID, Providers: providers, Workspaces: workspaces})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[claimKey{strings.ToLower(r.Provider), r.ExternalWorkspaceID}] = true
	}
	return out, nil
}

// CheckOAuth decides whether a new OAuth connection may be stored: the provider's domain
// restriction, claims of other orgs on the workspace, and the user's group OAuth scope
// allowlist and component denylist.
func (s *Service) CheckOAuth(ctx context.Context, orgID uuid.UUID, in OAuthCheckInput) (OAuthCheck, error) {
	var f errcode.Fields
	in.Provider = strings.TrimSpace(in.Provider)
	validText(&f, "provider", in.Provider, maxIDLen, true)
	if in.UserID == uuid.Nil {
		f.Add("user_id", "is required")
	}
	if in.Email != nil {
		validText(&f, "email", *in.Email, 320, false)
	}
	if in.ExternalWorkspaceID != nil {
		validText(&f, "external_workspace_id", *in.ExternalWorkspaceID, maxIDLen, false)
	}
	if len(in.Scopes) > maxScopes {
		f.Add("scopes", "must have at most %d entries", maxScopes)
	}
	for i, sc := range in.Scopes {
		validText(&f, fmt.Sprintf("scopes[%d]", i), sc, 1000, true)
	}
	if err := f.Err(); err != nil {
		return OAuthCheck{}, err
	}
	if s.resolver == nil {
		return OAuthCheck{}, errcode.New(errcode.Unavailable, "caller resolution is not available")
	}
	caller, err := s.resolver.Caller(ctx, orgID, in.UserID)
	if err != nil {
		return OAuthCheck{}, err
	}
	q := dbsqlc.New(s.db)
	var out OAuthCheck
	restrictions, err := s.restrictionsFor(ctx, q, orgID, []string{in.Provider})
	if err != nil {
		return OAuthCheck{}, err
	}
	if v := domainViolation(restrictions, in.Provider, in.Email); v != nil {
		out.Violations = append(out.Violations, *v)
	}
	if in.ExternalWorkspaceID != nil && *in.ExternalWorkspaceID != "" {
		key := claimKey{strings.ToLower(in.Provider), *in.ExternalWorkspaceID}
		held, err := s.foreignClaims(ctx, q, orgID, []claimKey{key})
		if err != nil {
			return OAuthCheck{}, err
		}
		if held[key] {
			out.Violations = append(out.Violations, Violation{ViolationClaim, "this " + in.Provider + " workspace is claimed by another organization"})
		}
	}
	if !caller.Active() {
		out.Violations = append(out.Violations, Violation{ViolationUserInactive, "the user is not an active member"})
	}
	if v := scopeViolation(caller, in); v != nil {
		out.Violations = append(out.Violations, *v)
	}
	if v := componentViolation(caller, in); v != nil {
		out.Violations = append(out.Violations, *v)
	}
	out.Allowed = len(out.Violations) == 0
	if out.Violations == nil {
		out.Violations = []Violation{}
	}
	if !out.Allowed {
		policies := make([]string, len(out.Violations))
		for i, v := range out.Violations {
			policies[i] = v.Policy
		}
		err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "connection.oauth_denied", TargetType: "user",
				TargetID: in.UserID.String(), Data: map[string]any{"provider": in.Provider, "scopes": in.Scopes, "violations": policies}})
		})
		if err != nil {
			return OAuthCheck{}, err
		}
	}
	return out, nil
}

// scopeViolation checks the requested scopes against the group's allowlist entries for the
// connector and its category; a connector with no entry is not restricted by this axis.
func scopeViolation(c Caller, in OAuthCheckInput) *Violation {
	if c.allowlistUnreadable {
		return &Violation{ViolationScope, "the permission group's OAuth scope allowlist cannot be read"}
	}
	var allowed []string
	found := false
	for k, scopes := range c.OAuthScopeAllowlist {
		if strings.EqualFold(k, in.Provider) || (in.Category != "" && strings.EqualFold(k, "category:"+in.Category)) {
			found = true
			allowed = append(allowed, scopes...)
		}
	}
	if !found {
		return nil
	}
	var denied []string
	for _, sc := range in.Scopes {
		if !slices.Contains(allowed, sc) && !slices.Contains(denied, sc) {
			denied = append(denied, sc)
		}
	}
	if len(denied) == 0 {
		return nil
	}
	return &Violation{ViolationScope, fmt.Sprintf("the user's permission group does not allow these %s scopes: %s", in.Provider, strings.Join(denied, ", "))}
}

// componentViolation checks the group's denylist for the connector or its category (entries
// naming one action, component/action, do not deny the whole connection).
func componentViolation(c Caller, in OAuthCheckInput) *Violation {
	for _, e := range c.ComponentDenylist {
		if strings.EqualFold(e, in.Provider) || (in.Category != "" && strings.EqualFold(e, "category:"+in.Category)) {
			return &Violation{ViolationComponent, fmt.Sprintf("the user's permission group may not use %s", in.Provider)}
		}
	}
	return nil
}

// ScanConnection is an existing connection to re-check.
type ScanConnection struct {
	ID                  string
	Provider            string
	Email               *string
	ExternalWorkspaceID *string
	Scopes              []string
}

// ScanResult is one connection that now violates a restriction or claim.
type ScanResult struct {
	ID         string
	Provider   string
	Violations []Violation
}

// MaxScan bounds one scan request.
const MaxScan = 1000

// Scan lists the existing connections that now violate a domain restriction or another
// org's claim (the input of "revoke existing"), and records an audit event.
func (s *Service) Scan(ctx context.Context, orgID uuid.UUID, conns []ScanConnection) ([]ScanResult, error) {
	var f errcode.Fields
	if len(conns) > MaxScan {
		f.Add("connections", "must have at most %d entries", MaxScan)
	}
	for i, c := range conns {
		validText(&f, fmt.Sprintf("connections[%d].id", i), c.ID, maxIDLen, true)
		validText(&f, fmt.Sprintf("connections[%d].provider", i), c.Provider, maxIDLen, true)
		if c.Email != nil {
			validText(&f, fmt.Sprintf("connections[%d].email", i), *c.Email, 320, false)
		}
		if c.ExternalWorkspaceID != nil {
			validText(&f, fmt.Sprintf("connections[%d].external_workspace_id", i), *c.ExternalWorkspaceID, maxIDLen, false)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := []ScanResult{}
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		providers := make([]string, 0, len(conns))
		var pairs []claimKey
		for _, c := range conns {
			providers = append(providers, c.Provider)
			if c.ExternalWorkspaceID != nil && *c.ExternalWorkspaceID != "" {
				pairs = append(pairs, claimKey{strings.ToLower(c.Provider), *c.ExternalWorkspaceID})
			}
		}
		restrictions, err := s.restrictionsFor(ctx, q, orgID, providers)
		if err != nil {
			return err
		}
		held, err := s.foreignClaims(ctx, q, orgID, pairs)
		if err != nil {
			return err
		}
		ids := []string{}
		for _, c := range conns {
			r := ScanResult{ID: c.ID, Provider: c.Provider}
			if v := domainViolation(restrictions, c.Provider, c.Email); v != nil {
				r.Violations = append(r.Violations, *v)
			}
			if c.ExternalWorkspaceID != nil && held[claimKey{strings.ToLower(c.Provider), *c.ExternalWorkspaceID}] {
				r.Violations = append(r.Violations, Violation{ViolationClaim, "this " + c.Provider + " workspace is claimed by another organization"})
			}
			if len(r.Violations) > 0 {
				out = append(out, r)
				ids = append(ids, c.ID)
			}
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "connection.scan_completed", TargetType: "organization",
			TargetID: orgID.String(), Data: map[string]any{"scanned": len(conns), "violating": len(out), "violating_ids": ids}})
	})
	return out, err
}
