// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func sortStrings(s []string) { slices.Sort(s) }

func workspaceFromRow(r dbsqlc.Workspace) Workspace {
	return Workspace{ID: r.ID, OrgID: r.OrgID, Name: r.Name, ExternalKey: r.ExternalKey, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func memberFromRow(r dbsqlc.Member) Member {
	return Member{ID: r.ID, OrgID: r.OrgID, UserID: r.UserID, Email: r.Email, Name: r.Name, Role: Role(r.Role),
		Status: Status(r.Status), Source: Source(r.Source), PermissionGroupID: r.PermissionGroupID, WorkspaceIDs: []uuid.UUID{},
		ExternalKey: r.ExternalKey, Version: r.Version, StatusChangedAt: r.StatusChangedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func domainFromRow(r dbsqlc.Domain) Domain {
	return Domain{ID: r.ID, OrgID: r.OrgID, Domain: r.Domain, VerificationToken: r.VerificationToken, VerifiedAt: r.VerifiedAt,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// groupFromRow decodes the axes stored as JSON. The columns are only written by this
// package, so a decoding failure is a real fault, not bad input.
func groupFromRow(r dbsqlc.PermissionGroup) (Group, error) {
	g := Group{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Description: r.Description, IsDefault: r.IsDefault, Priority: r.Priority,
		OAuthScopeAllowlist: map[string][]string{}, ComponentDenylist: r.ComponentDenylist, ExternalKey: r.ExternalKey,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if g.ComponentDenylist == nil {
		g.ComponentDenylist = []string{}
	}
	if err := json.Unmarshal(r.FeatureRestrictions, &g.FeatureRestrictions); err != nil {
		return Group{}, fmt.Errorf("orgadmin: group %s feature_restrictions: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.RateLimits, &g.RateLimits); err != nil {
		return Group{}, fmt.Errorf("orgadmin: group %s rate_limits: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.OauthScopeAllowlist, &g.OAuthScopeAllowlist); err != nil {
		return Group{}, fmt.Errorf("orgadmin: group %s oauth_scope_allowlist: %w", r.ID, err)
	}
	return g, nil
}

// groupColumns encodes the axes for storage.
func groupColumns(g Group) (features, limits, allow []byte, err error) {
	if features, err = json.Marshal(g.FeatureRestrictions); err != nil {
		return
	}
	if limits, err = json.Marshal(g.RateLimits); err != nil {
		return
	}
	allowlist := g.OAuthScopeAllowlist
	if allowlist == nil {
		allowlist = map[string][]string{}
	}
	allow, err = json.Marshal(allowlist)
	return
}

// conflicts names the unique indexes and the field each one protects.
var conflicts = map[string][2]string{
	"workspace_external_key":        {"external_key", "a workspace with this external_key already exists"},
	"permission_group_name_key":     {"name", "a permission group with this name already exists (names are case-insensitive)"},
	"permission_group_external_key": {"external_key", "a permission group with this external_key already exists"},
	"member_email_key":              {"email", "a member with this email already exists (emails are case-insensitive)"},
	"member_user_key":               {"user_id", "a member with this user_id already exists"},
	"member_external_key":           {"external_key", "a member with this external_key already exists"},
	"domain_org_domain_key":         {"domain", "this domain is already claimed by the organization"},
	"domain_verified_key":           {"domain", "this domain is verified by another organization"},
}

// translate turns Postgres errors into domain errors; what stays unknown becomes a 500 upstream.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if c, ok := database.UniqueViolation(err); ok {
		if m, known := conflicts[c]; known {
			return &errcode.Error{Code: errcode.Conflict, Message: m[1], Fields: []errcode.FieldError{{Field: m[0], Message: "already taken"}}}
		}
		return errcode.New(errcode.Conflict, "%s already exists", what)
	}
	if _, ok := database.ForeignKeyViolation(err); ok {
		return errcode.New(errcode.NotFound, "a resource this %s refers to does not exist", what)
	}
	return err
}

func notFound(what string) error { return errcode.New(errcode.NotFound, "%s not found", what) }

func preconditionFailed(what string, have int32, want int32) error {
	return errcode.New(errcode.PreconditionFail, "the %s changed since it was read (version %d, If-Match %d)", what, have, want)
}

func checkVersion(what string, have int32, want *int32) error {
	if want != nil && *want != have {
		return preconditionFailed(what, have, *want)
	}
	return nil
}

// errRetry marks an upsert that lost an insert race; the caller runs it again as an update.
var errRetry = errcode.New(errcode.Conflict, "a concurrent request created the resource; retry")
