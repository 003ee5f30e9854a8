// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// ListQuery is a SCIM list request.
type ListQuery struct {
	Filter     string
	StartIndex int // 1-based
	Count      int // 0: only the total
}

// Normalize applies RFC 7644 §3.4.2.4: startIndex < 1 is 1, count < 0 is 0, capped at MaxResults.
func (l *ListQuery) Normalize() {
	if l.StartIndex < 1 {
		l.StartIndex = 1
	}
	if l.Count < 0 {
		l.Count = 0
	}
	if l.Count > MaxResults {
		l.Count = MaxResults
	}
}

// The list queries are built at run time because the filter is; this is the one place SQL
// text is assembled, and only from the translator's fixed fragments — every value is a
// parameter. The order (id, a UUIDv7) is stable, so pages never skip or repeat.
const (
	userFrom  = `(SELECT u.member_id AS id, u.org_id, u.user_name, u.external_id, u.active, u.attrs, u.version, u.created_at, u.updated_at FROM scim_user u WHERE u.org_id = $1 AND u.deleted_at IS NULL) r`
	groupFrom = `(SELECT g.id, g.org_id, g.display_name, g.external_id, g.attrs, g.version, g.created_at, g.updated_at FROM scim_group g WHERE g.org_id = $1) r`
)

func (s *Service) list(ctx context.Context, k Kind, orgID uuid.UUID, lq ListQuery) (string, []any, int, error) {
	lq.Normalize()
	from := userFrom
	if k == KindGroup {
		from = groupFrom
	}
	where := "true"
	args := []any{orgID}
	if lq.Filter != "" {
		f, err := TranslateFilter(k, lq.Filter, 2)
		if err != nil {
			return "", nil, 0, err
		}
		where = f.Where
		args = append(args, f.Args...)
	}
	if lq.Count == 0 {
		total, err := s.count(ctx, from, where, args)
		return "", nil, total, err
	}
	// One statement answers the page and the total (count(*) OVER () is computed before the
	// LIMIT); only a page past the end needs the separate count.
	n := len(args)
	sql := fmt.Sprintf("SELECT r.*, count(*) OVER () FROM %s WHERE %s ORDER BY r.id LIMIT $%d OFFSET $%d", from, where, n+1, n+2)
	return sql, append(args, lq.Count, lq.StartIndex-1), -1, nil
}

func (s *Service) count(ctx context.Context, from, where string, args []any) (int, error) {
	var total int
	err := s.db.QueryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+where, args...).Scan(&total)
	return total, err
}

// pageTotal is the total of a page query: from its rows, or counted when the page is empty.
func (s *Service) pageTotal(ctx context.Context, k Kind, orgID uuid.UUID, lq ListQuery, fromRows int, rows int) (int, error) {
	if rows > 0 {
		return fromRows, nil
	}
	_, _, total, err := s.list(ctx, k, orgID, ListQuery{Filter: lq.Filter, Count: 0})
	return total, err
}

// ListUsers answers a filtered page of users and the total.
func (s *Service) ListUsers(ctx context.Context, orgID uuid.UUID, lq ListQuery, withGroups bool) ([]User, int, error) {
	sql, args, total, err := s.list(ctx, KindUser, orgID, lq)
	if err != nil || sql == "" {
		return []User{}, total, err
	}
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var r dbsqlc.ScimUser
		if err := rows.Scan(&r.MemberID, &r.OrgID, &r.UserName, &r.ExternalID, &r.Active, &r.Attrs, &r.Version, &r.CreatedAt, &r.UpdatedAt, &total); err != nil {
			return nil, 0, err
		}
		u, err := userFromRow(r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if total, err = s.pageTotal(ctx, KindUser, orgID, lq, total, len(out)); err != nil {
		return nil, 0, err
	}
	if withGroups {
		ptrs := make([]*User, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		if err := s.withGroups(ctx, dbsqlc.New(s.db), orgID, ptrs); err != nil {
			return nil, 0, err
		}
	}
	if out == nil {
		out = []User{}
	}
	return out, total, nil
}

// ListGroups answers a filtered page of groups; members are read only when wanted.
func (s *Service) ListGroups(ctx context.Context, orgID uuid.UUID, lq ListQuery, withMembers bool) ([]Group, int, error) {
	sql, args, total, err := s.list(ctx, KindGroup, orgID, lq)
	if err != nil || sql == "" {
		return []Group{}, total, err
	}
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var r dbsqlc.ScimGroup
		if err := rows.Scan(&r.ID, &r.OrgID, &r.DisplayName, &r.ExternalID, &r.Attrs, &r.Version, &r.CreatedAt, &r.UpdatedAt, &total); err != nil {
			return nil, 0, err
		}
		g, err := groupFromRow(r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if total, err = s.pageTotal(ctx, KindGroup, orgID, lq, total, len(out)); err != nil {
		return nil, 0, err
	}
	if withMembers {
		q := dbsqlc.New(s.db)
		for i := range out {
			if err := s.loadMembers(ctx, q, &out[i]); err != nil {
				return nil, 0, err
			}
		}
	}
	if out == nil {
		out = []Group{}
	}
	return out, total, nil
}
