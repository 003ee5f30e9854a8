// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// Event is one audit record written by the product.
type Event struct {
	OrgID       uuid.UUID
	Type        string
	WorkspaceID *uuid.UUID
	TargetType  string
	TargetID    string
	// Data is the before/after summary; secrets are redacted by Record.
	Data map[string]any
}

// Record writes ev with the request's actor and correlation id using q, which must be the
// caller's transaction so the event commits exactly when the change does.
func Record(ctx context.Context, q *dbsqlc.Queries, ev Event) error {
	row, err := newRow(MetaFrom(ctx), ev)
	if err != nil {
		return err
	}
	// Claim the id in the registry ingestion deduplicates against, so no client batch can
	// ever store another event under it.
	if err := q.AuditEventIDClaim(ctx, dbsqlc.AuditEventIDClaimParams{OrgID: row.OrgID, ID: row.ID, OccurredAt: row.OccurredAt}); err != nil {
		return err
	}
	return q.AuditEventInsert(ctx, dbsqlc.AuditEventInsertParams(row))
}

// Pending is an event with the request metadata it was made under.
type Pending struct {
	Meta  Meta
	Event Event
}

// RecordBatch writes many events in q's transaction with two statements per org (one id
// registration, one COPY) instead of two per event, for hot paths that record on behalf of
// many requests at once (policy decisions).
func RecordBatch(ctx context.Context, q *dbsqlc.Queries, items []Pending) error {
	byOrg := map[uuid.UUID][]dbsqlc.AuditEventCopyParams{}
	var orgs []uuid.UUID
	for _, it := range items {
		row, err := newRow(it.Meta, it.Event)
		if err != nil {
			return err
		}
		if _, seen := byOrg[row.OrgID]; !seen {
			orgs = append(orgs, row.OrgID)
		}
		byOrg[row.OrgID] = append(byOrg[row.OrgID], dbsqlc.AuditEventCopyParams(row))
	}
	for _, org := range orgs {
		rows := byOrg[org]
		ids := make([]uuid.UUID, len(rows))
		ats := make([]time.Time, len(rows))
		for i, r := range rows {
			ids[i], ats[i] = r.ID, r.OccurredAt
		}
		fresh, err := q.AuditEventRegisterIDs(ctx, dbsqlc.AuditEventRegisterIDsParams{OrgID: org, Ids: ids, OccurredAts: ats})
		if err != nil {
			return err
		}
		if len(fresh) != len(rows) {
			return fmt.Errorf("audit: %d of %d fresh event ids were already registered", len(rows)-len(fresh), len(rows))
		}
		if _, err := q.AuditEventCopy(ctx, rows); err != nil {
			return err
		}
	}
	return nil
}

// newRow builds the stored form of ev: category from the catalogue, secrets redacted, the
// actor summarised in action_data, a fresh time-ordered id.
func newRow(m Meta, ev Event) (eventRow, error) {
	cat, ok := Catalogue[ev.Type]
	if !ok {
		return eventRow{}, fmt.Errorf("audit: event type %q is not in the catalogue", ev.Type)
	}
	data := Redact(ev.Data)
	if data == nil {
		data = map[string]any{}
	}
	actor := map[string]any{"type": m.ActorType}
	if m.ActorLabel != "" {
		actor["label"] = m.ActorLabel
	}
	if m.ActorKeyID != nil {
		actor["key_id"] = m.ActorKeyID.String()
	}
	data["actor"] = actor
	raw, err := json.Marshal(data)
	if err != nil {
		return eventRow{}, fmt.Errorf("audit: encode action_data: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return eventRow{}, err
	}
	var ua, sid *string
	if m.UserAgent != "" {
		ua = &m.UserAgent
	}
	if m.SessionID != "" {
		sid = &m.SessionID
	}
	return eventRow{
		ID:               id,
		OccurredAt:       time.Now().UTC().Truncate(time.Microsecond),
		EventType:        ev.Type,
		Category:         string(cat),
		ActorUserID:      m.ActorUserID,
		ActorType:        string(m.ActorType),
		ActorIp:          m.IP,
		UserAgent:        ua,
		SessionID:        sid,
		OrgID:            ev.OrgID,
		WorkspaceID:      ev.WorkspaceID,
		TargetEntityType: ev.TargetType,
		TargetEntityID:   ev.TargetID,
		ActionData:       raw,
		CorrelationID:    m.CorrelationID,
	}, nil
}

// eventRow has the shape shared by the single-insert and the COPY parameters.
type eventRow dbsqlc.AuditEventInsertParams

// secretWords mark keys whose values never enter the audit log.
var secretWords = []string{"secret", "password", "token", "private_key", "client_secret", "api_key_value", "credential"}

// Redact returns a copy of data with secret-looking keys replaced, at any depth.
func Redact(data map[string]any) map[string]any {
	if data == nil {
		return nil
	}
	out := make(map[string]any, len(data))
	for k, v := range data {
		if isSecretKey(k) {
			out[k] = "[REDACTED]"
			continue
		}
		out[k] = redactValue(v)
	}
	return out
}

func redactValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return Redact(t)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = redactValue(e)
		}
		return c
	default:
		return v
	}
}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}
