// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// maxGroupMembers bounds the members one request may name (a PATCH adds in deltas, so a
// group may grow beyond it over several requests).
const maxGroupMembers = 20000

func groupEvent(orgID, id uuid.UUID, typ string, data map[string]any) audit.Event {
	return audit.Event{OrgID: orgID, Type: typ, TargetType: "scim_group", TargetID: id.String(), Data: data}
}

// groupDoc validates a canonical group document, returning its displayName and the members
// it lists (which are kept as rows, not in the document).
func groupDoc(doc map[string]any) (string, *string, []uuid.UUID, bool, error) {
	dn, _ := doc["displayName"].(string)
	dn = strings.TrimSpace(dn)
	if dn == "" || len(dn) > 256 || strings.ContainsAny(dn, "\x00\r\n") {
		return "", nil, nil, false, invalid(InvalidValue, "displayName is required (at most 256 characters)")
	}
	doc["displayName"] = dn
	var ext *string
	if s, ok := doc["externalId"].(string); ok {
		ext = &s
	}
	raw, has := doc["members"]
	delete(doc, "members")
	if !has {
		return dn, ext, nil, false, nil
	}
	ids, err := memberValueIDs(raw)
	if err != nil {
		return "", nil, nil, false, err
	}
	if len(ids) > maxGroupMembers {
		return "", nil, nil, false, invalid(InvalidValue, "one request may name at most %d members", maxGroupMembers)
	}
	return dn, ext, ids, true, nil
}

// canonicalGroup canonicalizes but keeps members (canonicalize would check them as values).
func canonicalGroup(body map[string]any) (map[string]any, error) {
	key, members, has := getFold(body, "members")
	if has {
		delete(body, key)
	}
	doc, err := canonicalize(KindGroup, body)
	if err != nil {
		return nil, err
	}
	if has && members != nil {
		doc["members"] = members
	}
	return doc, nil
}

// checkMembers refuses ids that are not members of the org.
func checkMembers(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := q.SCIMMembersExisting(ctx, dbsqlc.SCIMMembersExistingParams{OrgID: orgID, MemberIds: ids})
	if err != nil {
		return err
	}
	if len(found) == len(dedupe(ids)) {
		return nil
	}
	have := map[uuid.UUID]bool{}
	for _, id := range found {
		have[id] = true
	}
	for _, id := range ids {
		if !have[id] {
			return invalid(InvalidValue, "member %s is not a user of this organization", id)
		}
	}
	return nil
}

func dedupe(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// CreateGroup creates a group with its initial members.
func (s *Service) CreateGroup(ctx context.Context, orgID uuid.UUID, body map[string]any) (Group, error) {
	return s.createGroup(ctx, orgID, body, "SCIM")
}

func (s *Service) createGroup(ctx context.Context, orgID uuid.UUID, body map[string]any, source string) (Group, error) {
	doc, err := canonicalGroup(body)
	if err != nil {
		return Group{}, err
	}
	dn, ext, members, _, err := groupDoc(doc)
	if err != nil {
		return Group{}, err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return Group{}, err
	}
	var g Group
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMGroupInsert(ctx, dbsqlc.SCIMGroupInsertParams{ID: newID(), OrgID: orgID, DisplayName: dn, ExternalID: ext, Attrs: raw, Source: source})
		if err != nil {
			return translate(err, "group")
		}
		if g, err = groupFromRow(row); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, groupEvent(orgID, g.ID, "scim_group.created", map[string]any{"after": map[string]any{"display_name": dn, "external_id": ext}})); err != nil {
			return err
		}
		if err := s.applyMemberChanges(ctx, q, g, []MemberChange{{Kind: "add", IDs: members}}); err != nil {
			return err
		}
		return s.loadMembers(ctx, q, &g)
	})
	return g, translate(err, "group")
}

func (s *Service) loadMembers(ctx context.Context, q *dbsqlc.Queries, g *Group) error {
	rows, err := q.SCIMGroupMemberList(ctx, dbsqlc.SCIMGroupMemberListParams{OrgID: g.OrgID, GroupID: g.ID})
	if err != nil {
		return err
	}
	g.Members = make([]MemberRef, len(rows))
	for i, r := range rows {
		g.Members[i] = MemberRef{ID: r.MemberID, Display: r.Display}
	}
	return nil
}

// GetGroup returns a group; members are read only when wanted.
func (s *Service) GetGroup(ctx context.Context, orgID, id uuid.UUID, withMembers bool) (Group, error) {
	q := dbsqlc.New(s.db)
	row, err := q.SCIMGroupGet(ctx, dbsqlc.SCIMGroupGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Group{}, translate(err, "group")
	}
	g, err := groupFromRow(row)
	if err != nil {
		return Group{}, err
	}
	if withMembers {
		err = s.loadMembers(ctx, q, &g)
	}
	return g, err
}

// ReplaceGroup is PUT: attributes replaced; the member list, when given, becomes the set.
func (s *Service) ReplaceGroup(ctx context.Context, orgID, id uuid.UUID, body map[string]any, ifVersion *int32, withMembers bool) (Group, error) {
	doc, err := canonicalGroup(body)
	if err != nil {
		return Group{}, err
	}
	return s.writeGroup(ctx, orgID, id, ifVersion, withMembers, func(_ map[string]any) (map[string]any, []MemberChange, error) {
		_, members, has := getFold(doc, "members")
		var changes []MemberChange
		if has {
			ids, err := memberValueIDs(members)
			if err != nil {
				return nil, nil, err
			}
			changes = []MemberChange{{Kind: "set", IDs: ids}}
		} else {
			changes = []MemberChange{{Kind: "remove_all"}}
		}
		deleteFold(doc, "members")
		return doc, changes, nil
	})
}

// PatchGroup applies PATCH operations; member changes are deltas.
func (s *Service) PatchGroup(ctx context.Context, orgID, id uuid.UUID, ops []PatchOp, ifVersion *int32, withMembers bool) (Group, error) {
	return s.writeGroup(ctx, orgID, id, ifVersion, withMembers, func(cur map[string]any) (map[string]any, []MemberChange, error) {
		p := &Patcher{Kind: KindGroup, ID: id.String(), Doc: cur}
		if err := p.Apply(ops); err != nil {
			return nil, nil, err
		}
		return p.Doc, p.Members, nil
	})
}

func (s *Service) writeGroup(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32, withMembers bool,
	change func(cur map[string]any) (map[string]any, []MemberChange, error)) (Group, error) {
	var g Group
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMGroupGetForUpdate(ctx, dbsqlc.SCIMGroupGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "group")
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the group changed since it was read")
		}
		cur, err := groupFromRow(row)
		if err != nil {
			return err
		}
		doc, changes, err := change(cur.Attrs)
		if err != nil {
			return err
		}
		dn, ext, _, _, err := groupDoc(doc)
		if err != nil {
			return err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if !sameJSON(row.Attrs, doc) {
			if row, err = q.SCIMGroupUpdate(ctx, dbsqlc.SCIMGroupUpdateParams{OrgID: orgID, ID: id, DisplayName: dn, ExternalID: ext, Attrs: raw}); err != nil {
				return translate(err, "group")
			}
			if err := audit.Record(ctx, q, groupEvent(orgID, id, "scim_group.updated", map[string]any{
				"before": map[string]any{"display_name": cur.DisplayName}, "after": map[string]any{"display_name": dn, "external_id": ext}})); err != nil {
				return err
			}
			// A rename can change which permission group the members map to.
			if cur.DisplayName != dn {
				members, err := q.SCIMMembersOfGroups(ctx, dbsqlc.SCIMMembersOfGroupsParams{OrgID: orgID, GroupIds: []uuid.UUID{id}})
				if err != nil {
					return err
				}
				if err := s.recompute(ctx, q, orgID, members); err != nil {
					return err
				}
			}
		}
		if g, err = groupFromRow(row); err != nil {
			return err
		}
		if err := s.applyMemberChanges(ctx, q, g, changes); err != nil {
			return err
		}
		if withMembers {
			return s.loadMembers(ctx, q, &g)
		}
		return nil
	})
	return g, translate(err, "group")
}

// applyMemberChanges applies membership deltas in order, recomputes the permission group of
// every member touched, and records one audit event with what changed.
func (s *Service) applyMemberChanges(ctx context.Context, q *dbsqlc.Queries, g Group, changes []MemberChange) error {
	var added, removed []uuid.UUID
	for _, c := range changes {
		ids := dedupe(c.IDs)
		switch c.Kind {
		case "add", "set":
			if err := checkMembers(ctx, q, g.OrgID, ids); err != nil {
				return err
			}
		}
		switch c.Kind {
		case "add":
			if len(ids) == 0 {
				continue
			}
			got, err := q.SCIMGroupMembersAdd(ctx, dbsqlc.SCIMGroupMembersAddParams{OrgID: g.OrgID, GroupID: g.ID, MemberIds: ids})
			if err != nil {
				return err
			}
			added = append(added, got...)
		case "remove":
			if len(ids) == 0 {
				continue
			}
			got, err := q.SCIMGroupMembersRemove(ctx, dbsqlc.SCIMGroupMembersRemoveParams{OrgID: g.OrgID, GroupID: g.ID, MemberIds: ids})
			if err != nil {
				return err
			}
			removed = append(removed, got...)
		case "remove_all", "set":
			got, err := q.SCIMGroupMembersRemoveAll(ctx, dbsqlc.SCIMGroupMembersRemoveAllParams{OrgID: g.OrgID, GroupID: g.ID})
			if err != nil {
				return err
			}
			if c.Kind == "set" && len(ids) > 0 {
				back, err := q.SCIMGroupMembersAdd(ctx, dbsqlc.SCIMGroupMembersAddParams{OrgID: g.OrgID, GroupID: g.ID, MemberIds: ids})
				if err != nil {
					return err
				}
				keep := map[uuid.UUID]bool{}
				for _, id := range back {
					keep[id] = true
				}
				old := map[uuid.UUID]bool{}
				for _, id := range got {
					old[id] = true
					if !keep[id] {
						removed = append(removed, id)
					}
				}
				for _, id := range back {
					if !old[id] {
						added = append(added, id)
					}
				}
				continue
			}
			removed = append(removed, got...)
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return nil
	}
	if err := q.SCIMGroupTouch(ctx, dbsqlc.SCIMGroupTouchParams{OrgID: g.OrgID, ID: g.ID}); err != nil {
		return err
	}
	touched := dedupe(append(slices.Clone(added), removed...))
	if err := s.recompute(ctx, q, g.OrgID, touched); err != nil {
		return err
	}
	const sample = 100
	return audit.Record(ctx, q, groupEvent(g.OrgID, g.ID, "scim_group.members_changed", map[string]any{
		"added_count": len(added), "removed_count": len(removed),
		"added": idSample(added, sample), "removed": idSample(removed, sample)}))
}

func idSample(ids []uuid.UUID, n int) []string {
	out := make([]string, 0, min(n, len(ids)))
	for i, id := range ids {
		if i == n {
			break
		}
		out = append(out, id.String())
	}
	return out
}

// DeleteGroup deletes a group; its members' permission groups are recomputed.
func (s *Service) DeleteGroup(ctx context.Context, orgID, id uuid.UUID) error {
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMGroupGetForUpdate(ctx, dbsqlc.SCIMGroupGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "group")
		}
		members, err := q.SCIMMembersOfGroups(ctx, dbsqlc.SCIMMembersOfGroupsParams{OrgID: orgID, GroupIds: []uuid.UUID{id}})
		if err != nil {
			return err
		}
		if _, err := q.SCIMGroupDelete(ctx, dbsqlc.SCIMGroupDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return err
		}
		if err := s.recompute(ctx, q, orgID, members); err != nil {
			return err
		}
		return audit.Record(ctx, q, groupEvent(orgID, id, "scim_group.deleted", map[string]any{"before": map[string]any{"display_name": row.DisplayName, "member_count": len(members)}}))
	})
	return translate(err, "group")
}
