// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

// CSVColumns are the audit CSV columns: the audit_event column names (SPEC §4.1).
var CSVColumns = []string{"id", "occurred_at", "event_type", "category", "actor_user_id", "actor_type", "actor_ip",
	"user_agent", "session_id", "org_id", "workspace_id", "target_entity_type", "target_entity_id", "action_data",
	"correlation_id", "seq"}

// CSVWriter writes audit events as CSV with every cell escaped against formula injection.
type CSVWriter struct {
	w   *csv.Writer
	rec []string
}

// NewCSVWriter returns a writer; call WriteHeader first and Flush at the end.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: csv.NewWriter(w), rec: make([]string, len(CSVColumns))}
}

// WriteHeader writes the column names.
func (c *CSVWriter) WriteHeader() error { return c.w.Write(CSVColumns) }

// Write writes one event.
func (c *CSVWriter) Write(e StoredEvent) error {
	r := c.rec
	r[0] = e.ID.String()
	r[1] = e.OccurredAt.UTC().Format(time.RFC3339Nano)
	r[2] = e.EventType
	r[3] = e.Category
	r[4] = ""
	if e.ActorUserID != nil {
		r[4] = e.ActorUserID.String()
	}
	r[5] = e.ActorType
	r[6] = ""
	if e.ActorIP != nil {
		r[6] = e.ActorIP.String()
	}
	r[7] = deref(e.UserAgent)
	r[8] = deref(e.SessionID)
	r[9] = e.OrgID.String()
	r[10] = ""
	if e.WorkspaceID != nil {
		r[10] = e.WorkspaceID.String()
	}
	r[11] = e.TargetEntityType
	r[12] = e.TargetEntityID
	r[13] = string(e.ActionData)
	r[14] = ""
	if e.CorrelationID != nil {
		r[14] = e.CorrelationID.String()
	}
	r[15] = strconv.FormatInt(e.Seq, 10)
	return c.WriteRecord(r)
}

// WriteRecord writes raw cells, escaping each one.
func (c *CSVWriter) WriteRecord(cells []string) error {
	out := make([]string, len(cells))
	for i, s := range cells {
		out[i] = EscapeCell(s)
	}
	return c.w.Write(out)
}

// Flush writes buffered data and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// EscapeCell neutralises spreadsheet formula injection (OWASP "CSV injection"): a cell that
// starts with = + - @, a tab or a carriage return is prefixed with a single quote, which
// spreadsheets show as text. Quoting of commas, quotes and newlines is left to encoding/csv.
func EscapeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
