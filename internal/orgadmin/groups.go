// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// GroupPatch changes a permission group; nil fields are unchanged. Each axis given replaces
// that axis whole (a declarative tool sends the full state). Create requires Name.
type GroupPatch struct {
	Name                *string
	Description         *string
	Priority            *int32
	FeatureRestrictions *FeatureRestrictions
	RateLimits          *RateLimits
	OAuthScopeAllowlist map[string][]string // nil: unchanged
	ComponentDenylist   []string            // nil: unchanged
	ExternalKey         *string
}

func (p GroupPatch) apply(cur Group, creating bool) (Group, error) {
	var f errcode.Fields
	next := cur
	if p.Name != nil {
		checkName(&f, "name", *p.Name, maxNameLen, true)
		next.Name = strings.TrimSpace(*p.Name)
	} else if creating {
		f.Add("name", "is required")
	}
	if p.Description != nil {
		checkName(&f, "description", *p.Description, maxDescriptionLen, false)
		next.Description = strings.TrimSpace(*p.Description)
	}
	if p.Priority != nil {
		if *p.Priority < 0 || *p.Priority > maxPriority {
			f.Add("priority", "must be from 0 to %d", maxPriority)
		}
		next.Priority = *p.Priority
	}
	if p.FeatureRestrictions != nil {
		next.FeatureRestrictions = *p.FeatureRestrictions
	}
	if p.RateLimits != nil {
		checkRateLimits(&f, *p.RateLimits)
		next.RateLimits = *p.RateLimits
	}
	if p.OAuthScopeAllowlist != nil {
		next.OAuthScopeAllowlist = normalizeAllowlist(&f, p.OAuthScopeAllowlist)
	}
	if p.ComponentDenylist != nil {
		next.ComponentDenylist = normalizeDenylist(&f, p.ComponentDenylist)
	}
	checkExternalKey(&f, p.ExternalKey)
	if p.ExternalKey != nil {
		next.ExternalKey = p.ExternalKey
	}
	if next.OAuthScopeAllowlist == nil {
		next.OAuthScopeAllowlist = map[string][]string{}
	}
	if next.ComponentDenylist == nil {
		next.ComponentDenylist = []string{}
	}
	return next, f.Err()
}

func sameGroup(a, b Group) bool {
	return a.Name == b.Name && a.Description == b.Description && a.Priority == b.Priority &&
		a.FeatureRestrictions == b.FeatureRestrictions && eqPtr(a.RateLimits.MaxConcurrentExecutions, b.RateLimits.MaxConcurrentExecutions) &&
		eqPtr(a.RateLimits.MaxExecutionsPerHour, b.RateLimits.MaxExecutionsPerHour) &&
		maps.EqualFunc(a.OAuthScopeAllowlist, b.OAuthScopeAllowlist, slices.Equal) &&
		slices.Equal(a.ComponentDenylist, b.ComponentDenylist) && eqPtr(a.ExternalKey, b.ExternalKey)
}

func groupSummary(g Group) map[string]any {
	return map[string]any{"name": g.Name, "description": g.Description, "priority": g.Priority, "is_default": g.IsDefault,
		"feature_restrictions": g.FeatureRestrictions, "rate_limits": g.RateLimits,
		"oauth_scope_allowlist": g.OAuthScopeAllowlist, "component_denylist": g.ComponentDenylist, "external_key": g.ExternalKey}
}

// CreateGroup creates a permission group.
func (s *Service) CreateGroup(ctx context.Context, orgID uuid.UUID, p GroupPatch) (Group, error) {
	g, err := p.apply(Group{}, true)
	if err != nil {
		return Group{}, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		g, err = insertGroup(ctx, q, orgID, g)
		if database.IsNoRows(err) {
			return translateKeyTaken("permission group")
		}
		return err
	})
	return g, err
}

func insertGroup(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, g Group) (Group, error) {
	features, limits, allow, err := groupColumns(g)
	if err != nil {
		return Group{}, err
	}
	row, err := q.PermissionGroupInsert(ctx, dbsqlc.PermissionGroupInsertParams{ID: newID(), OrgID: orgID, Name: g.Name,
		Description: g.Description, Priority: g.Priority, FeatureRestrictions: features, RateLimits: limits,
		OauthScopeAllowlist: allow, ComponentDenylist: g.ComponentDenylist, ExternalKey: g.ExternalKey})
	if err != nil {
		if database.IsNoRows(err) {
			return Group{}, err
		}
		return Group{}, translate(err, "permission group")
	}
	if g, err = groupFromRow(row); err != nil {
		return Group{}, err
	}
	return g, audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "permission_group.created", TargetType: "permission_group",
		TargetID: g.ID.String(), Data: map[string]any{"after": groupSummary(g)}})
}

// GetGroup returns one permission group of the org.
func (s *Service) GetGroup(ctx context.Context, orgID, id uuid.UUID) (Group, error) {
	row, err := dbsqlc.New(s.db).PermissionGroupGet(ctx, dbsqlc.PermissionGroupGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Group{}, translate(err, "permission group")
	}
	return groupFromRow(row)
}

// GetGroupByKey returns the permission group with the external key.
func (s *Service) GetGroupByKey(ctx context.Context, orgID uuid.UUID, key string) (Group, error) {
	row, err := dbsqlc.New(s.db).PermissionGroupGetByKey(ctx, dbsqlc.PermissionGroupGetByKeyParams{OrgID: orgID, ExternalKey: key})
	if err != nil {
		return Group{}, translate(err, "permission group")
	}
	return groupFromRow(row)
}

// DefaultGroup returns the org's Default group (new members land there).
func (s *Service) DefaultGroup(ctx context.Context, orgID uuid.UUID) (Group, error) {
	row, err := dbsqlc.New(s.db).PermissionGroupGetDefault(ctx, orgID)
	if err != nil {
		return Group{}, translate(err, "default permission group")
	}
	return groupFromRow(row)
}

// HighestPriorityGroup returns, among the given groups of the org, the one with the highest
// priority; ties go to the oldest group, so the answer is deterministic whatever the order
// of ids. With no known group it returns the Default group. SCIM and directory sync use it to
// map a user's IdP groups to one permission group.
func (s *Service) HighestPriorityGroup(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (Group, error) {
	if len(ids) > 0 {
		row, err := dbsqlc.New(s.db).PermissionGroupHighest(ctx, dbsqlc.PermissionGroupHighestParams{OrgID: orgID, Ids: ids})
		if err == nil {
			return groupFromRow(row)
		}
		if !database.IsNoRows(err) {
			return Group{}, err
		}
	}
	return s.DefaultGroup(ctx, orgID)
}

// ListGroups pages through the org's permission groups in id order.
func (s *Service) ListGroups(ctx context.Context, orgID uuid.UUID, p Page) ([]Group, error) {
	rows, err := dbsqlc.New(s.db).PermissionGroupList(ctx, dbsqlc.PermissionGroupListParams{OrgID: orgID, AfterID: p.After, Limit: int32(p.Limit)})
	if err != nil {
		return nil, translate(err, "permission group")
	}
	out := make([]Group, len(rows))
	for i, r := range rows {
		if out[i], err = groupFromRow(r); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateGroup applies a patch (the Default group may be renamed like any other).
func (s *Service) UpdateGroup(ctx context.Context, orgID, id uuid.UUID, p GroupPatch, ifVersion *int32) (Group, error) {
	var g Group
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.PermissionGroupGetForUpdate(ctx, dbsqlc.PermissionGroupGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "permission group")
		}
		cur, err := groupFromRow(row)
		if err != nil {
			return err
		}
		g, err = updateGroup(ctx, q, cur, p, ifVersion)
		return err
	})
	return g, err
}

func updateGroup(ctx context.Context, q *dbsqlc.Queries, cur Group, p GroupPatch, ifVersion *int32) (Group, error) {
	if err := checkVersion("permission group", cur.Version, ifVersion); err != nil {
		return Group{}, err
	}
	next, err := p.apply(cur, false)
	if err != nil {
		return Group{}, err
	}
	if sameGroup(cur, next) {
		return cur, nil
	}
	features, limits, allow, err := groupColumns(next)
	if err != nil {
		return Group{}, err
	}
	row, err := q.PermissionGroupUpdate(ctx, dbsqlc.PermissionGroupUpdateParams{OrgID: cur.OrgID, ID: cur.ID, Name: next.Name,
		Description: next.Description, Priority: next.Priority, FeatureRestrictions: features, RateLimits: limits,
		OauthScopeAllowlist: allow, ComponentDenylist: next.ComponentDenylist, ExternalKey: next.ExternalKey})
	if err != nil {
		return Group{}, translate(err, "permission group")
	}
	if next, err = groupFromRow(row); err != nil {
		return Group{}, err
	}
	return next, audit.Record(ctx, q, audit.Event{OrgID: cur.OrgID, Type: "permission_group.updated", TargetType: "permission_group",
		TargetID: cur.ID.String(), Data: map[string]any{"before": groupSummary(cur), "after": groupSummary(next)}})
}

// UpsertGroup makes the group with the external key match the patch (see UpsertWorkspace).
func (s *Service) UpsertGroup(ctx context.Context, orgID uuid.UUID, key string, p GroupPatch, ifVersion *int32) (g Group, created bool, err error) {
	if !ValidExternalKey(key) {
		return Group{}, false, errcode.Invalid("external_key", "must be 1-200 letters, digits or . _ : @ -")
	}
	if p.ExternalKey != nil && *p.ExternalKey != key {
		return Group{}, false, errcode.Invalid("external_key", "must equal the key in the path when given")
	}
	p.ExternalKey = &key
	err = s.upsert(ctx, func(q *dbsqlc.Queries) error {
		created = false
		row, err := q.PermissionGroupGetByKeyForUpdate(ctx, dbsqlc.PermissionGroupGetByKeyForUpdateParams{OrgID: orgID, ExternalKey: key})
		if database.IsNoRows(err) {
			if ifVersion != nil {
				return preconditionFailed("permission group", 0, *ifVersion)
			}
			next, err := p.apply(Group{}, true)
			if err != nil {
				return err
			}
			g, err = insertGroup(ctx, q, orgID, next)
			if database.IsNoRows(err) {
				return errRetry
			}
			created = err == nil
			return err
		}
		if err != nil {
			return translate(err, "permission group")
		}
		cur, err := groupFromRow(row)
		if err != nil {
			return err
		}
		g, err = updateGroup(ctx, q, cur, p, ifVersion)
		return err
	})
	return g, created, err
}

// DeleteGroup deletes a permission group. The Default group cannot be deleted (409). The
// group's members move to the Default group in the same transaction, so no user is ever
// without a group; the event records how many moved.
func (s *Service) DeleteGroup(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.PermissionGroupGetForUpdate(ctx, dbsqlc.PermissionGroupGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "permission group")
		}
		cur, err := groupFromRow(row)
		if err != nil {
			return err
		}
		if err := checkVersion("permission group", cur.Version, ifVersion); err != nil {
			return err
		}
		if cur.IsDefault {
			return errcode.New(errcode.Conflict, "the Default permission group cannot be deleted (it may be renamed)")
		}
		def, err := q.PermissionGroupGetDefault(ctx, orgID)
		if err != nil {
			return translate(err, "default permission group")
		}
		moved, err := q.MemberMoveGroup(ctx, dbsqlc.MemberMoveGroupParams{OrgID: orgID, FromGroup: id, ToGroup: def.ID})
		if err != nil {
			return translate(err, "member")
		}
		if _, err := q.PermissionGroupDelete(ctx, dbsqlc.PermissionGroupDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "permission group")
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "permission_group.deleted", TargetType: "permission_group",
			TargetID: id.String(), Data: map[string]any{"before": groupSummary(cur), "members_moved_to_default": moved, "default_group_id": def.ID.String()}})
	})
}
