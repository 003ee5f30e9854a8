// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Service is the SCIM service provider's logic over Postgres.
type Service struct {
	db    database.DB
	admin *orgadmin.Service

	touchMu sync.Mutex
	touched map[uuid.UUID]time.Time
}

// NewService returns the SCIM service.
func NewService(db database.DB, admin *orgadmin.Service) *Service {
	return &Service{db: db, admin: admin}
}

// User is a SCIM user: a member of the org seen through SCIM.
type User struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	UserName   string
	ExternalID *string
	Active     bool
	Attrs      map[string]any
	Groups     []GroupRef
	Version    int32
	Created    time.Time
	Updated    time.Time
}

// GroupRef names a group a user belongs to.
type GroupRef struct {
	ID      uuid.UUID
	Display string
}

// Group is a SCIM group.
type Group struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	DisplayName string
	ExternalID  *string
	Attrs       map[string]any
	// Members is nil when they were not loaded (excludedAttributes=members).
	Members []MemberRef
	Version int32
	Created time.Time
	Updated time.Time
}

// MemberRef names a member of a group.
type MemberRef struct {
	ID      uuid.UUID
	Display string
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

func userFromRow(r dbsqlc.ScimUser) (User, error) {
	u := User{ID: r.MemberID, OrgID: r.OrgID, UserName: r.UserName, ExternalID: r.ExternalID, Active: r.Active,
		Version: r.Version, Created: r.CreatedAt, Updated: r.UpdatedAt, Groups: []GroupRef{}}
	if err := json.Unmarshal(r.Attrs, &u.Attrs); err != nil {
		return User{}, fmt.Errorf("scim: user %s attrs: %w", r.MemberID, err)
	}
	if u.Attrs == nil {
		u.Attrs = map[string]any{}
	}
	return u, nil
}

func groupFromRow(r dbsqlc.ScimGroup) (Group, error) {
	g := Group{ID: r.ID, OrgID: r.OrgID, DisplayName: r.DisplayName, ExternalID: r.ExternalID, Version: r.Version,
		Created: r.CreatedAt, Updated: r.UpdatedAt}
	if err := json.Unmarshal(r.Attrs, &g.Attrs); err != nil {
		return Group{}, fmt.Errorf("scim: group %s attrs: %w", r.ID, err)
	}
	if g.Attrs == nil {
		g.Attrs = map[string]any{}
	}
	return g, nil
}

// translate maps Postgres errors to SCIM domain errors.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if c, ok := database.UniqueViolation(err); ok {
		switch c {
		case "scim_user_user_name_key":
			return Err(errcode.Conflict, Uniqueness, "a user with this userName already exists (userName is case-insensitive)")
		case "scim_group_display_name_key":
			return Err(errcode.Conflict, Uniqueness, "a group with this displayName already exists (case-insensitive)")
		case "member_email_key":
			return Err(errcode.Conflict, Uniqueness, "another user already has this email address")
		case "directory_group_mapping_key":
			return errcode.New(errcode.Conflict, "this IdP group is already mapped")
		}
		return Err(errcode.Conflict, Uniqueness, "%s already exists", what)
	}
	if _, ok := database.ForeignKeyViolation(err); ok {
		return errcode.New(errcode.NotFound, "a resource this %s refers to does not exist", what)
	}
	if e, ok := errcode.As(err); ok && e.Code == errcode.Conflict && e.Meta == nil {
		e.Meta = map[string]any{"scimType": Uniqueness}
	}
	return err
}

// userFields are the member fields a SCIM user drives.
type userFields struct {
	userName   string
	externalID *string
	active     bool
	email      string
	name       string
}

// userFieldsOf validates a canonical user document and derives the member it describes:
// the email is userName when that is an address, else the primary (or first) email.
func userFieldsOf(doc map[string]any, defaultActive bool) (userFields, error) {
	var f userFields
	un, _ := doc["userName"].(string)
	un = strings.TrimSpace(un)
	if un == "" {
		return f, invalid(InvalidValue, "userName is required")
	}
	if len(un) > 320 || strings.ContainsAny(un, "\x00\r\n") {
		return f, invalid(InvalidValue, "userName must be at most 320 characters without control characters")
	}
	doc["userName"] = un
	f.userName = un
	if ext, ok := doc["externalId"].(string); ok {
		f.externalID = &ext
	}
	f.active = defaultActive
	if a, ok := doc["active"].(bool); ok {
		f.active = a
	}
	doc["active"] = f.active
	if e, err := orgadmin.NormalizeEmail(un); err == nil {
		f.email = e
	} else {
		var first, primary string
		for _, v := range asList(doc["emails"]) {
			if obj, ok := v.(map[string]any); ok {
				if s, ok := obj["value"].(string); ok {
					if first == "" {
						first = s
					}
					if p, _ := obj["primary"].(bool); p && primary == "" {
						primary = s
					}
				}
			}
		}
		if primary == "" {
			primary = first
		}
		e, err := orgadmin.NormalizeEmail(primary)
		if err != nil {
			return f, invalid(InvalidValue, "userName or emails must hold a valid email address")
		}
		f.email = e
	}
	if dn, ok := doc["displayName"].(string); ok && strings.TrimSpace(dn) != "" {
		f.name = dn
	} else if n, ok := doc["name"].(map[string]any); ok {
		if fm, ok := n["formatted"].(string); ok && strings.TrimSpace(fm) != "" {
			f.name = fm
		} else {
			g, _ := n["givenName"].(string)
			fam, _ := n["familyName"].(string)
			f.name = strings.TrimSpace(g + " " + fam)
		}
	}
	f.name = strings.Map(func(r rune) rune {
		if r < ' ' {
			return ' '
		}
		return r
	}, f.name)
	if len([]rune(f.name)) > 200 {
		f.name = string([]rune(f.name)[:200])
	}
	return f, nil
}

func statusOf(active bool) string {
	if active {
		return string(orgadmin.StatusActive)
	}
	return string(orgadmin.StatusSuspended)
}

func userEvent(orgID, id uuid.UUID, typ string, data map[string]any) audit.Event {
	return audit.Event{OrgID: orgID, Type: typ, TargetType: "scim_user", TargetID: id.String(), Data: data}
}

func userSummary(f userFields) map[string]any {
	return map[string]any{"user_name": f.userName, "external_id": f.externalID, "active": f.active, "email": f.email}
}

// CreateUser provisions a user. An existing member with the same email that SCIM does not
// manage yet (or that SCIM deprovisioned) is adopted, keeping its id.
func (s *Service) CreateUser(ctx context.Context, orgID uuid.UUID, body map[string]any) (User, error) {
	return s.createUser(ctx, orgID, body, "SCIM")
}

func (s *Service) createUser(ctx context.Context, orgID uuid.UUID, body map[string]any, source string) (User, error) {
	doc, err := canonicalize(KindUser, body)
	if err != nil {
		return User{}, err
	}
	f, err := userFieldsOf(doc, true)
	if err != nil {
		return User{}, err
	}
	var u User
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		u, err = s.createUserTx(ctx, q, orgID, doc, f, source)
		return err
	})
	return u, translate(err, "user")
}

func (s *Service) createUserTx(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, doc map[string]any, f userFields, source string) (User, error) {
	taken, err := q.SCIMUserNameTaken(ctx, dbsqlc.SCIMUserNameTakenParams{OrgID: orgID, UserName: f.userName, ExceptID: uuid.Nil})
	if err != nil {
		return User{}, err
	}
	if taken {
		return User{}, Err(errcode.Conflict, Uniqueness, "a user with this userName already exists (userName is case-insensitive)")
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return User{}, err
	}
	status := statusOf(f.active)
	existing, err := q.SCIMMemberGetByEmailForUpdate(ctx, dbsqlc.SCIMMemberGetByEmailForUpdateParams{OrgID: orgID, Email: f.email})
	var memberID uuid.UUID
	switch {
	case err == nil:
		cur, gerr := q.SCIMUserGetAnyForUpdate(ctx, dbsqlc.SCIMUserGetAnyForUpdateParams{OrgID: orgID, MemberID: existing.ID})
		if gerr == nil && cur.DeletedAt == nil {
			return User{}, Err(errcode.Conflict, Uniqueness, "another user already has this email address")
		}
		if gerr != nil && !database.IsNoRows(gerr) {
			return User{}, gerr
		}
		if _, err := s.admin.UpdateMemberInTx(ctx, q, orgID, existing.ID, orgadmin.MemberPatch{Name: &f.name, Status: &status}); err != nil {
			return User{}, err
		}
		memberID = existing.ID
		if gerr == nil { // revive the deprovisioned SCIM user with the same id
			row, err := q.SCIMUserUpdate(ctx, dbsqlc.SCIMUserUpdateParams{OrgID: orgID, MemberID: memberID, UserName: f.userName,
				ExternalID: f.externalID, Active: f.active, Attrs: raw})
			if err != nil {
				return User{}, translate(err, "user")
			}
			return s.finishUser(ctx, q, row, "scim_user.created", f)
		}
	case database.IsNoRows(err):
		src := source
		m, err := s.admin.CreateMemberInTx(ctx, q, orgID, orgadmin.MemberPatch{Email: &f.email, Name: &f.name, Status: &status, Source: &src})
		if err != nil {
			return User{}, err
		}
		memberID = m.ID
	default:
		return User{}, err
	}
	row, err := q.SCIMUserInsert(ctx, dbsqlc.SCIMUserInsertParams{MemberID: memberID, OrgID: orgID, UserName: f.userName,
		ExternalID: f.externalID, Active: f.active, Attrs: raw, Source: source})
	if err != nil {
		return User{}, translate(err, "user")
	}
	return s.finishUser(ctx, q, row, "scim_user.created", f)
}

func (s *Service) finishUser(ctx context.Context, q *dbsqlc.Queries, row dbsqlc.ScimUser, event string, f userFields) (User, error) {
	u, err := userFromRow(row)
	if err != nil {
		return User{}, err
	}
	if err := audit.Record(ctx, q, userEvent(u.OrgID, u.ID, event, map[string]any{"after": userSummary(f)})); err != nil {
		return User{}, err
	}
	if err := s.withGroups(ctx, q, u.OrgID, []*User{&u}); err != nil {
		return User{}, err
	}
	return u, nil
}

func (s *Service) withGroups(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, users []*User) error {
	if len(users) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(users))
	idx := map[uuid.UUID]*User{}
	for i, u := range users {
		ids[i] = u.ID
		idx[u.ID] = u
		u.Groups = []GroupRef{}
	}
	rows, err := q.SCIMGroupsOfMembers(ctx, dbsqlc.SCIMGroupsOfMembersParams{OrgID: orgID, MemberIds: ids})
	if err != nil {
		return err
	}
	for _, r := range rows {
		u := idx[r.MemberID]
		u.Groups = append(u.Groups, GroupRef{ID: r.GroupID, Display: r.DisplayName})
	}
	return nil
}

// GetUser returns a live (active or suspended) user.
func (s *Service) GetUser(ctx context.Context, orgID, id uuid.UUID, withGroups bool) (User, error) {
	q := dbsqlc.New(s.db)
	row, err := q.SCIMUserGet(ctx, dbsqlc.SCIMUserGetParams{OrgID: orgID, MemberID: id})
	if err != nil {
		return User{}, translate(err, "user")
	}
	u, err := userFromRow(row)
	if err != nil {
		return User{}, err
	}
	if withGroups {
		err = s.withGroups(ctx, q, orgID, []*User{&u})
	}
	return u, err
}

// ReplaceUser is PUT: the body replaces the stored attributes (read-only ones ignored).
func (s *Service) ReplaceUser(ctx context.Context, orgID, id uuid.UUID, body map[string]any, ifVersion *int32) (User, error) {
	doc, err := canonicalize(KindUser, body)
	if err != nil {
		return User{}, err
	}
	return s.writeUser(ctx, orgID, id, ifVersion, func(cur map[string]any) (map[string]any, error) {
		if _, ok := doc["active"]; !ok {
			doc["active"] = cur["active"]
		}
		return doc, nil
	})
}

// PatchUser applies PATCH operations.
func (s *Service) PatchUser(ctx context.Context, orgID, id uuid.UUID, ops []PatchOp, ifVersion *int32) (User, error) {
	return s.writeUser(ctx, orgID, id, ifVersion, func(cur map[string]any) (map[string]any, error) {
		p := &Patcher{Kind: KindUser, ID: id.String(), Doc: cur}
		if err := p.Apply(ops); err != nil {
			return nil, err
		}
		return p.Doc, nil
	})
}

func (s *Service) writeUser(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32, change func(cur map[string]any) (map[string]any, error)) (User, error) {
	var u User
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMUserGetForUpdate(ctx, dbsqlc.SCIMUserGetForUpdateParams{OrgID: orgID, MemberID: id})
		if err != nil {
			return translate(err, "user")
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the user changed since it was read")
		}
		cur, err := userFromRow(row)
		if err != nil {
			return err
		}
		before, _ := userFieldsOf(deepCopy(cur.Attrs).(map[string]any), cur.Active)
		doc, err := change(cur.Attrs)
		if err != nil {
			return err
		}
		f, err := userFieldsOf(doc, cur.Active)
		if err != nil {
			return err
		}
		u, err = s.updateUserTx(ctx, q, row, doc, before, f)
		return err
	})
	return u, translate(err, "user")
}

func (s *Service) updateUserTx(ctx context.Context, q *dbsqlc.Queries, row dbsqlc.ScimUser, doc map[string]any, before, f userFields) (User, error) {
	orgID, id := row.OrgID, row.MemberID
	if !strings.EqualFold(f.userName, row.UserName) {
		taken, err := q.SCIMUserNameTaken(ctx, dbsqlc.SCIMUserNameTakenParams{OrgID: orgID, UserName: f.userName, ExceptID: id})
		if err != nil {
			return User{}, err
		}
		if taken {
			return User{}, Err(errcode.Conflict, Uniqueness, "a user with this userName already exists (userName is case-insensitive)")
		}
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return User{}, err
	}
	status := statusOf(f.active)
	if _, err := s.admin.UpdateMemberInTx(ctx, q, orgID, id, orgadmin.MemberPatch{Email: &f.email, Name: &f.name, Status: &status}); err != nil {
		return User{}, translate(err, "user")
	}
	if sameJSON(row.Attrs, doc) && f.userName == row.UserName && f.active == row.Active {
		u, err := userFromRow(row)
		if err != nil {
			return User{}, err
		}
		return u, s.withGroups(ctx, q, orgID, []*User{&u})
	}
	nrow, err := q.SCIMUserUpdate(ctx, dbsqlc.SCIMUserUpdateParams{OrgID: orgID, MemberID: id, UserName: f.userName,
		ExternalID: f.externalID, Active: f.active, Attrs: raw})
	if err != nil {
		return User{}, translate(err, "user")
	}
	u, err := userFromRow(nrow)
	if err != nil {
		return User{}, err
	}
	if err := audit.Record(ctx, q, userEvent(orgID, id, "scim_user.updated", map[string]any{"before": userSummary(before), "after": userSummary(f)})); err != nil {
		return User{}, err
	}
	return u, s.withGroups(ctx, q, orgID, []*User{&u})
}

// DeleteUser deprovisions: the member becomes DEPROVISIONED (keys revoked, sessions end by
// status), leaves its groups, and is hard-deleted after the org's retention by a workflow.
func (s *Service) DeleteUser(ctx context.Context, orgID, id uuid.UUID) error {
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.SCIMUserMarkDeleted(ctx, dbsqlc.SCIMUserMarkDeletedParams{OrgID: orgID, MemberID: id})
		if err != nil {
			return translate(err, "user")
		}
		status := string(orgadmin.StatusDeprovisioned)
		if _, err := s.admin.UpdateMemberInTx(ctx, q, orgID, id, orgadmin.MemberPatch{Status: &status}); err != nil {
			return err
		}
		groups, err := q.SCIMGroupsOfMembers(ctx, dbsqlc.SCIMGroupsOfMembersParams{OrgID: orgID, MemberIds: []uuid.UUID{id}})
		if err != nil {
			return err
		}
		for _, g := range groups {
			if _, err := q.SCIMGroupMembersRemove(ctx, dbsqlc.SCIMGroupMembersRemoveParams{OrgID: orgID, GroupID: g.GroupID, MemberIds: []uuid.UUID{id}}); err != nil {
				return err
			}
		}
		if err := s.recompute(ctx, q, orgID, []uuid.UUID{id}); err != nil {
			return err
		}
		return audit.Record(ctx, q, userEvent(orgID, id, "scim_user.deleted", map[string]any{"before": map[string]any{"user_name": row.UserName}}))
	})
	return translate(err, "user")
}

// recompute moves each member to the permission group its IdP groups map to (highest
// priority wins, else Default), with a member.group_changed event for each move.
func (s *Service) recompute(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, members []uuid.UUID) error {
	const chunk = 5000
	for start := 0; start < len(members); start += chunk {
		end := min(start+chunk, len(members))
		rows, err := q.SCIMRecomputeTargets(ctx, dbsqlc.SCIMRecomputeTargetsParams{OrgID: orgID, MemberIds: members[start:end]})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := q.SCIMMemberSetGroup(ctx, dbsqlc.SCIMMemberSetGroupParams{OrgID: orgID, ID: r.MemberID, PermissionGroupID: r.TargetGroup}); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "member.group_changed", TargetType: "member", TargetID: r.MemberID.String(),
				Data: map[string]any{"before": map[string]any{"permission_group_id": r.CurrentGroup.String()},
					"after": map[string]any{"permission_group_id": r.TargetGroup.String()}, "reason": "idp_group_mapping"}}); err != nil {
				return err
			}
		}
	}
	return nil
}
