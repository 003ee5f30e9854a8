// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"encoding/json"

	"cel.dev/cel-go/common/types/ref"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Caller is what the policy engine needs to know about the user behind a tool call,
// resolved server-side (never taken from the request).
type Caller struct {
	User   UserCtx
	Status string // ACTIVE, SUSPENDED, DEPROVISIONED
	// OAuthScopeAllowlist maps a connector or "category:<name>" to the scopes its connections
	// may request (the group's axis 3); ComponentDenylist is axis 4.
	OAuthScopeAllowlist map[string][]string
	ComponentDenylist   []string
	// allowlistUnreadable marks a stored allowlist that does not parse: the OAuth check then
	// fails closed instead of treating it as empty.
	allowlistUnreadable bool
	userVal             ref.Val // User as a CEL value, built when cached
}

// Active reports whether the user may act.
func (c Caller) Active() bool { return c.Status == "ACTIVE" }

// Resolver looks up callers and workspaces. Both answer errcode.NotFound for unknown ids.
type Resolver interface {
	Caller(ctx context.Context, orgID, userID uuid.UUID) (Caller, error)
	Workspace(ctx context.Context, orgID, workspaceID uuid.UUID) (WorkspaceCtx, error)
}

// DBResolver resolves callers from the organization-administration tables (member,
// permission_group, workspace) in one query each.
type DBResolver struct {
	DB database.DB
}

// Caller implements Resolver.
func (r DBResolver) Caller(ctx context.Context, orgID, userID uuid.UUID) (Caller, error) {
	row, err := dbsqlc.New(r.DB).PolicyCallerByUser(ctx, dbsqlc.PolicyCallerByUserParams{OrgID: orgID, UserID: userID})
	if err != nil {
		return Caller{}, translate(err, "user")
	}
	c := Caller{User: UserCtx{ID: row.UserID.String(), Email: row.Email, Role: row.Role, GroupID: row.GroupID.String(),
		GroupName: row.GroupName}, Status: row.Status, ComponentDenylist: row.ComponentDenylist}
	if len(row.OauthScopeAllowlist) > 0 {
		if err := json.Unmarshal(row.OauthScopeAllowlist, &c.OAuthScopeAllowlist); err != nil {
			c.allowlistUnreadable = true
		}
	}
	return c, nil
}

// Workspace implements Resolver.
func (r DBResolver) Workspace(ctx context.Context, orgID, workspaceID uuid.UUID) (WorkspaceCtx, error) {
	row, err := dbsqlc.New(r.DB).PolicyWorkspaceGet(ctx, dbsqlc.PolicyWorkspaceGetParams{OrgID: orgID, ID: workspaceID})
	if err != nil {
		return WorkspaceCtx{}, translate(err, "workspace")
	}
	return WorkspaceCtx{ID: row.ID.String(), Name: row.Name}, nil
}
