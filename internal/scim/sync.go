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

// BulkCreateUsers provisions users new to the org in a few set-based statements (the
// first sync of a large directory is almost all creates). It returns the users it created
// and those it left for the one-by-one path: invalid entries, emails or userNames already in
// the org, and duplicates within the batch. One audit event lists the members created.
func (s *Service) BulkCreateUsers(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, users []DirectoryUser) (created []DirectoryUser, rest []DirectoryUser, err error) {
	type cand struct {
		du    DirectoryUser
		f     userFields
		attrs []byte
	}
	var cands []cand
	seenEmail, seenName := map[string]bool{}, map[string]bool{}
	var emails, names []string
	for _, du := range users {
		doc, err := canonicalize(KindUser, desiredDoc(nil, du))
		if err != nil {
			rest = append(rest, du)
			continue
		}
		f, err := userFieldsOf(doc, du.Active)
		le, ln := strings.ToLower(f.email), strings.ToLower(f.userName)
		if err != nil || seenEmail[le] || seenName[ln] {
			rest = append(rest, du)
			continue
		}
		seenEmail[le], seenName[ln] = true, true
		raw, _ := json.Marshal(doc)
		cands = append(cands, cand{du: du, f: f, attrs: raw})
		emails, names = append(emails, le), append(names, ln)
	}
	if len(cands) == 0 {
		return nil, rest, nil
	}
	takenEmails, err := q.SCIMMembersByEmails(ctx, dbsqlc.SCIMMembersByEmailsParams{OrgID: orgID, Emails: emails})
	if err != nil {
		return nil, nil, err
	}
	takenNames, err := q.SCIMUserNamesTaken(ctx, dbsqlc.SCIMUserNamesTakenParams{OrgID: orgID, UserNames: names})
	if err != nil {
		return nil, nil, err
	}
	taken := map[string]bool{}
	for _, e := range takenEmails {
		taken["e:"+e] = true
	}
	for _, n := range takenNames {
		taken["n:"+n] = true
	}
	def, err := q.PermissionGroupGetDefault(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	var mp dbsqlc.SCIMBulkInsertMembersParams
	mp.OrgID, mp.GroupID = orgID, def.ID
	byID := map[uuid.UUID]cand{}
	for _, c := range cands {
		if taken["e:"+strings.ToLower(c.f.email)] || taken["n:"+strings.ToLower(c.f.userName)] {
			rest = append(rest, c.du)
			continue
		}
		id := newID()
		byID[id] = c
		mp.Ids = append(mp.Ids, id)
		mp.UserIds = append(mp.UserIds, newID())
		mp.Emails = append(mp.Emails, c.f.email)
		mp.Names = append(mp.Names, c.f.name)
		mp.Statuses = append(mp.Statuses, statusOf(c.f.active))
	}
	if len(mp.Ids) == 0 {
		return nil, rest, nil
	}
	inserted, err := q.SCIMBulkInsertMembers(ctx, mp)
	if err != nil {
		return nil, nil, err
	}
	var up dbsqlc.SCIMBulkInsertUsersParams
	up.OrgID = orgID
	done := map[uuid.UUID]bool{}
	for _, id := range inserted {
		c := byID[id]
		done[id] = true
		up.MemberIds = append(up.MemberIds, id)
		up.UserNames = append(up.UserNames, c.f.userName)
		up.ExternalIds = append(up.ExternalIds, c.du.ExternalID)
		up.Actives = append(up.Actives, c.f.active)
		up.Attrs = append(up.Attrs, c.attrs)
	}
	for _, id := range mp.Ids {
		if !done[id] { // lost a race with a concurrent push: do it one by one
			rest = append(rest, byID[id].du)
		}
	}
	withUser, err := q.SCIMBulkInsertUsers(ctx, up)
	if err != nil {
		return nil, nil, err
	}
	ok := map[uuid.UUID]bool{}
	for _, id := range withUser {
		ok[id] = true
	}
	var orphans []uuid.UUID
	ids := make([]string, 0, len(withUser))
	for _, id := range inserted {
		if !ok[id] {
			orphans = append(orphans, id)
			rest = append(rest, byID[id].du)
			continue
		}
		created = append(created, byID[id].du)
		ids = append(ids, id.String())
	}
	if len(orphans) > 0 {
		if err := q.SCIMMembersDelete(ctx, dbsqlc.SCIMMembersDeleteParams{OrgID: orgID, Ids: orphans}); err != nil {
			return nil, nil, err
		}
	}
	if len(ids) > 0 {
		if err := audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "directory_sync.users_provisioned", TargetType: "member", TargetID: ids[0],
			Data: map[string]any{"count": len(ids), "member_ids": ids, "source": "directory_sync"}}); err != nil {
			return nil, nil, err
		}
	}
	return created, rest, nil
}

// UserUpToDate reports whether a live local user already matches the directory, so the
// sync can skip it without a savepoint or a write.
func UserUpToDate(local *dbsqlc.ScimUser, du DirectoryUser) bool {
	if local == nil || local.DeletedAt != nil {
		return false
	}
	cur, err := userFromRow(*local)
	if err != nil {
		return false
	}
	doc, err := canonicalize(KindUser, desiredDoc(cur.Attrs, du))
	if err != nil {
		return false
	}
	f, err := userFieldsOf(doc, du.Active)
	return err == nil && local.UserName == f.userName && local.Active == f.active && sameJSON(local.Attrs, doc)
}
