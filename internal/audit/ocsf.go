// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"encoding/json"
)

// OCSF renders an event as an OCSF 1.1 API Activity (class 6003) record for SIEMs that
// ingest OCSF natively; fields without an OCSF home go to "unmapped".
func OCSF(e StoredEvent) map[string]any {
	actor := map[string]any{"type": e.ActorType}
	if e.ActorUserID != nil {
		actor["user"] = map[string]any{"uid": e.ActorUserID.String()}
	}
	if e.SessionID != nil {
		actor["session"] = map[string]any{"uid": *e.SessionID}
	}
	out := map[string]any{
		"class_uid":     6003,
		"class_name":    "API Activity",
		"category_uid":  6,
		"category_name": "Application Activity",
		"activity_id":   99,
		"activity_name": e.EventType,
		"type_uid":      600399,
		"severity_id":   1,
		"status_id":     1,
		"time":          e.OccurredAt.UnixMilli(),
		"actor":         actor,
		"api":           map[string]any{"operation": e.EventType},
		"metadata": map[string]any{
			"uid":        e.ID.String(),
			"version":    "1.1.0",
			"product":    map[string]any{"name": "ByteChef EE", "vendor_name": "ByteChef"},
			"sequence":   e.Seq,
			"tenant_uid": e.OrgID.String(),
		},
		"resources": []any{map[string]any{"type": e.TargetEntityType, "uid": e.TargetEntityID}},
		"unmapped":  map[string]any{"category": e.Category, "action_data": json.RawMessage(e.ActionData)},
	}
	if e.CorrelationID != nil {
		out["metadata"].(map[string]any)["correlation_uid"] = e.CorrelationID.String()
	}
	if e.ActorIP != nil {
		out["src_endpoint"] = map[string]any{"ip": e.ActorIP.String()}
	}
	if e.UserAgent != nil {
		out["http_request"] = map[string]any{"user_agent": *e.UserAgent}
	}
	if e.WorkspaceID != nil {
		out["unmapped"].(map[string]any)["workspace_id"] = e.WorkspaceID.String()
	}
	return out
}

// LogError logs an error that can no longer reach the caller (e.g. mid-stream).
func (s *Service) LogError(ctx context.Context, msg string, err error) {
	s.log.ErrorContext(ctx, msg, "error", err)
}
