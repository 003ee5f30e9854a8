// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// ErrNoWorkflow is what a Starter answers when asked to cancel a workflow that is not running.
var ErrNoWorkflow = errors.New("export: no running workflow")

// Service manages export requests and their lifecycle.
type Service struct {
	db      database.DB
	blob    *blob.Store
	starter Starter
	rows    *prometheus.CounterVec
	log     *slog.Logger
	now     func() time.Time
}

// NewService returns the export service. reg may be nil (the counter is then unexported).
func NewService(db database.DB, store *blob.Store, starter Starter, reg prometheus.Registerer, log *slog.Logger) *Service {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bytechef_export_rows_total", Help: "Rows written to completed export files, by export type.",
	}, []string{"type"})
	if reg != nil {
		reg.MustRegister(c)
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, blob: store, starter: starter, rows: c, log: log, now: time.Now}
}

// Request validates and records an export request, then starts its workflow.
func (s *Service) Request(ctx context.Context, orgID uuid.UUID, in RequestInput) (Export, error) {
	var f errcode.Fields
	typ := Type(in.Type)
	valid := false
	for _, t := range Types {
		valid = valid || t == typ
	}
	if !valid {
		f.Add("type", "must be one of EXECUTIONS, WORKFLOW_CONFIGS, USAGE, AUDIT_LOGS")
	}
	from, errFrom := time.Parse(time.RFC3339Nano, in.From)
	if errFrom != nil {
		f.Add("from", "must be an RFC 3339 timestamp")
	}
	to, errTo := time.Parse(time.RFC3339Nano, in.To)
	if errTo != nil {
		f.Add("to", "must be an RFC 3339 timestamp")
	}
	if errFrom == nil && errTo == nil {
		switch {
		case !from.Before(to):
			f.Add("to", "must be after from")
		case to.Sub(from) > MaxRange:
			f.Add("to", "the range may span at most %d days; export longer periods as several ranges", int(MaxRange/(24*time.Hour)))
		case from.Year() < 1970 || to.Year() > 9999:
			f.Add("from", "must be between 1970 and 9999")
		}
	}
	if len(in.WorkspaceIDs) > 0 && typ == Usage {
		f.Add("workspace_ids", "USAGE exports cover the whole organization; omit workspace_ids")
	}
	if len(in.WorkspaceIDs) > MaxWorkspaceIDs {
		f.Add("workspace_ids", "at most %d workspaces", MaxWorkspaceIDs)
	}
	ws := make([]uuid.UUID, 0, len(in.WorkspaceIDs))
	seen := map[uuid.UUID]bool{}
	for i, raw := range in.WorkspaceIDs {
		id, err := uuid.Parse(raw)
		if err != nil || len(raw) != 36 {
			f.Add(fmt.Sprintf("workspace_ids[%d]", i), "must be a UUID")
			continue
		}
		if !seen[id] {
			seen[id] = true
			ws = append(ws, id)
		}
	}
	if err := f.Err(); err != nil {
		return Export{}, err
	}
	q := dbsqlc.New(s.db)
	if len(ws) > 0 {
		known, err := q.ExportKnownWorkspaces(ctx, dbsqlc.ExportKnownWorkspacesParams{OrgID: orgID, Ids: ws})
		if err != nil {
			return Export{}, err
		}
		ok := map[uuid.UUID]bool{}
		for _, k := range known {
			ok[k] = true
		}
		for i, raw := range in.WorkspaceIDs {
			if id, _ := uuid.Parse(raw); !ok[id] {
				// Another org's workspace looks exactly like one that does not exist.
				f.Add(fmt.Sprintf("workspace_ids[%d]", i), "no such workspace in this organization")
			}
		}
		if err := f.Err(); err != nil {
			return Export{}, err
		}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Export{}, err
	}
	var e Export
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DataExportInsert(ctx, dbsqlc.DataExportInsertParams{
			ID: id, OrgID: orgID, Type: string(typ), RangeFrom: from.UTC(), RangeTo: to.UTC(), WorkspaceIds: ws,
			ObjectKey: ObjectKey(orgID, id), RequestedBy: in.RequestedBy,
		})
		if err != nil {
			return translate(err)
		}
		e = fromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "export.requested", TargetType: "export", TargetID: id.String(),
			Data: map[string]any{"type": e.Type, "from": e.From, "to": e.To, "workspace_ids": ws}})
	})
	if err != nil {
		return Export{}, err
	}
	if err := s.starter.StartExport(ctx, orgID, id); err != nil {
		s.log.ErrorContext(ctx, "export workflow could not be started", "export_id", id, "error", err)
		_, _ = s.finish(context.WithoutCancel(ctx), orgID, id, Failed, "the export workflow could not be started; request the export again")
		return Export{}, errcode.New(errcode.Unavailable, "the export could not be started right now; try again shortly")
	}
	return e, nil
}

// Get returns one export of the org.
func (s *Service) Get(ctx context.Context, orgID, id uuid.UUID) (Export, error) {
	row, err := dbsqlc.New(s.db).DataExportGet(ctx, dbsqlc.DataExportGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Export{}, translate(err)
	}
	return fromRow(row), nil
}

// List returns the org's exports newest first, after the cursor id when given.
func (s *Service) List(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]Export, error) {
	rows, err := dbsqlc.New(s.db).DataExportList(ctx, dbsqlc.DataExportListParams{OrgID: orgID, AfterID: after, PageSize: int32(limit)})
	if err != nil {
		return nil, err
	}
	out := make([]Export, len(rows))
	for i, r := range rows {
		out[i] = fromRow(r)
	}
	return out, nil
}

// DownloadURL mints a presigned URL for a completed export's file, valid for ttl (at most 7
// days and never past the signing credentials' expiry; the result says when it really
// expires), and records export.downloaded.
func (s *Service) DownloadURL(ctx context.Context, e Export, ttl time.Duration) (Download, error) {
	if e.Status != Completed || e.FileDeletedAt != nil {
		return Download{}, errcode.New(errcode.Conflict, "the export has no file to download")
	}
	if ttl <= 0 {
		ttl = DefaultURLTTL
	}
	url, exp, err := s.blob.PresignGet(ctx, e.ObjectKey, fmt.Sprintf("%s-%s.csv", e.Type, e.ID), ttl)
	if err != nil {
		return Download{}, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		return audit.Record(ctx, q, audit.Event{OrgID: e.OrgID, Type: "export.downloaded", TargetType: "export", TargetID: e.ID.String(),
			Data: map[string]any{"type": e.Type, "expires_at": exp}})
	})
	if err != nil {
		return Download{}, err
	}
	return Download{URL: url, ExpiresAt: exp}, nil
}

// Delete cancels a running export (running=true: the workflow ends it as CANCELLED shortly)
// or deletes a completed export's file. An export with no file left is a conflict.
func (s *Service) Delete(ctx context.Context, orgID, id uuid.UUID) (e Export, running bool, err error) {
	if e, err = s.Get(ctx, orgID, id); err != nil {
		return Export{}, false, err
	}
	switch {
	case e.Running():
		err := s.starter.CancelExport(ctx, orgID, id)
		if errors.Is(err, ErrNoWorkflow) {
			// No workflow runs it (it never started or already ended): end it here.
			e2, ferr := s.finish(ctx, orgID, id, Cancelled, "cancelled by request")
			switch {
			case ferr == nil:
				return e2, false, nil
			case errcode.Is(ferr, errcode.Conflict):
				return s.Delete(ctx, orgID, id) // it ended meanwhile: act on its final state
			default:
				return Export{}, false, ferr
			}
		}
		if err != nil {
			return Export{}, false, err
		}
		err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "export.cancelled", TargetType: "export", TargetID: id.String(),
				Data: map[string]any{"type": e.Type, "status": e.Status}})
		})
		return e, true, err
	case e.Status == Completed && e.FileDeletedAt == nil:
		if err := s.blob.Delete(ctx, e.ObjectKey); err != nil {
			return Export{}, false, err
		}
		err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			n, err := q.DataExportMarkFileDeleted(ctx, dbsqlc.DataExportMarkFileDeletedParams{OrgID: orgID, ID: id})
			if err != nil {
				return err
			}
			if n == 0 {
				return errcode.New(errcode.Conflict, "the export's file is already deleted")
			}
			return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "export.deleted", TargetType: "export", TargetID: id.String(),
				Data: map[string]any{"type": e.Type, "object_key": e.ObjectKey}})
		})
		if err != nil {
			return Export{}, false, err
		}
		e, err = s.Get(ctx, orgID, id)
		return e, false, err
	case e.Status == Completed:
		return Export{}, false, errcode.New(errcode.Conflict, "the export's file is already deleted")
	default:
		return Export{}, false, errcode.New(errcode.Conflict, "the export is %s: there is nothing to cancel or delete", e.Status)
	}
}

// Begin marks an export IN_PROGRESS (idempotent). A finished export is a conflict.
func (s *Service) Begin(ctx context.Context, orgID, id uuid.UUID) (Export, error) {
	row, err := dbsqlc.New(s.db).DataExportStart(ctx, dbsqlc.DataExportStartParams{OrgID: orgID, ID: id})
	if database.IsNoRows(err) {
		e, gerr := s.Get(ctx, orgID, id)
		if gerr != nil {
			return Export{}, gerr
		}
		return Export{}, errcode.New(errcode.Conflict, "the export is already %s", e.Status)
	}
	if err != nil {
		return Export{}, err
	}
	return fromRow(row), nil
}

// Complete records the finished file and export.completed. Completing twice is a no-op.
func (s *Service) Complete(ctx context.Context, orgID, id uuid.UUID, f File) error {
	var typ string
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DataExportComplete(ctx, dbsqlc.DataExportCompleteParams{OrgID: orgID, ID: id, RowCount: &f.Rows, SizeBytes: &f.SizeBytes, Sha256: &f.SHA256})
		if database.IsNoRows(err) {
			return nil // already completed by an earlier attempt of this activity
		}
		if err != nil {
			return err
		}
		typ = row.Type
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "export.completed", TargetType: "export", TargetID: id.String(),
			Data: map[string]any{"type": row.Type, "row_count": f.Rows, "size_bytes": f.SizeBytes, "sha256": f.SHA256}})
	})
	if err == nil && typ != "" {
		s.rows.WithLabelValues(typ).Add(float64(f.Rows))
	}
	return err
}

// Fail ends a running export as FAILED (or CANCELLED), aborting its unfinished uploads and
// removing any partial file, and records export.failed. Ending an ended export is a no-op.
func (s *Service) Fail(ctx context.Context, orgID, id uuid.UUID, status Status, reason string) error {
	e, err := s.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if err := AbortUploads(ctx, s.blob, e.ObjectKey); err != nil {
		return err
	}
	if e.Running() {
		if err := s.blob.Delete(ctx, e.ObjectKey); err != nil {
			return err
		}
	}
	_, err = s.finish(ctx, orgID, id, status, reason)
	if errcode.Is(err, errcode.Conflict) {
		return nil
	}
	return err
}

func (s *Service) finish(ctx context.Context, orgID, id uuid.UUID, status Status, reason string) (Export, error) {
	var e Export
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DataExportFinish(ctx, dbsqlc.DataExportFinishParams{OrgID: orgID, ID: id, Status: string(status), Error: &reason})
		if database.IsNoRows(err) {
			return errcode.New(errcode.Conflict, "the export already ended")
		}
		if err != nil {
			return err
		}
		e = fromRow(row)
		typ := "export.failed"
		if status == Cancelled {
			typ = "export.cancelled"
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: typ, TargetType: "export", TargetID: id.String(),
			Data: map[string]any{"type": row.Type, "status": status, "error": reason}})
	})
	return e, err
}
