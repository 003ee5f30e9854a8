// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// WorkspacePatch changes a workspace; nil fields are unchanged. Create requires Name.
type WorkspacePatch struct {
	Name        *string
	ExternalKey *string
}

func workspaceSummary(w Workspace) map[string]any {
	return map[string]any{"name": w.Name, "external_key": w.ExternalKey}
}

func (p WorkspacePatch) apply(cur Workspace, creating bool) (Workspace, error) {
	var f errcode.Fields
	next := cur
	if p.Name != nil {
		checkName(&f, "name", *p.Name, maxNameLen, true)
		next.Name = strings.TrimSpace(*p.Name)
	} else if creating {
		f.Add("name", "is required")
	}
	checkExternalKey(&f, p.ExternalKey)
	if p.ExternalKey != nil {
		next.ExternalKey = p.ExternalKey
	}
	return next, f.Err()
}

func sameWorkspace(a, b Workspace) bool {
	return a.Name == b.Name && eqPtr(a.ExternalKey, b.ExternalKey)
}

func eqPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// CreateWorkspace creates a workspace.
func (s *Service) CreateWorkspace(ctx context.Context, orgID uuid.UUID, in WorkspacePatch) (Workspace, error) {
	w, err := in.apply(Workspace{}, true)
	if err != nil {
		return Workspace{}, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		w, err = insertWorkspace(ctx, q, orgID, w)
		if database.IsNoRows(err) {
			return translateKeyTaken("workspace")
		}
		return err
	})
	return w, err
}

func translateKeyTaken(what string) error {
	return &errcode.Error{Code: errcode.Conflict, Message: "a " + what + " with this external_key already exists",
		Fields: []errcode.FieldError{{Field: "external_key", Message: "already taken"}}}
}

// insertWorkspace inserts and audits; pgx.ErrNoRows means the external key is taken.
func insertWorkspace(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, w Workspace) (Workspace, error) {
	row, err := q.WorkspaceInsert(ctx, dbsqlc.WorkspaceInsertParams{ID: newID(), OrgID: orgID, Name: w.Name, ExternalKey: w.ExternalKey})
	if err != nil {
		if database.IsNoRows(err) {
			return Workspace{}, err
		}
		return Workspace{}, translate(err, "workspace")
	}
	w = workspaceFromRow(row)
	return w, audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "workspace.created", WorkspaceID: &w.ID, TargetType: "workspace",
		TargetID: w.ID.String(), Data: map[string]any{"after": workspaceSummary(w)}})
}

// GetWorkspace returns one workspace of the org.
func (s *Service) GetWorkspace(ctx context.Context, orgID, id uuid.UUID) (Workspace, error) {
	row, err := dbsqlc.New(s.db).WorkspaceGet(ctx, dbsqlc.WorkspaceGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Workspace{}, translate(err, "workspace")
	}
	return workspaceFromRow(row), nil
}

// GetWorkspaceByKey returns the workspace with the external key.
func (s *Service) GetWorkspaceByKey(ctx context.Context, orgID uuid.UUID, key string) (Workspace, error) {
	row, err := dbsqlc.New(s.db).WorkspaceGetByKey(ctx, dbsqlc.WorkspaceGetByKeyParams{OrgID: orgID, ExternalKey: key})
	if err != nil {
		return Workspace{}, translate(err, "workspace")
	}
	return workspaceFromRow(row), nil
}

// ListWorkspaces pages through the org's workspaces in id order.
func (s *Service) ListWorkspaces(ctx context.Context, orgID uuid.UUID, p Page) ([]Workspace, error) {
	rows, err := dbsqlc.New(s.db).WorkspaceList(ctx, dbsqlc.WorkspaceListParams{OrgID: orgID, AfterID: p.After, Limit: int32(p.Limit)})
	if err != nil {
		return nil, translate(err, "workspace")
	}
	out := make([]Workspace, len(rows))
	for i, r := range rows {
		out[i] = workspaceFromRow(r)
	}
	return out, nil
}

// UpdateWorkspace applies a patch. An unchanged result keeps the version and writes no event.
func (s *Service) UpdateWorkspace(ctx context.Context, orgID, id uuid.UUID, p WorkspacePatch, ifVersion *int32) (Workspace, error) {
	var w Workspace
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.WorkspaceGetForUpdate(ctx, dbsqlc.WorkspaceGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "workspace")
		}
		w, err = updateWorkspace(ctx, q, workspaceFromRow(row), p, ifVersion)
		return err
	})
	return w, err
}

func updateWorkspace(ctx context.Context, q *dbsqlc.Queries, cur Workspace, p WorkspacePatch, ifVersion *int32) (Workspace, error) {
	if err := checkVersion("workspace", cur.Version, ifVersion); err != nil {
		return Workspace{}, err
	}
	next, err := p.apply(cur, false)
	if err != nil {
		return Workspace{}, err
	}
	if sameWorkspace(cur, next) {
		return cur, nil
	}
	row, err := q.WorkspaceUpdate(ctx, dbsqlc.WorkspaceUpdateParams{OrgID: cur.OrgID, ID: cur.ID, Name: next.Name, ExternalKey: next.ExternalKey})
	if err != nil {
		return Workspace{}, translate(err, "workspace")
	}
	next = workspaceFromRow(row)
	return next, audit.Record(ctx, q, audit.Event{OrgID: cur.OrgID, Type: "workspace.updated", WorkspaceID: &cur.ID, TargetType: "workspace",
		TargetID: cur.ID.String(), Data: map[string]any{"before": workspaceSummary(cur), "after": workspaceSummary(next)}})
}

// UpsertWorkspace makes the workspace with the external key match the patch: created when
// missing (created=true), updated when different, untouched when equal.
func (s *Service) UpsertWorkspace(ctx context.Context, orgID uuid.UUID, key string, p WorkspacePatch, ifVersion *int32) (w Workspace, created bool, err error) {
	if !ValidExternalKey(key) {
		return Workspace{}, false, errcode.Invalid("external_key", "must be 1-200 letters, digits or . _ : @ -")
	}
	if p.ExternalKey != nil && *p.ExternalKey != key {
		return Workspace{}, false, errcode.Invalid("external_key", "must equal the key in the path when given")
	}
	p.ExternalKey = &key
	err = s.upsert(ctx, func(q *dbsqlc.Queries) error {
		created = false
		row, err := q.WorkspaceGetByKeyForUpdate(ctx, dbsqlc.WorkspaceGetByKeyForUpdateParams{OrgID: orgID, ExternalKey: key})
		if database.IsNoRows(err) {
			if ifVersion != nil {
				return preconditionFailed("workspace", 0, *ifVersion)
			}
			next, err := p.apply(Workspace{}, true)
			if err != nil {
				return err
			}
			w, err = insertWorkspace(ctx, q, orgID, next)
			if database.IsNoRows(err) {
				return errRetry
			}
			created = err == nil
			return err
		}
		if err != nil {
			return translate(err, "workspace")
		}
		w, err = updateWorkspace(ctx, q, workspaceFromRow(row), p, ifVersion)
		return err
	})
	return w, created, err
}

// DeleteWorkspace deletes a workspace; its memberships go with it.
func (s *Service) DeleteWorkspace(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.WorkspaceGetForUpdate(ctx, dbsqlc.WorkspaceGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "workspace")
		}
		cur := workspaceFromRow(row)
		if err := checkVersion("workspace", cur.Version, ifVersion); err != nil {
			return err
		}
		if _, err := q.WorkspaceDelete(ctx, dbsqlc.WorkspaceDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "workspace")
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "workspace.deleted", WorkspaceID: &cur.ID, TargetType: "workspace",
			TargetID: id.String(), Data: map[string]any{"before": workspaceSummary(cur)}})
	})
}

// AddWorkspaceMember adds a member to a workspace; adding twice changes nothing.
func (s *Service) AddWorkspaceMember(ctx context.Context, orgID, workspaceID, memberID uuid.UUID) (added bool, err error) {
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if _, err := q.WorkspaceGet(ctx, dbsqlc.WorkspaceGetParams{OrgID: orgID, ID: workspaceID}); err != nil {
			return translate(err, "workspace")
		}
		if _, err := q.MemberGet(ctx, dbsqlc.MemberGetParams{OrgID: orgID, ID: memberID}); err != nil {
			return translate(err, "member")
		}
		added, err = addMembership(ctx, q, orgID, workspaceID, memberID)
		return err
	})
	return added, err
}

// RemoveWorkspaceMember removes a member from a workspace; not a member is not found.
func (s *Service) RemoveWorkspaceMember(ctx context.Context, orgID, workspaceID, memberID uuid.UUID) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		removed, err := removeMembership(ctx, q, orgID, workspaceID, memberID)
		if err == nil && !removed {
			return notFound("workspace membership")
		}
		return err
	})
}

func addMembership(ctx context.Context, q *dbsqlc.Queries, orgID, workspaceID, memberID uuid.UUID) (bool, error) {
	n, err := q.WorkspaceMemberAdd(ctx, dbsqlc.WorkspaceMemberAddParams{OrgID: orgID, WorkspaceID: workspaceID, MemberID: memberID})
	if err != nil || n == 0 {
		return false, translate(err, "workspace membership")
	}
	return true, audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "workspace.member_added", WorkspaceID: &workspaceID,
		TargetType: "member", TargetID: memberID.String(), Data: map[string]any{"workspace_id": workspaceID.String(), "member_id": memberID.String()}})
}

func removeMembership(ctx context.Context, q *dbsqlc.Queries, orgID, workspaceID, memberID uuid.UUID) (bool, error) {
	n, err := q.WorkspaceMemberRemove(ctx, dbsqlc.WorkspaceMemberRemoveParams{OrgID: orgID, WorkspaceID: workspaceID, MemberID: memberID})
	if err != nil || n == 0 {
		return false, translate(err, "workspace membership")
	}
	return true, audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "workspace.member_removed", WorkspaceID: &workspaceID,
		TargetType: "member", TargetID: memberID.String(), Data: map[string]any{"workspace_id": workspaceID.String(), "member_id": memberID.String()}})
}

// ListWorkspaceMembers pages through the members of one workspace.
func (s *Service) ListWorkspaceMembers(ctx context.Context, orgID, workspaceID uuid.UUID, p Page) ([]Member, error) {
	q := dbsqlc.New(s.db)
	if _, err := q.WorkspaceGet(ctx, dbsqlc.WorkspaceGetParams{OrgID: orgID, ID: workspaceID}); err != nil {
		return nil, translate(err, "workspace")
	}
	rows, err := q.WorkspaceMemberList(ctx, dbsqlc.WorkspaceMemberListParams{OrgID: orgID, WorkspaceID: workspaceID, AfterID: p.After, Limit: int32(p.Limit)})
	if err != nil {
		return nil, translate(err, "member")
	}
	return withWorkspaces(ctx, q, orgID, rows)
}
