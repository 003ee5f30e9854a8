// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Retention moves events older than an org's hot window to S3, one gzip NDJSON object per
// org, UTC day and part, with a manifest. The order of steps is what makes a crash anywhere
// harmless:
//  1. seal the chain, then take only sealed rows of the day (the manifest names the head);
//  2. write the object and its manifest under the next part number recorded in Postgres;
//  3. read the object back and check its sha256, row count and ids;
//  4. in one transaction, record the part in audit_archive and delete exactly those rows.
//
// Until step 4 commits the rows are hot and the object is an orphan that the next attempt
// overwrites (same part number); after it, the rows are cold only. Queries read cold data
// only through audit_archive, so no event is ever in zero tiers or counted twice.

// PartRows bounds the rows of one archive part (and the memory of one step).
const PartRows = 20000

// RetentionOrg is one org's effective policy.
type RetentionOrg struct {
	OrgID         uuid.UUID
	HotDays       int
	RetentionDays int
}

// RetentionOrgs lists the live orgs of a region with their effective policy.
func (s *Service) RetentionOrgs(ctx context.Context, region string) ([]RetentionOrg, error) {
	rows, err := dbsqlc.New(s.db).AuditRetentionOrgs(ctx, dbsqlc.AuditRetentionOrgsParams{
		DefaultHotDays: DefaultHotDays, DefaultRetentionDays: DefaultRetentionDays, Region: region})
	if err != nil {
		return nil, err
	}
	out := make([]RetentionOrg, len(rows))
	for i, r := range rows {
		out[i] = RetentionOrg{OrgID: r.OrgID, HotDays: int(r.HotDays), RetentionDays: int(r.RetentionDays)}
	}
	return out, nil
}

// Manifest describes one archive part; it is stored next to the object and its fields in
// audit_archive.
type Manifest struct {
	Format        string    `json:"format"`
	OrgID         uuid.UUID `json:"org_id"`
	Day           string    `json:"day"`
	Part          int       `json:"part"`
	Object        string    `json:"object"`
	RowCount      int       `json:"row_count"`
	MinOccurredAt time.Time `json:"min_occurred_at"`
	MaxOccurredAt time.Time `json:"max_occurred_at"`
	SHA256        string    `json:"sha256"`
	SizeBytes     int64     `json:"size_bytes"`
	ChainHead     string    `json:"chain_head"`
	ChainBlock    int64     `json:"chain_block"`
	FirstPos      StreamPos `json:"first_position"`
	LastPos       StreamPos `json:"last_position"`
}

// ArchiveResult counts what archiving did.
type ArchiveResult struct {
	Days   int   `json:"days"`
	Parts  int   `json:"parts"`
	Events int64 `json:"events"`
}

// ObjectKey is the key of an archive part.
func ObjectKey(orgID uuid.UUID, day time.Time, part int) string {
	return fmt.Sprintf("audit/%s/%04d/%02d/%02d/part-%04d.ndjson.gz", orgID, day.Year(), day.Month(), day.Day(), part)
}

func manifestKey(objectKey string) string {
	return strings.TrimSuffix(objectKey, ".ndjson.gz") + ".manifest.json"
}

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ArchiveOrg archives every whole UTC day of the org older than now - hotDays. progress is
// called after each part (activities heartbeat from it).
func (s *Service) ArchiveOrg(ctx context.Context, orgID uuid.UUID, hotDays int, now time.Time, progress func(ArchiveResult)) (ArchiveResult, error) {
	var res ArchiveResult
	if s.blob == nil {
		return res, errcode.New(errcode.Unavailable, "no object store is configured")
	}
	cutoff := utcDay(now.AddDate(0, 0, -hotDays))
	if _, err := s.Seal(ctx, orgID); err != nil {
		return res, err
	}
	head, err := s.Head(ctx, orgID)
	if err != nil || head.Block < 0 {
		return res, err
	}
	days, err := dbsqlc.New(s.db).AuditHotDays(ctx, dbsqlc.AuditHotDaysParams{OrgID: orgID, Cutoff: cutoff})
	if err != nil {
		return res, err
	}
	for _, day := range days {
		day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		res.Days++
		for {
			n, err := s.archivePart(ctx, orgID, day, head)
			if err != nil {
				return res, fmt.Errorf("archive %s %s: %w", orgID, day.Format(time.DateOnly), err)
			}
			if n == 0 {
				break
			}
			res.Parts++
			res.Events += int64(n)
			if s.metrics != nil {
				s.metrics.Archived.Add(float64(n))
			}
			if progress != nil {
				progress(res)
			}
			if n < PartRows {
				break
			}
		}
	}
	return res, nil
}

// archivePart moves up to PartRows sealed rows of one day to a new part; 0 means none left.
func (s *Service) archivePart(ctx context.Context, orgID uuid.UUID, day time.Time, head ChainHead) (int, error) {
	q := dbsqlc.New(s.db)
	rows, err := q.AuditEventDayBatch(ctx, dbsqlc.AuditEventDayBatchParams{OrgID: orgID, DayStart: day, DayEnd: day.AddDate(0, 0, 1),
		AfterXid: -1, AfterSeq: -1, HeadXid: head.Pos.Xid, HeadSeq: head.Pos.Seq, Lim: PartRows})
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	events := eventsFromRows(rows)
	part, err := q.AuditArchiveNextPart(ctx, dbsqlc.AuditArchiveNextPartParams{OrgID: orgID, Day: day})
	if err != nil {
		return 0, err
	}
	key := ObjectKey(orgID, day, int(part))
	f, err := os.CreateTemp("", "audit-archive-*.ndjson.gz")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	m := Manifest{Format: "bytechef-audit-ndjson-gzip/v1", OrgID: orgID, Day: day.Format(time.DateOnly), Part: int(part), Object: key,
		RowCount: len(events), MinOccurredAt: events[0].OccurredAt, MaxOccurredAt: events[0].OccurredAt,
		ChainHead: head.Hash, ChainBlock: head.Block, FirstPos: events[0].Pos(), LastPos: events[len(events)-1].Pos()}
	sum := sha256.New()
	zw := gzip.NewWriter(io.MultiWriter(f, sum))
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false) // keep action_data bytes as stored, so leaves recompute exactly
	ids := make([]uuid.UUID, len(events))
	for i, e := range events {
		if e.OccurredAt.Before(m.MinOccurredAt) {
			m.MinOccurredAt = e.OccurredAt
		}
		if e.OccurredAt.After(m.MaxOccurredAt) {
			m.MaxOccurredAt = e.OccurredAt
		}
		ids[i] = e.ID
		if err := enc.Encode(toArchive(e)); err != nil {
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	m.SHA256 = hex.EncodeToString(sum.Sum(nil))
	if m.SizeBytes, err = f.Seek(0, io.SeekCurrent); err != nil {
		return 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	if err := s.blob.Put(ctx, key, f, "application/gzip"); err != nil {
		return 0, err
	}
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := s.blob.Put(ctx, manifestKey(key), bytes.NewReader(mb), "application/json"); err != nil {
		return 0, err
	}
	if err := s.readBack(ctx, m, ids); err != nil {
		return 0, err
	}
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if err := q.AuditArchiveInsert(ctx, dbsqlc.AuditArchiveInsertParams{OrgID: orgID, Day: day, Part: part, ObjectKey: key,
			ManifestKey: manifestKey(key), RowCount: int32(m.RowCount), MinOccurredAt: m.MinOccurredAt, MaxOccurredAt: m.MaxOccurredAt,
			Sha256: m.SHA256, SizeBytes: m.SizeBytes, ChainHead: m.ChainHead, ChainBlock: m.ChainBlock}); err != nil {
			return err
		}
		n, err := q.AuditEventDeleteIDs(ctx, dbsqlc.AuditEventDeleteIDsParams{OrgID: orgID, DayStart: day, DayEnd: day.AddDate(0, 0, 1), Ids: ids})
		if err != nil {
			return err
		}
		if n != int64(len(ids)) {
			return fmt.Errorf("audit: %d of %d archived rows were still hot; not deleting", n, len(ids))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(events), nil
}

// readBack verifies the stored object: same sha256, same row count, same ids.
func (s *Service) readBack(ctx context.Context, m Manifest, ids []uuid.UUID) error {
	r, err := s.blob.Get(ctx, m.Object)
	if err != nil {
		return err
	}
	defer r.Close()
	sum := sha256.New()
	events, _, err := decodeArchive(io.TeeReader(r, sum))
	if err != nil {
		return fmt.Errorf("audit: archive read-back: %w", err)
	}
	if _, err := io.Copy(sum, r); err != nil { // the gzip trailer may be unread
		return err
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != m.SHA256 {
		return fmt.Errorf("audit: archive read-back: sha256 %s, want %s", got, m.SHA256)
	}
	if len(events) != len(ids) {
		return fmt.Errorf("audit: archive read-back: %d rows, want %d", len(events), len(ids))
	}
	for i, e := range events {
		if e.ID != ids[i] {
			return errors.New("audit: archive read-back: rows differ")
		}
	}
	return nil
}

// PurgeResult counts what purging did.
type PurgeResult struct {
	Parts   int   `json:"parts"`
	Objects int   `json:"objects"`
	IDs     int64 `json:"ids"`
}

// PurgeOrg deletes the org's archives older than retentionDays: the audit_archive rows first
// (so nothing reads them any more), then every object under the expired days' prefixes,
// which also sweeps objects orphaned by an interrupted archive or purge. The id registry
// forgets the same range.
func (s *Service) PurgeOrg(ctx context.Context, orgID uuid.UUID, retentionDays int, now time.Time) (PurgeResult, error) {
	var res PurgeResult
	if s.blob == nil {
		return res, errcode.New(errcode.Unavailable, "no object store is configured")
	}
	cutoff := utcDay(now.AddDate(0, 0, -retentionDays))
	q := dbsqlc.New(s.db)
	expired, err := q.AuditArchiveExpired(ctx, dbsqlc.AuditArchiveExpiredParams{OrgID: orgID, BeforeDay: cutoff})
	if err != nil {
		return res, err
	}
	for _, a := range expired {
		if err := q.AuditArchiveDelete(ctx, dbsqlc.AuditArchiveDeleteParams{OrgID: orgID, Day: a.Day, Part: a.Part}); err != nil {
			return res, err
		}
		res.Parts++
	}
	prefix := "audit/" + orgID.String() + "/"
	var token *string
	for {
		out, err := s.blob.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.blob.Bucket, Prefix: &prefix, ContinuationToken: token})
		if err != nil {
			return res, err
		}
		for _, o := range out.Contents {
			key := *o.Key
			parts := strings.Split(strings.TrimPrefix(key, prefix), "/")
			if len(parts) != 4 {
				continue
			}
			day, err := time.Parse("2006/01/02", strings.Join(parts[:3], "/"))
			if err != nil || !day.Before(cutoff) {
				continue
			}
			if err := s.blob.Delete(ctx, key); err != nil {
				return res, err
			}
			res.Objects++
		}
		if out.IsTruncated == nil || !*out.IsTruncated {
			break
		}
		token = out.NextContinuationToken
	}
	if res.IDs, err = q.AuditEventIDPurge(ctx, dbsqlc.AuditEventIDPurgeParams{OrgID: orgID, Before: cutoff}); err != nil {
		return res, err
	}
	if s.metrics != nil {
		s.metrics.Purged.Add(float64(res.Parts))
	}
	return res, nil
}

// DropEmptyPartitions detaches and drops monthly partitions that are empty and lie wholly
// before the ingestion window (so nothing can be routed to them any more).
func (s *Service) DropEmptyPartitions(ctx context.Context, now time.Time) ([]string, error) {
	parts, err := listPartitions(ctx, s.db)
	if err != nil {
		return nil, err
	}
	limit := now.UTC().Add(-MaxPast).AddDate(0, 0, -1)
	var dropped []string
	for _, p := range parts {
		end := time.Date(p.Year, time.Month(p.Month), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
		if !end.Before(limit) {
			continue
		}
		empty, err := partitionEmpty(ctx, s.db, p.Name)
		if err != nil {
			return dropped, err
		}
		if !empty {
			continue
		}
		if err := detachAndDrop(ctx, s.db, p); err != nil {
			return dropped, err
		}
		dropped = append(dropped, p.Name)
	}
	return dropped, nil
}
