// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package events

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Service ingests events and configuration snapshots.
type Service struct {
	db       database.DB
	ingested *prometheus.CounterVec
}

// NewService returns the ingestion service; reg may be nil (the counter is then unexported).
func NewService(db database.DB, reg prometheus.Registerer) *Service {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bytechef_events_ingested_total", Help: "Ingested events stored (duplicates excluded), by type.",
	}, []string{"type"})
	if reg != nil {
		reg.MustRegister(c)
	}
	return &Service{db: db, ingested: c}
}

// IngestExecutions stores a batch of executions; it returns after the batch is committed.
func (s *Service) IngestExecutions(ctx context.Context, orgID uuid.UUID, items []Execution) (Result, error) {
	if err := batchSize(len(items)); err != nil {
		return Result{}, err
	}
	v := &validator{}
	rows := make([]executionRow, len(items))
	for i, e := range items {
		v.prefix = itemPrefix(i)
		rows[i] = normalizeExecution(v, e)
	}
	if err := v.f.Err(); err != nil {
		return Result{}, err
	}
	return s.insert(ctx, KindExecutions, len(items), rows, func(q *dbsqlc.Queries, raw []byte) (int64, error) {
		return q.ExecutionEventInsertBatch(ctx, dbsqlc.ExecutionEventInsertBatchParams{OrgID: orgID, Events: raw})
	})
}

// IngestUsage stores a batch of usage records.
func (s *Service) IngestUsage(ctx context.Context, orgID uuid.UUID, items []Usage) (Result, error) {
	if err := batchSize(len(items)); err != nil {
		return Result{}, err
	}
	v := &validator{}
	rows := make([]usageRow, len(items))
	for i, u := range items {
		v.prefix = itemPrefix(i)
		rows[i] = normalizeUsage(v, u)
	}
	if err := v.f.Err(); err != nil {
		return Result{}, err
	}
	return s.insert(ctx, KindUsage, len(items), rows, func(q *dbsqlc.Queries, raw []byte) (int64, error) {
		return q.UsageEventInsertBatch(ctx, dbsqlc.UsageEventInsertBatchParams{OrgID: orgID, Events: raw})
	})
}

// IngestToolCalls stores a batch of tool calls.
func (s *Service) IngestToolCalls(ctx context.Context, orgID uuid.UUID, items []ToolCall) (Result, error) {
	if err := batchSize(len(items)); err != nil {
		return Result{}, err
	}
	v := &validator{}
	rows := make([]toolCallRow, len(items))
	for i, t := range items {
		v.prefix = itemPrefix(i)
		rows[i] = normalizeToolCall(v, t)
	}
	if err := v.f.Err(); err != nil {
		return Result{}, err
	}
	return s.insert(ctx, KindToolCalls, len(items), rows, func(q *dbsqlc.Queries, raw []byte) (int64, error) {
		return q.ToolCallEventInsertBatch(ctx, dbsqlc.ToolCallEventInsertBatchParams{OrgID: orgID, Events: raw})
	})
}

// insert writes the normalized rows as one statement in one transaction.
func (s *Service) insert(ctx context.Context, kind Kind, n int, rows any, fn func(q *dbsqlc.Queries, raw []byte) (int64, error)) (Result, error) {
	raw, err := json.Marshal(rows)
	if err != nil {
		return Result{}, err
	}
	var accepted int64
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		var err error
		accepted, err = fn(q, raw)
		return translate(err, "event")
	})
	if err != nil {
		return Result{}, err
	}
	s.ingested.WithLabelValues(string(kind)).Add(float64(accepted))
	return Result{Accepted: int(accepted), Duplicates: n - int(accepted)}, nil
}

// PutConfig stores a configuration snapshot. A body equal to the latest version changes
// nothing (created=false); otherwise a new version is added. A client-chosen version that
// already exists with other content is a conflict.
func (s *Service) PutConfig(ctx context.Context, orgID uuid.UUID, in WorkflowConfig) (snap ConfigSnapshot, created bool, err error) {
	v := &validator{}
	v.id("workflow_id", in.WorkflowID)
	if in.Kind != "WORKFLOW" && in.Kind != "AGENT" {
		v.add("kind", "must be WORKFLOW or AGENT")
	}
	v.text("name", in.Name, 500, true)
	if in.Version != nil && (*in.Version < 1 || *in.Version > 1<<31-1) {
		v.add("version", "must be a positive integer")
	}
	ws := v.optUUID("workspace_id", in.WorkspaceID)
	v.optID("project_id", in.ProjectID)
	v.email("created_by_email", in.CreatedByEmail)
	v.optText("model", in.Model, 200)
	v.optText("system_prompt", in.SystemPrompt, 200_000)
	components, ok := jsonValue(v, "components_json", in.Components, []byte("[]"))
	definition, ok2 := jsonValue(v, "definition_json", in.Definition, []byte("{}"))
	if err := v.f.Err(); err != nil || !ok || !ok2 {
		return ConfigSnapshot{}, false, err
	}
	sum := contentHash(in, ws, components, definition)
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		latest, err := q.WorkflowConfigLatest(ctx, dbsqlc.WorkflowConfigLatestParams{OrgID: orgID, WorkflowID: in.WorkflowID})
		var createdAt *time.Time
		next := int32(1)
		switch {
		case err == nil:
			createdAt = &latest.CreatedAt
			next = latest.Version + 1
			if bytes.Equal(latest.ContentSha256, sum) && (in.Version == nil || int64(latest.Version) == *in.Version) {
				snap = configFromRow(latest)
				return nil
			}
			if in.Version != nil && int64(latest.Version) >= *in.Version {
				return errcode.New(errcode.Conflict, "version %d of this workflow already exists with other content; versions are immutable", *in.Version)
			}
		case database.IsNoRows(err):
		default:
			return err
		}
		if in.Version != nil {
			next = int32(*in.Version)
		}
		row, err := q.WorkflowConfigInsert(ctx, dbsqlc.WorkflowConfigInsertParams{
			OrgID: orgID, WorkflowID: in.WorkflowID, Version: next, Kind: in.Kind, Name: in.Name, WorkspaceID: ws,
			ProjectID: in.ProjectID, CreatedByEmail: in.CreatedByEmail, Model: in.Model, SystemPrompt: in.SystemPrompt,
			ComponentsJson: components, DefinitionJson: definition, ContentSha256: sum, CreatedAt: createdAt,
		})
		if err != nil {
			return translate(err, "workflow configuration version")
		}
		snap, created = configFromRow(row), true
		return nil
	})
	return snap, created, err
}

// jsonValue checks an embedded JSON document (object or array); absent means def.
func jsonValue(v *validator, field string, raw json.RawMessage, def []byte) ([]byte, bool) {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || string(t) == "null" {
		return def, true
	}
	if (t[0] != '{' && t[0] != '[') || !json.Valid(t) {
		v.add(field, "must be a JSON object or array")
		return nil, false
	}
	if len(t) > 4<<20 {
		v.add(field, "must be at most 4 MiB")
		return nil, false
	}
	return t, true
}

// contentHash identifies a snapshot's content, so an unchanged PUT adds no version. The JSON
// documents are compacted first: whitespace differences are not changes.
func contentHash(in WorkflowConfig, ws *uuid.UUID, components, definition []byte) []byte {
	h := sha256.New()
	put := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	opt := func(s *string) {
		if s == nil {
			put("\x01")
			return
		}
		put(*s)
	}
	put(in.Kind)
	put(in.Name)
	if ws != nil {
		put(ws.String())
	} else {
		put("\x01")
	}
	opt(in.ProjectID)
	opt(in.CreatedByEmail)
	opt(in.Model)
	opt(in.SystemPrompt)
	for _, doc := range [][]byte{components, definition} {
		var b bytes.Buffer
		if json.Compact(&b, doc) != nil {
			b.Reset()
			b.Write(doc)
		}
		put(b.String())
	}
	return h.Sum(nil)
}
