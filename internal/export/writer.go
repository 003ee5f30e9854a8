// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Writer defaults.
const (
	// DefaultPartSize is the one buffer the writer holds: memory does not grow with the row
	// count. 8 MiB parts allow 80 GB files within S3's 10,000-part limit.
	DefaultPartSize = 8 << 20
	// DefaultPageSize is how many rows one keyset query reads.
	DefaultPageSize = 5000
	maxParts        = 10000
	// keepAliveEvery is how often the last checkpoint is re-sent between parts.
	keepAliveEvery = 5 * time.Second
)

// Writer streams an export's rows into a multipart S3 upload.
type Writer struct {
	DB   database.DB
	Blob *blob.Store
	// PartSize is the upload part size (S3 requires ≥ 5 MiB for all but the last part).
	PartSize int
	PageSize int32
	// AfterPart, when set, runs after each part is uploaded and checkpointed. Tests use it to
	// fail an attempt mid-upload.
	AfterPart func(ctx context.Context, part int32) error
	// BeforeComplete, when set, runs after the completing checkpoint and before
	// CompleteMultipartUpload (tests fail an attempt there).
	BeforeComplete func(ctx context.Context) error
}

// minPartSize is S3's smallest allowed part (all but the last).
const minPartSize = 5 << 20

func (w *Writer) partSize() int {
	switch {
	case w.PartSize <= 0:
		return DefaultPartSize
	case w.PartSize < minPartSize:
		return minPartSize
	}
	return w.PartSize
}

func (w *Writer) pageSize() int32 {
	if w.PageSize > 0 {
		return w.PageSize
	}
	return DefaultPageSize
}

// position is a keyset position in an export's order.
type position struct {
	Time    time.Time
	ID      string
	Version int32
}

// Write produces the export's file. resume is the last checkpoint of an earlier attempt (nil
// on the first); save records each new checkpoint (as a heartbeat) and must not fail silently.
// Every row of the export's snapshot ends up in the file exactly once, and a resumed write
// yields the same bytes as an uninterrupted one.
func (w *Writer) Write(ctx context.Context, orgID, exportID uuid.UUID, resume *Checkpoint, save func(Checkpoint) error) (File, error) {
	q := dbsqlc.New(w.DB)
	row, err := q.DataExportGet(ctx, dbsqlc.DataExportGetParams{OrgID: orgID, ID: exportID})
	if err != nil {
		return File{}, translate(err)
	}
	e := fromRow(row)
	if !e.Running() {
		return File{}, errcode.New(errcode.Conflict, "the export is %s", e.Status)
	}
	key := e.ObjectKey

	var cp Checkpoint
	var parts []types.CompletedPart
	if resume != nil && resume.UploadID != "" {
		if resume.Completing {
			f, done, err := w.finishCompleting(ctx, key, *resume)
			if err != nil || done {
				return f, err
			}
		}
		parts, err = w.listParts(ctx, key, resume.UploadID, resume.Parts)
		switch {
		case err == nil:
			cp = *resume
			cp.Completing, cp.SHA256 = false, ""
		case isNoSuchUpload(err), errors.Is(err, errMissingParts):
			// The upload is gone or lost parts (aborted by an operator or a lifecycle rule):
			// start over; the same snapshot gives the same bytes.
			parts = nil
		default:
			return File{}, err
		}
	}
	if cp.UploadID == "" {
		// Attempts that died before their first checkpoint may have left uploads behind.
		if err := AbortUploads(ctx, w.Blob, key); err != nil {
			return File{}, err
		}
		out, err := w.Blob.Client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
			Bucket: &w.Blob.Bucket, Key: &key, ContentType: aws.String("text/csv; charset=utf-8"),
		})
		if err != nil {
			return File{}, fmt.Errorf("export: create multipart upload: %w", err)
		}
		cp = Checkpoint{UploadID: aws.ToString(out.UploadId), AfterTime: e.From.Add(-time.Microsecond)}
		if err := save(cp); err != nil {
			return File{}, err
		}
		if row.RowsEstimated == nil {
			// The progress estimate is counted alongside the export (a count over millions of
			// rows takes seconds) and awaited before returning.
			counted := make(chan struct{})
			defer func() { <-counted }()
			go func() {
				defer close(counted)
				if n, err := w.count(ctx, q, row); err == nil {
					_ = q.DataExportSetEstimate(ctx, dbsqlc.DataExportSetEstimateParams{OrgID: orgID, ID: exportID, RowsEstimated: &n})
				}
			}()
		}
	}

	h := sha256.New()
	if len(cp.Hash) > 0 {
		if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(cp.Hash); err != nil {
			return File{}, errcode.New(errcode.Validation, "export: corrupt checkpoint hash state: %v", err)
		}
	}
	// Two part buffers: one fills while the other uploads, so reading Postgres and writing S3
	// overlap. Memory stays at two parts whatever the row count.
	free := make(chan *bytes.Buffer, 2)
	free <- bytes.NewBuffer(make([]byte, 0, w.partSize()+64<<10))
	free <- bytes.NewBuffer(make([]byte, 0, w.partSize()+64<<10))
	sw := &switchWriter{}
	sw.buf = <-free
	cw := csv.NewWriter(sw)
	if cp.Parts == 0 {
		if err := cw.Write(Columns[e.Type]); err != nil {
			return File{}, err
		}
	}
	cur := position{Time: cp.AfterTime, ID: cp.AfterID, Version: cp.AfterVersion}
	var pending int64
	nextPart := cp.Parts + 1

	// The uploader owns cp, parts and h until it has finished: it uploads parts in order and
	// records a checkpoint only after S3 has acknowledged a part.
	jobs := make(chan partJob)
	failed := make(chan struct{})
	done := make(chan struct{})
	var upErr error

	// The last checkpoint is also re-sent every few seconds, so a slow stretch (a selective
	// filter over many rows) neither looks like a dead worker nor delays a cancellation.
	var mu sync.Mutex
	last := cp
	saveCP := func(c Checkpoint) error {
		mu.Lock()
		defer mu.Unlock()
		last = c
		return save(c)
	}
	stopBeat := make(chan struct{})
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		t := time.NewTicker(keepAliveEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				mu.Lock()
				_ = save(last)
				mu.Unlock()
			case <-stopBeat:
				return
			}
		}
	}()
	go func() {
		defer close(done)
		for j := range jobs {
			if upErr == nil {
				if upErr = w.uploadPart(ctx, key, &cp, &parts, h, j, saveCP); upErr == nil {
					_ = q.DataExportProgress(ctx, dbsqlc.DataExportProgressParams{OrgID: orgID, ID: exportID, RowsWritten: cp.Rows})
					if w.AfterPart != nil {
						upErr = w.AfterPart(ctx, j.n)
					}
				}
				if upErr != nil {
					close(failed)
				}
			}
			j.buf.Reset()
			free <- j.buf
		}
	}()
	finish := func() error {
		close(jobs)
		<-done
		close(stopBeat)
		<-beatDone
		return upErr
	}

	flush := func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if sw.buf.Len() == 0 {
			return nil
		}
		if nextPart > maxParts {
			return errcode.New(errcode.Validation, "the export is larger than %d parts of %d bytes; export a shorter range", maxParts, w.partSize())
		}
		j := partJob{n: nextPart, buf: sw.buf, rows: pending, pos: cur}
		select {
		case jobs <- j:
		case <-failed:
			return errUploadFailed
		}
		nextPart++
		pending = 0
		select {
		case sw.buf = <-free:
		case <-failed:
			return errUploadFailed
		}
		return nil
	}
	emit := func(rec []string, p position) error {
		if err := cw.Write(rec); err != nil {
			return err
		}
		pending++
		cur = p
		if sw.buf.Len() >= w.partSize() {
			return flush()
		}
		return nil
	}
	err = w.readAll(ctx, q, row, cur, emit)
	if err == nil {
		err = flush()
	}
	if ferr := finish(); ferr != nil {
		return File{}, ferr // the uploader's error is the cause of errUploadFailed
	}
	if err != nil {
		return File{}, err
	}

	cp.Completing, cp.SHA256 = true, hex.EncodeToString(h.Sum(nil))
	if err := save(cp); err != nil {
		return File{}, err
	}
	if w.BeforeComplete != nil {
		if err := w.BeforeComplete(ctx); err != nil {
			return File{}, err
		}
	}
	if err := w.complete(ctx, key, cp.UploadID, parts); err != nil {
		return File{}, err
	}
	return File{Key: key, Rows: cp.Rows, SizeBytes: cp.Bytes, SHA256: cp.SHA256}, nil
}

// partJob is one filled part buffer handed to the uploader, with the keyset position of its
// last row and its row count.
type partJob struct {
	n    int32
	buf  *bytes.Buffer
	rows int64
	pos  position
}

var (
	errUploadFailed = errors.New("export: part upload failed")
	errMissingParts = errors.New("export: multipart upload lacks checkpointed parts")
)

// switchWriter lets one csv.Writer write into whichever part buffer is filling.
type switchWriter struct{ buf *bytes.Buffer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.buf.Write(p) }

// uploadPart uploads one part, then advances the checkpoint (hash state, counts, position)
// and saves it.
func (w *Writer) uploadPart(ctx context.Context, key string, cp *Checkpoint, parts *[]types.CompletedPart, h hash.Hash, j partJob, save func(Checkpoint) error) error {
	body := j.buf.Bytes()
	out, err := w.Blob.Client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket: &w.Blob.Bucket, Key: &key, UploadId: &cp.UploadID, PartNumber: aws.Int32(j.n),
		Body: bytes.NewReader(body), ContentLength: aws.Int64(int64(len(body))),
	})
	if err != nil {
		return fmt.Errorf("export: upload part %d: %w", j.n, err)
	}
	h.Write(body)
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		return err
	}
	*parts = append(*parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(j.n)})
	cp.Parts, cp.Rows, cp.Bytes, cp.Hash = j.n, cp.Rows+j.rows, cp.Bytes+int64(len(body)), state
	cp.AfterTime, cp.AfterID, cp.AfterVersion = j.pos.Time, j.pos.ID, j.pos.Version
	return save(*cp)
}

// finishCompleting handles a retry after the completing checkpoint: the upload may already be
// complete (the crash came after S3 assembled the object) or still need completing.
func (w *Writer) finishCompleting(ctx context.Context, key string, cp Checkpoint) (File, bool, error) {
	f := File{Key: key, Rows: cp.Rows, SizeBytes: cp.Bytes, SHA256: cp.SHA256}
	parts, err := w.listParts(ctx, key, cp.UploadID, cp.Parts)
	if err == nil {
		if err := w.complete(ctx, key, cp.UploadID, parts); err != nil {
			return File{}, false, err
		}
		return f, true, nil
	}
	if errors.Is(err, errMissingParts) {
		return File{}, false, nil // cannot be completed: the caller starts over
	}
	if !isNoSuchUpload(err) {
		return File{}, false, err
	}
	head, err := w.Blob.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &w.Blob.Bucket, Key: &key})
	if err == nil && aws.ToInt64(head.ContentLength) == cp.Bytes {
		return f, true, nil
	}
	return File{}, false, nil
}

func (w *Writer) complete(ctx context.Context, key, uploadID string, parts []types.CompletedPart) error {
	sort.Slice(parts, func(i, j int) bool { return *parts[i].PartNumber < *parts[j].PartNumber })
	_, err := w.Blob.Client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: &w.Blob.Bucket, Key: &key, UploadId: &uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	})
	if err != nil {
		return fmt.Errorf("export: complete multipart upload: %w", err)
	}
	return nil
}

// listParts returns the uploaded parts numbered up to upTo (later ones, uploaded by an attempt
// that died before checkpointing them, are overwritten by this attempt).
func (w *Writer) listParts(ctx context.Context, key, uploadID string, upTo int32) ([]types.CompletedPart, error) {
	var out []types.CompletedPart
	var marker *string
	for {
		res, err := w.Blob.Client.ListParts(ctx, &s3.ListPartsInput{Bucket: &w.Blob.Bucket, Key: &key, UploadId: &uploadID, PartNumberMarker: marker})
		if err != nil {
			return nil, err
		}
		for _, p := range res.Parts {
			if aws.ToInt32(p.PartNumber) <= upTo {
				out = append(out, types.CompletedPart{ETag: p.ETag, PartNumber: p.PartNumber})
			}
		}
		if !aws.ToBool(res.IsTruncated) || res.NextPartNumberMarker == nil {
			break
		}
		marker = res.NextPartNumberMarker
	}
	if len(out) != int(upTo) {
		return nil, fmt.Errorf("%w: upload %s has %d of the %d checkpointed parts", errMissingParts, uploadID, len(out), upTo)
	}
	return out, nil
}

// AbortUploads aborts every unfinished multipart upload of key, so a failed or cancelled
// export leaves no hidden storage behind.
func AbortUploads(ctx context.Context, store *blob.Store, key string) error {
	var keyMarker, idMarker *string
	for {
		res, err := store.Client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{
			Bucket: &store.Bucket, Prefix: &key, KeyMarker: keyMarker, UploadIdMarker: idMarker,
		})
		if err != nil {
			return fmt.Errorf("export: list multipart uploads: %w", err)
		}
		for _, u := range res.Uploads {
			if aws.ToString(u.Key) != key {
				continue
			}
			_, err := store.Client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &store.Bucket, Key: u.Key, UploadId: u.UploadId})
			if err != nil && !isNoSuchUpload(err) {
				return fmt.Errorf("export: abort multipart upload: %w", err)
			}
		}
		if !aws.ToBool(res.IsTruncated) {
			return nil
		}
		keyMarker, idMarker = res.NextKeyMarker, res.NextUploadIdMarker
	}
}

func isNoSuchUpload(err error) bool {
	var nsu *types.NoSuchUpload
	if errors.As(err, &nsu) {
		return true
	}
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchUpload"
}

func (w *Writer) count(ctx context.Context, q *dbsqlc.Queries, r dbsqlc.DataExport) (int64, error) {
	switch Type(r.Type) {
	case Executions:
		return q.ExportExecutionsCount(ctx, dbsqlc.ExportExecutionsCountParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo, WorkspaceIds: r.WorkspaceIds, Snapshot: r.Snapshot})
	case WorkflowConfigs:
		return q.ExportWorkflowConfigsCount(ctx, dbsqlc.ExportWorkflowConfigsCountParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo, WorkspaceIds: r.WorkspaceIds, Snapshot: r.Snapshot})
	case Usage:
		return q.ExportUsageCount(ctx, dbsqlc.ExportUsageCountParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo, Snapshot: r.Snapshot})
	case AuditLogs:
		return q.ExportAuditCount(ctx, dbsqlc.ExportAuditCountParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo, SnapshotAt: r.SnapshotAt, WorkspaceIds: r.WorkspaceIds})
	}
	return 0, fmt.Errorf("export: unknown type %q", r.Type)
}

// fetched is one page of rows read from Postgres, not yet rendered.
type fetched struct {
	n      int
	last   position
	render func(emit func([]string, position) error) error
	err    error
}

// readAll reads the export's rows after pos page by page and emits them in key order. The
// next page is fetched while the current one is rendered, so Postgres and the CSV encoder
// work at the same time; at most two pages are in memory.
func (w *Writer) readAll(ctx context.Context, q *dbsqlc.Queries, r dbsqlc.DataExport, pos position, emit func([]string, position) error) error {
	fetch := func(p position) <-chan fetched {
		ch := make(chan fetched, 1)
		go func() { ch <- w.fetch(ctx, q, r, p) }()
		return ch
	}
	next := fetch(pos)
	for next != nil {
		page := <-next
		if page.err != nil {
			return page.err
		}
		next = nil
		if page.n == int(w.pageSize()) {
			next = fetch(page.last)
		}
		if err := page.render(emit); err != nil {
			if next != nil {
				<-next // let the prefetch finish before its connection and context go away
			}
			return err
		}
	}
	return nil
}

// fetch reads the page of rows after pos and returns how to render it as CSV records.
func (w *Writer) fetch(ctx context.Context, q *dbsqlc.Queries, r dbsqlc.DataExport, pos position) fetched {
	limit := w.pageSize()
	switch Type(r.Type) {
	case Executions:
		rows, err := q.ExportExecutionsPage(ctx, dbsqlc.ExportExecutionsPageParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo,
			WorkspaceIds: r.WorkspaceIds, Snapshot: r.Snapshot, AfterTime: pos.Time, AfterID: pos.ID, PageSize: limit})
		if err != nil {
			return fetched{err: err}
		}
		out := fetched{n: len(rows)}
		if len(rows) > 0 {
			x := rows[len(rows)-1]
			out.last = position{Time: x.StartedAt, ID: x.ExecutionID}
		}
		out.render = func(emit func([]string, position) error) error {
			rec := make([]string, len(Columns[Executions]))
			for _, x := range rows {
				rec[0], rec[1], rec[2], rec[3] = EscapeCell(x.ExecutionID), EscapeCell(x.WorkflowID), EscapeCell(x.WorkflowName), x.WorkflowVersion
				rec[4], rec[5], rec[6], rec[7] = EscapeCell(x.ProjectID), EscapeCell(x.ProjectName), x.WorkspaceID, EscapeCell(x.WorkspaceName)
				rec[8], rec[9], rec[10], rec[11] = x.UserID, EscapeCell(x.UserEmail), EscapeCell(x.AgentID), EscapeCell(x.TriggerType)
				rec[12], rec[13], rec[14], rec[15] = EscapeCell(x.Status), timeCell(&x.StartedAt), timeCell(x.FinishedAt), x.DurationMs
				rec[16], rec[17], rec[18], rec[19] = x.Credits, x.CostUsd, EscapeCell(x.ErrorCode), EscapeCell(x.ErrorMessage)
				if err := emit(rec, position{Time: x.StartedAt, ID: x.ExecutionID}); err != nil {
					return err
				}
			}
			return nil
		}
		return out
	case WorkflowConfigs:
		rows, err := q.ExportWorkflowConfigsPage(ctx, dbsqlc.ExportWorkflowConfigsPageParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo,
			WorkspaceIds: r.WorkspaceIds, Snapshot: r.Snapshot, AfterID: pos.ID, AfterVersion: pos.Version, PageSize: limit})
		if err != nil {
			return fetched{err: err}
		}
		out := fetched{n: len(rows)}
		if len(rows) > 0 {
			x := rows[len(rows)-1]
			out.last = position{Time: pos.Time, ID: x.WorkflowID, Version: x.Version}
		}
		out.render = func(emit func([]string, position) error) error {
			rec := make([]string, len(Columns[WorkflowConfigs]))
			for _, x := range rows {
				rec[0], rec[1], rec[2], rec[3] = EscapeCell(x.WorkflowID), x.Kind, EscapeCell(x.Name), strconv.Itoa(int(x.Version))
				rec[4], rec[5], rec[6], rec[7] = uuidCell(x.WorkspaceID), textCell(x.ProjectID), textCell(x.CreatedByEmail), timeCell(&x.CreatedAt)
				rec[8], rec[9], rec[10] = timeCell(&x.UpdatedAt), textCell(x.Model), textCell(x.SystemPrompt)
				// JSON documents start with { or [, never a formula character; escaping them would break the JSON.
				rec[11], rec[12] = x.ComponentsJson, x.DefinitionJson
				if err := emit(rec, position{Time: pos.Time, ID: x.WorkflowID, Version: x.Version}); err != nil {
					return err
				}
			}
			return nil
		}
		return out
	case Usage:
		rows, err := q.ExportUsagePage(ctx, dbsqlc.ExportUsagePageParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo,
			Snapshot: r.Snapshot, AfterTime: pos.Time, AfterID: pos.ID, PageSize: limit})
		if err != nil {
			return fetched{err: err}
		}
		out := fetched{n: len(rows)}
		if len(rows) > 0 {
			x := rows[len(rows)-1]
			out.last = position{Time: x.OccurredAt, ID: x.UsageID}
		}
		out.render = func(emit func([]string, position) error) error {
			rec := make([]string, len(Columns[Usage]))
			for _, x := range rows {
				rec[0], rec[1], rec[2], rec[3] = timeCell(&x.OccurredAt), EscapeCell(x.UsageID), x.Category, x.UserID
				rec[4], rec[5], rec[6], rec[7] = EscapeCell(x.UserEmail), x.WorkspaceID, EscapeCell(x.ProjectID), EscapeCell(x.WorkflowID)
				rec[8], rec[9], rec[10], rec[11] = EscapeCell(x.ExecutionID), EscapeCell(x.Provider), EscapeCell(x.Model), x.InputTokens
				rec[12], rec[13], rec[14] = x.OutputTokens, x.Credits, x.CostUsd
				if err := emit(rec, position{Time: x.OccurredAt, ID: x.UsageID}); err != nil {
					return err
				}
			}
			return nil
		}
		return out
	case AuditLogs:
		after := uuid.Nil
		if pos.ID != "" {
			var err error
			if after, err = uuid.Parse(pos.ID); err != nil {
				return fetched{err: errcode.New(errcode.Validation, "export: corrupt checkpoint position")}
			}
		}
		rows, err := q.ExportAuditPage(ctx, dbsqlc.ExportAuditPageParams{OrgID: r.OrgID, RangeFrom: r.RangeFrom, RangeTo: r.RangeTo,
			SnapshotAt: r.SnapshotAt, WorkspaceIds: r.WorkspaceIds, AfterTime: pos.Time, AfterUuid: after, PageSize: limit})
		if err != nil {
			return fetched{err: err}
		}
		out := fetched{n: len(rows)}
		if len(rows) > 0 {
			x := rows[len(rows)-1]
			out.last = position{Time: x.OccurredAt, ID: x.ID.String()}
		}
		out.render = func(emit func([]string, position) error) error {
			rec := make([]string, len(Columns[AuditLogs]))
			for _, x := range rows {
				rec[0], rec[1], rec[2], rec[3] = x.ID.String(), timeCell(&x.OccurredAt), EscapeCell(x.EventType), x.Category
				rec[4], rec[5], rec[6], rec[7] = uuidCell(x.ActorUserID), x.ActorType, "", textCell(x.UserAgent)
				if x.ActorIp != nil {
					rec[6] = x.ActorIp.String()
				}
				rec[8], rec[9], rec[10], rec[11] = textCell(x.SessionID), x.OrgID.String(), uuidCell(x.WorkspaceID), EscapeCell(x.TargetEntityType)
				rec[12], rec[13], rec[14], rec[15] = EscapeCell(x.TargetEntityID), x.ActionData, uuidCell(x.CorrelationID), strconv.FormatInt(x.Seq, 10)
				if err := emit(rec, position{Time: x.OccurredAt, ID: x.ID.String()}); err != nil {
					return err
				}
			}
			return nil
		}
		return out
	}
	return fetched{err: fmt.Errorf("export: unknown type %q", r.Type)}
}

func uuidCell(u *uuid.UUID) string {
	if u == nil {
		return ""
	}
	return u.String()
}
