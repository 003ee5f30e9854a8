// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
)

// The reconcile functions below are what directory sync (internal/directory) applies in
// its batch transactions: the same member lifecycle, audit events and group recomputation as
// a SCIM push, so pulled and pushed changes are indistinguishable downstream.

// DirectoryUser is a user as the directory lists it.
type DirectoryUser struct {
	ExternalID  string
	UserName    string
	Email       string
	GivenName   string
	FamilyName  string
	DisplayName string
	Active      bool
}

// Reconcile results.
const (
	Unchanged   = "unchanged"
	Created     = "created"
	Updated     = "updated"
	Suspended   = "suspended"
	Reactivated = "reactivated"
)

// desiredDoc merges the directory's view of a user into its stored document, keeping
// attributes the directory does not speak about.
func desiredDoc(cur map[string]any, du DirectoryUser) map[string]any {
	doc := map[string]any{}
	if cur != nil {
		doc = deepCopy(cur).(map[string]any)
	}
	doc["userName"] = du.UserName
	doc["externalId"] = du.ExternalID
	doc["active"] = du.Active
	name, _ := doc["name"].(map[string]any)
	if name == nil {
		name = map[string]any{}
	}
	setOrDelete(name, "givenName", du.GivenName)
	setOrDelete(name, "familyName", du.FamilyName)
	if len(name) > 0 {
		doc["name"] = name
	} else {
		delete(doc, "name")
	}
	setOrDelete(doc, "displayName", du.DisplayName)
	if du.Email != "" {
		emails := asList(doc["emails"])
		found := false
		for _, e := range emails {
			if obj, ok := e.(map[string]any); ok {
				if p, _ := obj["primary"].(bool); p {
					obj["value"] = du.Email
					found = true
				}
			}
		}
		if !found {
			emails = append([]any{map[string]any{"value": du.Email, "type": "work", "primary": true}}, emails...)
		}
		doc["emails"] = emails
	}
	return doc
}

func setOrDelete(m map[string]any, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}

// ReconcileUser makes the local user match the directory. local is the matching row (by
// external id or userName), nil when there is none. It returns what it did and, for a
// change, which fields differed.
func (s *Service) ReconcileUser(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, local *dbsqlc.ScimUser, du DirectoryUser) (string, string, error) {
	if local == nil {
		doc, err := canonicalize(KindUser, desiredDoc(nil, du))
		if err != nil {
			return "", "", err
		}
		f, err := userFieldsOf(doc, du.Active)
		if err != nil {
			return "", "", err
		}
		if _, err := s.createUserTx(ctx, q, orgID, doc, f, "DIRECTORY_SYNC"); err != nil {
			return "", "", translate(err, "user")
		}
		return Created, "", nil
	}
	cur, err := userFromRow(*local)
	if err != nil {
		return "", "", err
	}
	if local.DeletedAt != nil && !du.Active {
		return Unchanged, "", nil
	}
	doc, err := canonicalize(KindUser, desiredDoc(cur.Attrs, du))
	if err != nil {
		return "", "", err
	}
	f, err := userFieldsOf(doc, du.Active)
	if err != nil {
		return "", "", err
	}
	if local.DeletedAt == nil && sameJSON(local.Attrs, doc) && local.UserName == f.userName && local.Active == f.active {
		return Unchanged, "", nil
	}
	var changed []string
	for _, k := range []string{"userName", "externalId", "active", "displayName", "name", "emails"} {
		a, _ := json.Marshal(cur.Attrs[k])
		b, _ := json.Marshal(doc[k])
		if string(a) != string(b) {
			changed = append(changed, k)
		}
	}
	before, _ := userFieldsOf(deepCopy(cur.Attrs).(map[string]any), cur.Active)
	if _, err := s.updateUserTx(ctx, q, *local, doc, before, f); err != nil {
		return "", "", err
	}
	res := Updated
	switch {
	case local.DeletedAt != nil || !local.Active && f.active:
		res = Reactivated
	case local.Active && !f.active:
		res = Suspended
	}
	return res, strings.Join(changed, ","), nil
}

// SuspendUser suspends a live user the directory no longer lists.
func (s *Service) SuspendUser(ctx context.Context, q *dbsqlc.Queries, local dbsqlc.ScimUser) error {
	cur, err := userFromRow(local)
	if err != nil {
		return err
	}
	doc := deepCopy(cur.Attrs).(map[string]any)
	doc["active"] = false
	f, err := userFieldsOf(doc, false)
	if err != nil {
		return err
	}
	before, _ := userFieldsOf(deepCopy(cur.Attrs).(map[string]any), cur.Active)
	_, err = s.updateUserTx(ctx, q, local, doc, before, f)
	return err
}

// ReconcileGroup creates or renames the local group for a directory group and returns its id.
func (s *Service) ReconcileGroup(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, local *dbsqlc.ScimGroup, externalID, displayName string) (uuid.UUID, string, error) {
	doc := map[string]any{"displayName": displayName, "externalId": externalID}
	if local == nil {
		dn, ext, _, _, err := groupDoc(doc)
		if err != nil {
			return uuid.Nil, "", err
		}
		raw, _ := json.Marshal(doc)
		row, err := q.SCIMGroupInsert(ctx, dbsqlc.SCIMGroupInsertParams{ID: newID(), OrgID: orgID, DisplayName: dn, ExternalID: ext, Attrs: raw, Source: "DIRECTORY_SYNC"})
		if err != nil {
			return uuid.Nil, "", translate(err, "group")
		}
		return row.ID, Created, audit.Record(ctx, q, groupEvent(orgID, row.ID, "scim_group.created", map[string]any{"after": map[string]any{"display_name": dn, "external_id": ext}, "source": "directory_sync"}))
	}
	if local.DisplayName == displayName && local.ExternalID != nil && *local.ExternalID == externalID {
		return local.ID, Unchanged, nil
	}
	cur, err := groupFromRow(*local)
	if err != nil {
		return uuid.Nil, "", err
	}
	cur.Attrs["displayName"] = displayName
	cur.Attrs["externalId"] = externalID
	raw, _ := json.Marshal(cur.Attrs)
	if _, err := q.SCIMGroupUpdate(ctx, dbsqlc.SCIMGroupUpdateParams{OrgID: orgID, ID: local.ID, DisplayName: displayName, ExternalID: &externalID, Attrs: raw}); err != nil {
		return uuid.Nil, "", translate(err, "group")
	}
	if err := audit.Record(ctx, q, groupEvent(orgID, local.ID, "scim_group.updated", map[string]any{"before": map[string]any{"display_name": local.DisplayName},
		"after": map[string]any{"display_name": displayName, "external_id": externalID}, "source": "directory_sync"})); err != nil {
		return uuid.Nil, "", err
	}
	members, err := q.SCIMMembersOfGroups(ctx, dbsqlc.SCIMMembersOfGroupsParams{OrgID: orgID, GroupIds: []uuid.UUID{local.ID}})
	if err != nil {
		return uuid.Nil, "", err
	}
	return local.ID, Updated, s.recompute(ctx, q, orgID, members)
}

// ChangeMembers applies membership deltas to a group (with recomputation and audit).
func (s *Service) ChangeMembers(ctx context.Context, q *dbsqlc.Queries, orgID, groupID uuid.UUID, add, remove []uuid.UUID) error {
	return s.applyMemberChanges(ctx, q, Group{ID: groupID, OrgID: orgID}, []MemberChange{{Kind: "add", IDs: add}, {Kind: "remove", IDs: remove}})
}

// DeleteGroupTx deletes a group inside the caller's transaction.
func (s *Service) DeleteGroupTx(ctx context.Context, q *dbsqlc.Queries, orgID, groupID uuid.UUID) error {
	members, err := q.SCIMMembersOfGroups(ctx, dbsqlc.SCIMMembersOfGroupsParams{OrgID: orgID, GroupIds: []uuid.UUID{groupID}})
	if err != nil {
		return err
	}
	if _, err := q.SCIMGroupDelete(ctx, dbsqlc.SCIMGroupDeleteParams{OrgID: orgID, ID: groupID}); err != nil {
		return err
	}
	if err := s.recompute(ctx, q, orgID, members); err != nil {
		return err
	}
	return audit.Record(ctx, q, groupEvent(orgID, groupID, "scim_group.deleted", map[string]any{"source": "directory_sync", "member_count": len(members)}))
}

// sameJSON compares a stored jsonb document with a document semantically (jsonb output
// spacing and key order differ from encoding/json's).
func sameJSON(stored []byte, doc map[string]any) bool {
	var m any
	if json.Unmarshal(stored, &m) != nil {
		return false
	}
	a, _ := json.Marshal(m)
	b, _ := json.Marshal(doc)
	return string(a) == string(b)
}
