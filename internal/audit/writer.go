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
	cat, ok := Catalogue[ev.Type]
	if !ok {
		return fmt.Errorf("audit: event type %q is not in the catalogue", ev.Type)
	}
	m := MetaFrom(ctx)
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
		return fmt.Errorf("audit: encode action_data: %w", err)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	var ua, sid *string
	if m.UserAgent != "" {
		ua = &m.UserAgent
	}
	if m.SessionID != "" {
		sid = &m.SessionID
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	// Claim the id in the registry ingestion deduplicates against, so no client batch can
	// ever store another event under it.
	if err := q.AuditEventIDClaim(ctx, dbsqlc.AuditEventIDClaimParams{OrgID: ev.OrgID, ID: id, OccurredAt: at}); err != nil {
		return err
	}
	return q.AuditEventInsert(ctx, dbsqlc.AuditEventInsertParams{
		ID:               id,
		OccurredAt:       at,
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
	})
}

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
