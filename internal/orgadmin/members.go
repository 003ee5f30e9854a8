// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// MemberPatch changes a member; nil fields are unchanged. Create requires Email; on create
// Role defaults to MEMBER, Status to ACTIVE, Source to MANUAL, the group to Default and
// UserID to a new id. WorkspaceIDs, when given, is the complete set of the member's workspaces.
type MemberPatch struct {
	Email             *string
	Name              *string
	Role              *string
	Status            *string
	Source            *string // set by SSO JIT, SCIM and directory sync; the Admin API creates MANUAL members
	UserID            *uuid.UUID
	PermissionGroupID *uuid.UUID
	WorkspaceIDs      []uuid.UUID // nil: unchanged
	ExternalKey       *string
}

func (p MemberPatch) apply(cur Member, creating bool) (Member, error) {
	var f errcode.Fields
	next := cur
	if creating {
		next.Role, next.Status, next.Source = RoleMember, StatusActive, SourceManual
		next.UserID = newID()
		if p.Email == nil {
			f.Add("email", "is required")
		}
	}
	if p.Email != nil {
		e, err := NormalizeEmail(*p.Email)
		if err != nil {
			if ee, ok := errcode.As(err); ok {
				f = append(f, ee.Fields...)
			}
		}
		next.Email = e
	}
	if p.Name != nil {
		checkName(&f, "name", *p.Name, maxNameLen, false)
		next.Name = strings.TrimSpace(*p.Name)
	}
	if p.Role != nil {
		next.Role = parseRole(&f, *p.Role)
	}
	if p.Status != nil {
		next.Status = parseStatus(&f, *p.Status)
	}
	if p.Source != nil {
		if !creating && Source(*p.Source) != cur.Source {
			f.Add("source", "cannot change after creation")
		}
		next.Source = parseSource(&f, *p.Source)
	}
	if p.UserID != nil {
		if !creating && *p.UserID != cur.UserID {
			f.Add("user_id", "cannot change after creation")
		}
		if *p.UserID == uuid.Nil {
			f.Add("user_id", "must not be the nil UUID")
		}
		next.UserID = *p.UserID
	}
	if p.PermissionGroupID != nil {
		next.PermissionGroupID = *p.PermissionGroupID
	}
	if p.WorkspaceIDs != nil {
		if len(p.WorkspaceIDs) > maxWorkspaceIDs {
			f.Add("workspace_ids", "must have at most %d entries", maxWorkspaceIDs)
		}
		ids := slices.Clone(p.WorkspaceIDs)
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
		next.WorkspaceIDs = slices.Compact(ids)
	}
	checkExternalKey(&f, p.ExternalKey)
	if p.ExternalKey != nil {
		next.ExternalKey = p.ExternalKey
	}
	return next, f.Err()
}

func sameMemberRow(a, b Member) bool {
	return a.Email == b.Email && a.Name == b.Name && a.Role == b.Role && a.Status == b.Status &&
		a.PermissionGroupID == b.PermissionGroupID && eqPtr(a.ExternalKey, b.ExternalKey)
}

func memberSummary(m Member) map[string]any {
	return map[string]any{"user_id": m.UserID.String(), "email": m.Email, "name": m.Name, "role": m.Role, "status": m.Status,
		"source": m.Source, "permission_group_id": m.PermissionGroupID.String(), "external_key": m.ExternalKey}
}

func memberEvent(m Member, typ string, data map[string]any) audit.Event {
	return audit.Event{OrgID: m.OrgID, Type: typ, TargetType: "member", TargetID: m.ID.String(), Data: data}
}

// checkRefs verifies the group and workspaces a member would point at belong to the org.
func checkRefs(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, m Member, groupChanged, workspacesGiven bool) error {
	if groupChanged {
		if _, err := q.PermissionGroupGet(ctx, dbsqlc.PermissionGroupGetParams{OrgID: orgID, ID: m.PermissionGroupID}); err != nil {
			if database.IsNoRows(err) {
				return errcode.Invalid("permission_group_id", "no such permission group in this organization")
			}
			return err
		}
	}
	if workspacesGiven && len(m.WorkspaceIDs) > 0 {
		n, err := q.WorkspaceCountIn(ctx, dbsqlc.WorkspaceCountInParams{OrgID: orgID, Ids: m.WorkspaceIDs})
		if err != nil {
			return err
		}
		if int(n) != len(m.WorkspaceIDs) {
			return errcode.Invalid("workspace_ids", "names a workspace that does not exist in this organization")
		}
	}
	return nil
}

// CreateMember creates a member (status, source and group as in MemberPatch).
func (s *Service) CreateMember(ctx context.Context, orgID uuid.UUID, p MemberPatch) (Member, error) {
	m, err := p.apply(Member{OrgID: orgID}, true)
	if err != nil {
		return Member{}, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		m, err = insertMember(ctx, q, orgID, m, p)
		if database.IsNoRows(err) {
			return translateKeyTaken("member")
		}
		return err
	})
	return m, err
}

func insertMember(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, m Member, p MemberPatch) (Member, error) {
	if p.PermissionGroupID == nil {
		def, err := q.PermissionGroupGetDefault(ctx, orgID)
		if err != nil {
			return Member{}, translate(err, "default permission group")
		}
		m.PermissionGroupID = def.ID
	}
	if err := checkRefs(ctx, q, orgID, m, p.PermissionGroupID != nil, p.WorkspaceIDs != nil); err != nil {
		return Member{}, err
	}
	row, err := q.MemberInsert(ctx, dbsqlc.MemberInsertParams{ID: newID(), OrgID: orgID, UserID: m.UserID, Email: m.Email, Name: m.Name,
		Role: string(m.Role), Status: string(m.Status), Source: string(m.Source), PermissionGroupID: m.PermissionGroupID, ExternalKey: m.ExternalKey})
	if err != nil {
		if database.IsNoRows(err) {
			return Member{}, err
		}
		return Member{}, translate(err, "member")
	}
	created := memberFromRow(row)
	if err := audit.Record(ctx, q, memberEvent(created, "member.created", map[string]any{"after": memberSummary(created)})); err != nil {
		return Member{}, err
	}
	for _, ws := range m.WorkspaceIDs {
		if _, err := addMembership(ctx, q, orgID, ws, created.ID); err != nil {
			return Member{}, err
		}
	}
	created.WorkspaceIDs = append([]uuid.UUID{}, m.WorkspaceIDs...)
	return created, nil
}

// GetMember returns one member of the org.
func (s *Service) GetMember(ctx context.Context, orgID, id uuid.UUID) (Member, error) {
	return s.oneMember(ctx, orgID, func(q *dbsqlc.Queries) (dbsqlc.Member, error) {
		return q.MemberGet(ctx, dbsqlc.MemberGetParams{OrgID: orgID, ID: id})
	})
}

// MemberByID is GetMember under the name later features (SSO, SCIM, policies) look for.
func (s *Service) MemberByID(ctx context.Context, orgID, id uuid.UUID) (Member, error) {
	return s.GetMember(ctx, orgID, id)
}

// MemberByEmail finds a member by email, case-insensitively.
func (s *Service) MemberByEmail(ctx context.Context, orgID uuid.UUID, email string) (Member, error) {
	return s.oneMember(ctx, orgID, func(q *dbsqlc.Queries) (dbsqlc.Member, error) {
		return q.MemberGetByEmail(ctx, dbsqlc.MemberGetByEmailParams{OrgID: orgID, Email: strings.TrimSpace(email)})
	})
}

// MemberByUserID finds the member of a user in the org.
func (s *Service) MemberByUserID(ctx context.Context, orgID, userID uuid.UUID) (Member, error) {
	return s.oneMember(ctx, orgID, func(q *dbsqlc.Queries) (dbsqlc.Member, error) {
		return q.MemberGetByUser(ctx, dbsqlc.MemberGetByUserParams{OrgID: orgID, UserID: userID})
	})
}

// MemberByKey finds a member by external key.
func (s *Service) MemberByKey(ctx context.Context, orgID uuid.UUID, key string) (Member, error) {
	return s.oneMember(ctx, orgID, func(q *dbsqlc.Queries) (dbsqlc.Member, error) {
		return q.MemberGetByKey(ctx, dbsqlc.MemberGetByKeyParams{OrgID: orgID, ExternalKey: key})
	})
}

func (s *Service) oneMember(ctx context.Context, orgID uuid.UUID, get func(q *dbsqlc.Queries) (dbsqlc.Member, error)) (Member, error) {
	q := dbsqlc.New(s.db)
	row, err := get(q)
	if err != nil {
		return Member{}, translate(err, "member")
	}
	ms, err := withWorkspaces(ctx, q, orgID, []dbsqlc.Member{row})
	if err != nil {
		return Member{}, err
	}
	return ms[0], nil
}

// withWorkspaces converts rows and fills each member's workspace ids in one query.
func withWorkspaces(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, rows []dbsqlc.Member) ([]Member, error) {
	out := make([]Member, len(rows))
	ids := make([]uuid.UUID, len(rows))
	idx := make(map[uuid.UUID]int, len(rows))
	for i, r := range rows {
		out[i] = memberFromRow(r)
		ids[i] = r.ID
		idx[r.ID] = i
	}
	if len(rows) == 0 {
		return out, nil
	}
	links, err := q.WorkspaceIDsOfMembers(ctx, dbsqlc.WorkspaceIDsOfMembersParams{OrgID: orgID, MemberIds: ids})
	if err != nil {
		return nil, translate(err, "member")
	}
	for _, l := range links {
		i := idx[l.MemberID]
		out[i].WorkspaceIDs = append(out[i].WorkspaceIDs, l.WorkspaceID)
	}
	for i := range out {
		slices.SortFunc(out[i].WorkspaceIDs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	}
	return out, nil
}

// MemberFilter narrows a member list; empty fields do not filter.
type MemberFilter struct {
	Status            *Status
	PermissionGroupID *uuid.UUID
	Email             *string
}

// ListMembers pages through the org's members in id order.
func (s *Service) ListMembers(ctx context.Context, orgID uuid.UUID, f MemberFilter, p Page) ([]Member, error) {
	q := dbsqlc.New(s.db)
	var status *string
	if f.Status != nil {
		st := string(*f.Status)
		status = &st
	}
	rows, err := q.MemberList(ctx, dbsqlc.MemberListParams{OrgID: orgID, AfterID: p.After, Limit: int32(p.Limit), Status: status,
		PermissionGroupID: f.PermissionGroupID, Email: f.Email})
	if err != nil {
		return nil, translate(err, "member")
	}
	return withWorkspaces(ctx, q, orgID, rows)
}

// UpdateMember applies a patch. Moving a member to another group is one column update, so
// concurrent moves leave the member in exactly one group (the last writer's). Leaving
// ACTIVE revokes the member's API keys in the same transaction.
func (s *Service) UpdateMember(ctx context.Context, orgID, id uuid.UUID, p MemberPatch, ifVersion *int32) (Member, error) {
	var m Member
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.MemberGetForUpdate(ctx, dbsqlc.MemberGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "member")
		}
		m, err = s.updateMember(ctx, q, row, p, ifVersion)
		return err
	})
	return m, err
}

func (s *Service) updateMember(ctx context.Context, q *dbsqlc.Queries, row dbsqlc.Member, p MemberPatch, ifVersion *int32) (Member, error) {
	cur := memberFromRow(row)
	if err := checkVersion("member", cur.Version, ifVersion); err != nil {
		return Member{}, err
	}
	withWS, err := withWorkspaces(ctx, q, cur.OrgID, []dbsqlc.Member{row})
	if err != nil {
		return Member{}, err
	}
	cur = withWS[0]
	next, err := p.apply(cur, false)
	if err != nil {
		return Member{}, err
	}
	if err := checkRefs(ctx, q, cur.OrgID, next, next.PermissionGroupID != cur.PermissionGroupID, p.WorkspaceIDs != nil); err != nil {
		return Member{}, err
	}
	out := cur
	if !sameMemberRow(cur, next) {
		updated, err := q.MemberUpdate(ctx, dbsqlc.MemberUpdateParams{OrgID: cur.OrgID, ID: cur.ID, Email: next.Email, Name: next.Name,
			Role: string(next.Role), Status: string(next.Status), PermissionGroupID: next.PermissionGroupID, ExternalKey: next.ExternalKey})
		if err != nil {
			return Member{}, translate(err, "member")
		}
		out = memberFromRow(updated)
		out.WorkspaceIDs = cur.WorkspaceIDs
		if err := s.recordMemberChange(ctx, q, cur, out); err != nil {
			return Member{}, err
		}
	}
	if p.WorkspaceIDs != nil && !slices.Equal(cur.WorkspaceIDs, next.WorkspaceIDs) {
		for _, ws := range next.WorkspaceIDs {
			if !slices.Contains(cur.WorkspaceIDs, ws) {
				if _, err := addMembership(ctx, q, cur.OrgID, ws, cur.ID); err != nil {
					return Member{}, err
				}
			}
		}
		for _, ws := range cur.WorkspaceIDs {
			if !slices.Contains(next.WorkspaceIDs, ws) {
				if _, err := removeMembership(ctx, q, cur.OrgID, ws, cur.ID); err != nil {
					return Member{}, err
				}
			}
		}
		out.WorkspaceIDs = next.WorkspaceIDs
	}
	return out, nil
}

// recordMemberChange writes one event per kind of change: profile (TEAMS), group and role
// (PERMISSIONS) and status (TEAMS), and revokes API keys when the member stops being active.
func (s *Service) recordMemberChange(ctx context.Context, q *dbsqlc.Queries, before, after Member) error {
	if before.Email != after.Email || before.Name != after.Name || !eqPtr(before.ExternalKey, after.ExternalKey) {
		if err := audit.Record(ctx, q, memberEvent(after, "member.updated", map[string]any{"before": memberSummary(before), "after": memberSummary(after)})); err != nil {
			return err
		}
	}
	if before.Role != after.Role {
		if err := audit.Record(ctx, q, memberEvent(after, "member.role_changed", map[string]any{"before": map[string]any{"role": before.Role}, "after": map[string]any{"role": after.Role}})); err != nil {
			return err
		}
	}
	if before.PermissionGroupID != after.PermissionGroupID {
		if err := audit.Record(ctx, q, memberEvent(after, "member.group_changed", map[string]any{
			"before": map[string]any{"permission_group_id": before.PermissionGroupID.String()},
			"after":  map[string]any{"permission_group_id": after.PermissionGroupID.String()}})); err != nil {
			return err
		}
	}
	if before.Status != after.Status {
		data := map[string]any{"before": map[string]any{"status": before.Status}, "after": map[string]any{"status": after.Status}}
		if after.Status != StatusActive {
			revoked, err := revokeKeys(ctx, q, after)
			if err != nil {
				return err
			}
			data["revoked_api_key_ids"] = revoked
			if before.Status == StatusActive {
				if err := s.runDeactivationHooks(ctx, q, after); err != nil {
					return err
				}
			}
		}
		typ := map[Status]string{StatusActive: "member.reactivated", StatusSuspended: "member.suspended", StatusDeprovisioned: "member.deprovisioned"}[after.Status]
		if err := audit.Record(ctx, q, memberEvent(after, typ, data)); err != nil {
			return err
		}
	}
	return nil
}

// revokeKeys revokes the API keys that act for a member. Sessions (SSO) are revoked by a
// DeactivationHook at the same point, in the same transaction.
func revokeKeys(ctx context.Context, q *dbsqlc.Queries, m Member) ([]string, error) {
	ids, err := q.APIKeyRevokeByMember(ctx, dbsqlc.APIKeyRevokeByMemberParams{OrgID: m.OrgID, MemberID: &m.ID})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out, nil
}

// UpsertMember makes the member with the external key match the patch (see UpsertWorkspace).
func (s *Service) UpsertMember(ctx context.Context, orgID uuid.UUID, key string, p MemberPatch, ifVersion *int32) (m Member, created bool, err error) {
	if !ValidExternalKey(key) {
		return Member{}, false, errcode.Invalid("external_key", "must be 1-200 letters, digits or . _ : @ -")
	}
	if p.ExternalKey != nil && *p.ExternalKey != key {
		return Member{}, false, errcode.Invalid("external_key", "must equal the key in the path when given")
	}
	p.ExternalKey = &key
	err = s.upsert(ctx, func(q *dbsqlc.Queries) error {
		created = false
		row, err := q.MemberGetByKeyForUpdate(ctx, dbsqlc.MemberGetByKeyForUpdateParams{OrgID: orgID, ExternalKey: key})
		if database.IsNoRows(err) {
			if ifVersion != nil {
				return preconditionFailed("member", 0, *ifVersion)
			}
			next, err := p.apply(Member{OrgID: orgID}, true)
			if err != nil {
				return err
			}
			m, err = insertMember(ctx, q, orgID, next, p)
			if database.IsNoRows(err) {
				return errRetry
			}
			created = err == nil
			return err
		}
		if err != nil {
			return translate(err, "member")
		}
		m, err = s.updateMember(ctx, q, row, p, ifVersion)
		return err
	})
	return m, created, err
}

// DeleteMember removes a member: their API keys are revoked and their memberships removed
// in the same transaction. (SCIM's DELETE deprovisions instead; see UpdateMember.)
func (s *Service) DeleteMember(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.MemberGetForUpdate(ctx, dbsqlc.MemberGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "member")
		}
		cur := memberFromRow(row)
		if err := checkVersion("member", cur.Version, ifVersion); err != nil {
			return err
		}
		revoked, err := revokeKeys(ctx, q, cur)
		if err != nil {
			return err
		}
		if cur.Status == StatusActive {
			if err := s.runDeactivationHooks(ctx, q, cur); err != nil {
				return err
			}
		}
		if _, err := q.MemberDelete(ctx, dbsqlc.MemberDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "member")
		}
		return audit.Record(ctx, q, memberEvent(cur, "member.deleted", map[string]any{"before": memberSummary(cur), "revoked_api_key_ids": revoked}))
	})
}

// EffectivePermissions resolves what a user may do in the org: the axes of the user's one
// permission group. Active is false for suspended and deprovisioned members, who may do
// nothing whatever their group says.
func (s *Service) EffectivePermissions(ctx context.Context, orgID, userID uuid.UUID) (EffectivePermissions, error) {
	m, err := s.MemberByUserID(ctx, orgID, userID)
	if err != nil {
		return EffectivePermissions{}, err
	}
	return s.effective(ctx, m)
}

// EffectivePermissionsOfMember is EffectivePermissions addressed by member id.
func (s *Service) EffectivePermissionsOfMember(ctx context.Context, orgID, memberID uuid.UUID) (EffectivePermissions, error) {
	m, err := s.GetMember(ctx, orgID, memberID)
	if err != nil {
		return EffectivePermissions{}, err
	}
	return s.effective(ctx, m)
}

func (s *Service) effective(ctx context.Context, m Member) (EffectivePermissions, error) {
	g, err := s.GetGroup(ctx, m.OrgID, m.PermissionGroupID)
	if err != nil {
		return EffectivePermissions{}, err
	}
	return EffectivePermissions{MemberID: m.ID, UserID: m.UserID, Email: m.Email, Role: m.Role, Status: m.Status,
		Active: m.Status == StatusActive, Group: g, FeatureRestrictions: g.FeatureRestrictions, RateLimits: g.RateLimits,
		OAuthScopeAllowlist: g.OAuthScopeAllowlist, ComponentDenylist: g.ComponentDenylist}, nil
}
