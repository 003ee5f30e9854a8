// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package graphql

// THIS CODE WILL BE UPDATED WITH SCHEMA CHANGES. PREVIOUS IMPLEMENTATION FOR SCHEMA CHANGES WILL BE KEPT IN THE COMMENT SECTION. IMPLEMENTATION FOR UNCHANGED SCHEMA WILL BE KEPT.

import (
	"context"
	"encoding/json"
	"sort"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Resolver answers the GraphQL queries for the org the HTTP layer put in the context.
type Resolver struct {
	Audit   *audit.Service
	Cursors *cursor.Codec
}

// AuditLogs is the resolver for the auditLogs field.
func (r *queryResolver) AuditLogs(ctx context.Context, filter *AuditLogFilter, first *int, after *string) (*AuditEventConnection, error) {
	orgID, ok := OrgFrom(ctx)
	if !ok {
		return nil, errcode.New(errcode.Forbidden, "no organization in this request")
	}
	f, fp, err := toFilter(filter)
	if err != nil {
		return nil, err
	}
	limit := 50
	if first != nil {
		if *first < 1 || *first > audit.MaxPage {
			return nil, errcode.Invalid("first", "must be from 1 to %d", audit.MaxPage)
		}
		limit = *first
	}
	kind := "audit-logs-graphql:" + orgID.String()
	var pos *audit.Position
	if after != nil && *after != "" {
		var p audit.Position
		if err := r.Cursors.Decode(*after, kind, fp, &p); err != nil {
			return nil, errcode.New(errcode.InvalidCursor, "%s", cursor.ErrInvalid.Error())
		}
		pos = &p
	}
	page, err := r.Audit.List(ctx, orgID, f, pos, limit)
	if err != nil {
		return nil, err
	}
	out := &AuditEventConnection{Edges: make([]AuditEventEdge, len(page.Events)), PageInfo: &PageInfo{HasNextPage: page.Next != nil, HasPreviousPage: pos != nil}, ColdEvents: page.Cold}
	for i, e := range page.Events {
		c, err := r.Cursors.Encode(kind, fp, audit.Position{At: e.OccurredAt, ID: e.ID})
		if err != nil {
			return nil, err
		}
		out.Edges[i] = AuditEventEdge{Cursor: c, Node: toNode(e)}
	}
	if n := len(out.Edges); n > 0 {
		out.PageInfo.StartCursor, out.PageInfo.EndCursor = &out.Edges[0].Cursor, &out.Edges[n-1].Cursor
	}
	details, _ := json.Marshal(fp)
	var m map[string]any
	_ = json.Unmarshal(details, &m)
	if err := r.Audit.RecordView(ctx, orgID, "graphql", map[string]any{"filters": m}); err != nil {
		return nil, err
	}
	return out, nil
}

// Query returns QueryResolver implementation.
func (r *Resolver) Query() QueryResolver { return &queryResolver{r} }

type queryResolver struct{ *Resolver }

// filterKey is the canonical form of a filter that cursors bind.
type filterKey struct {
	EventTypes       []string `json:"et,omitempty"`
	Category         string   `json:"c,omitempty"`
	From             string   `json:"f,omitempty"`
	To               string   `json:"t,omitempty"`
	ActorUserID      string   `json:"a,omitempty"`
	TargetEntityType *string  `json:"tt,omitempty"`
	TargetEntityID   *string  `json:"ti,omitempty"`
	WorkspaceID      string   `json:"w,omitempty"`
	CorrelationID    string   `json:"r,omitempty"`
	Q                string   `json:"q,omitempty"`
}

func toFilter(in *AuditLogFilter) (audit.Filter, filterKey, error) {
	var f audit.Filter
	var k filterKey
	if in == nil {
		return f, k, nil
	}
	var fe errcode.Fields
	if len(in.EventTypes) > 50 {
		fe.Add("filter.eventTypes", "at most 50 values")
	}
	f.EventTypes = append([]string(nil), in.EventTypes...)
	sort.Strings(f.EventTypes)
	k.EventTypes = f.EventTypes
	if in.Category != nil {
		f.Category, k.Category = string(*in.Category), string(*in.Category)
	}
	if in.From != nil {
		t := in.From.UTC()
		f.From, k.From = &t, t.String()
	}
	if in.To != nil {
		t := in.To.UTC()
		f.To, k.To = &t, t.String()
	}
	parse := func(name string, s *string) (*uuid.UUID, string) {
		if s == nil || *s == "" {
			return nil, ""
		}
		u, err := uuid.Parse(*s)
		if err != nil {
			fe.Add("filter."+name, "must be a UUID")
			return nil, ""
		}
		return &u, u.String()
	}
	f.ActorUserID, k.ActorUserID = parse("actorUserId", in.ActorUserID)
	f.WorkspaceID, k.WorkspaceID = parse("workspaceId", in.WorkspaceID)
	f.CorrelationID, k.CorrelationID = parse("correlationId", in.CorrelationID)
	f.TargetEntityType, k.TargetEntityType = in.TargetEntityType, in.TargetEntityType
	f.TargetEntityID, k.TargetEntityID = in.TargetEntityID, in.TargetEntityID
	if in.Q != nil {
		if len(*in.Q) > 500 {
			fe.Add("filter.q", "must be at most 500 characters")
		}
		f.Q, k.Q = *in.Q, *in.Q
	}
	return f, k, fe.Err()
}

func idPtr(u *uuid.UUID) *string {
	if u == nil {
		return nil
	}
	s := u.String()
	return &s
}

func toNode(e audit.StoredEvent) *AuditEvent {
	n := &AuditEvent{ID: e.ID.String(), OccurredAt: e.OccurredAt.UTC(), EventType: e.EventType, Category: AuditCategory(e.Category),
		ActorUserID: idPtr(e.ActorUserID), ActorType: e.ActorType, UserAgent: e.UserAgent, SessionID: e.SessionID,
		OrgID: e.OrgID.String(), WorkspaceID: idPtr(e.WorkspaceID), TargetEntityType: e.TargetEntityType,
		TargetEntityID: e.TargetEntityID, ActionData: json.RawMessage(e.ActionData), CorrelationID: idPtr(e.CorrelationID),
		Seq: e.Seq, Storage: AuditStorageHot}
	if e.ActorIP != nil {
		s := e.ActorIP.String()
		n.ActorIP = &s
	}
	if len(e.ActionData) == 0 {
		n.ActionData = json.RawMessage("{}")
	}
	if e.Cold {
		n.Storage = AuditStorageCold
	}
	return n
}
