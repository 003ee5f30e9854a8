// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Columns are the CSV header of each export type (SPEC §4.3).
var Columns = map[Type][]string{
	Executions: {"execution_id", "workflow_id", "workflow_name", "workflow_version", "project_id", "project_name",
		"workspace_id", "workspace_name", "user_id", "user_email", "agent_id", "trigger_type", "status", "started_at",
		"finished_at", "duration_ms", "credits", "cost_usd", "error_code", "error_message"},
	WorkflowConfigs: {"workflow_id", "kind", "name", "version", "workspace_id", "project_id", "created_by_email",
		"created_at", "updated_at", "model", "system_prompt", "components_json", "definition_json"},
	Usage: {"occurred_at", "usage_id", "category", "user_id", "user_email", "workspace_id", "project_id", "workflow_id",
		"execution_id", "provider", "model", "input_tokens", "output_tokens", "credits", "cost_usd"},
	AuditLogs: {"id", "occurred_at", "event_type", "category", "actor_user_id", "actor_type", "actor_ip", "user_agent",
		"session_id", "org_id", "workspace_id", "target_entity_type", "target_entity_id", "action_data",
		"correlation_id", "seq"},
}

// TimeLayout is the export's timestamp format: ISO 8601 in UTC with microseconds, the
// precision Postgres stores, so a value round-trips exactly.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// EscapeCell makes a free-text value safe to open in a spreadsheet:
//   - invalid UTF-8 bytes become U+FFFD (a CSV file is UTF-8; a spreadsheet would otherwise
//     guess an encoding and garble the whole row);
//   - a cell starting with = + - @ TAB or CR gets a leading apostrophe, so Excel, LibreOffice
//     and Google Sheets show it as text instead of evaluating a formula (OWASP CSV injection).
//
// Quotes, commas and newlines need nothing here: encoding/csv quotes them.
// Numbers, timestamps and ids the product formats itself are not passed through it, so a
// negative cost stays a number.
func EscapeCell(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if s != "" {
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			return "'" + s
		}
	}
	return s
}

func textCell(s *string) string {
	if s == nil {
		return ""
	}
	return EscapeCell(*s)
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}
