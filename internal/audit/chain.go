// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// The tamper-evidence chain. Each org has a chain of blocks (audit_seal); a block covers the
// events after the previous block in ingestion order (xid, seq) and its hash is
// sha256(prev_hash || leaf_1 || … || leaf_n). Blocks are sealed after commit, only below the
// oldest in-flight transaction (the same horizon as the SIEM stream), so writers never wait
// for each other or for a chain lock. Any edit, deletion, insertion or reordering of sealed
// events changes a block hash; a removed or altered block breaks the prev_hash link.
//
// A leaf commits to PII (actor_user_id, actor_ip, user_agent, session_id) only through
// sha256(pii_salt || fields) and to action_data through its digest. GDPR erasure stores those
// digests (pii_digest, data_digest) before clearing the values and the salt, so the chain
// keeps verifying while the raw values, and any way to link the digest back to them, are gone.

// sealBlockSize bounds one block (and one sealing transaction).
const sealBlockSize = 5000

// genesis is the prev_hash of an org's first block.
var genesis = make([]byte, sha256.Size)

func writeField(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

func optUUID(u *uuid.UUID) []byte {
	if u == nil {
		return nil
	}
	return []byte(u.String())
}

func optString(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

// PIIDigest is the commitment to an event's personal data.
func PIIDigest(e StoredEvent) []byte {
	if len(e.PIIDigest) > 0 {
		return e.PIIDigest
	}
	h := sha256.New()
	writeField(h, e.PIISalt)
	writeField(h, optUUID(e.ActorUserID))
	var ip []byte
	if e.ActorIP != nil {
		ip = []byte(e.ActorIP.String())
	}
	writeField(h, ip)
	writeField(h, optString(e.UserAgent))
	writeField(h, optString(e.SessionID))
	return h.Sum(nil)
}

// DataDigest is the commitment to action_data: the digest of its compact JSON text (as
// Postgres' jsonb prints it, which is canonical for a stored value).
func DataDigest(e StoredEvent) []byte {
	if len(e.DataDigest) > 0 {
		return e.DataDigest
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, e.ActionData); err != nil {
		buf.Reset()
		buf.Write(e.ActionData)
	}
	sum := sha256.Sum256(buf.Bytes())
	return sum[:]
}

// Leaf is the hash of one event in the chain.
func Leaf(e StoredEvent) []byte {
	h := sha256.New()
	h.Write([]byte("bytechef-audit-leaf-v1"))
	writeField(h, []byte(e.ID.String()))
	writeField(h, []byte(e.OrgID.String()))
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(e.OccurredAt.UnixMicro()))
	writeField(h, ts[:])
	writeField(h, []byte(e.EventType))
	writeField(h, []byte(e.Category))
	writeField(h, []byte(e.ActorType))
	writeField(h, optUUID(e.WorkspaceID))
	writeField(h, []byte(e.TargetEntityType))
	writeField(h, []byte(e.TargetEntityID))
	writeField(h, optUUID(e.CorrelationID))
	var seq [8]byte
	binary.BigEndian.PutUint64(seq[:], uint64(e.Seq))
	writeField(h, seq[:])
	writeField(h, PIIDigest(e))
	writeField(h, DataDigest(e))
	return h.Sum(nil)
}

// blockHash chains the events (already in ingestion order) onto prev.
func blockHash(prev []byte, events []StoredEvent) []byte {
	h := sha256.New()
	h.Write(prev)
	for _, e := range events {
		h.Write(Leaf(e))
	}
	return h.Sum(nil)
}

// Seal appends blocks for every event of the org that is committed below the in-flight
// horizon and not yet sealed. It is safe to run from any number of processes at once.
func (s *Service) Seal(ctx context.Context, orgID uuid.UUID) (int, error) {
	total := 0
	for {
		n := 0
		err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
			if err := q.AuditSealLock(ctx, orgID); err != nil {
				return err
			}
			prev := genesis
			var blockNo int64
			var after StreamPos
			head, err := q.AuditSealHead(ctx, orgID)
			switch {
			case err == nil:
				prev, blockNo, after = head.Hash, head.BlockNo+1, StreamPos{head.LastXid, head.LastSeq}
			case !database.IsNoRows(err):
				return err
			}
			rows, err := q.AuditEventStream(ctx, dbsqlc.AuditEventStreamParams{OrgID: orgID, AfterXid: after.Xid, AfterSeq: after.Seq, Lim: sealBlockSize})
			if err != nil || len(rows) == 0 {
				return err
			}
			events := eventsFromRows(rows)
			minAt, maxAt := events[0].OccurredAt, events[0].OccurredAt
			for _, e := range events {
				if e.OccurredAt.Before(minAt) {
					minAt = e.OccurredAt
				}
				if e.OccurredAt.After(maxAt) {
					maxAt = e.OccurredAt
				}
			}
			first, last := events[0], events[len(events)-1]
			n = len(events)
			return q.AuditSealInsert(ctx, dbsqlc.AuditSealInsertParams{OrgID: orgID, BlockNo: blockNo,
				FirstXid: first.Xid, FirstSeq: first.Seq, LastXid: last.Xid, LastSeq: last.Seq, EventCount: int32(n),
				MinOccurredAt: minAt, MaxOccurredAt: maxAt, PrevHash: prev, Hash: blockHash(prev, events)})
		})
		if err != nil {
			return total, err
		}
		total += n
		if s.metrics != nil {
			s.metrics.Sealed.Add(float64(n))
		}
		if n < sealBlockSize {
			return total, nil
		}
	}
}

// ChainHead is the newest block of an org's chain.
type ChainHead struct {
	Block int64
	Hash  string
	Pos   StreamPos
}

// Head returns the org's chain head (block -1 and the genesis hash when nothing is sealed).
func (s *Service) Head(ctx context.Context, orgID uuid.UUID) (ChainHead, error) {
	h, err := dbsqlc.New(s.db).AuditSealHead(ctx, orgID)
	if database.IsNoRows(err) {
		return ChainHead{Block: -1, Hash: hex.EncodeToString(genesis)}, nil
	}
	if err != nil {
		return ChainHead{}, err
	}
	return ChainHead{Block: h.BlockNo, Hash: hex.EncodeToString(h.Hash), Pos: StreamPos{h.LastXid, h.LastSeq}}, nil
}

// VerifyResult reports a verification.
type VerifyResult struct {
	OK             bool
	From, To       time.Time
	BlocksChecked  int
	EventsChecked  int
	ColdEvents     int
	UnsealedEvents int64
	// ExpiredBlocks hold events past retention (purged); only their links are checked.
	ExpiredBlocks int
	ChainHead     string
	FirstBreak    *ChainBreak
}

// ChainBreak is the first place where the stored events no longer match the chain.
type ChainBreak struct {
	Block        int64
	Reason       string
	FirstSeq     int64
	LastSeq      int64
	Expected     string
	Actual       string
	ExpectedRows int
	ActualRows   int
}

// Verify seals what is ready, then recomputes every block holding events in [from, to) from
// the events themselves (hot rows and, for archived ones, the cold objects) and checks each
// block's link to its predecessor. It stops at the first break.
func (s *Service) Verify(ctx context.Context, orgID uuid.UUID, from, to time.Time) (VerifyResult, error) {
	res := VerifyResult{OK: true, From: from, To: to}
	if _, err := s.Seal(ctx, orgID); err != nil {
		return res, err
	}
	q := dbsqlc.New(s.db)
	head, err := s.Head(ctx, orgID)
	if err != nil {
		return res, err
	}
	res.ChainHead = head.Hash
	res.UnsealedEvents, err = q.AuditUnsealedCount(ctx, dbsqlc.AuditUnsealedCountParams{OrgID: orgID,
		AfterXid: head.Pos.Xid, AfterSeq: head.Pos.Seq, FromAt: from, ToAt: to})
	if err != nil {
		return res, err
	}
	policy, err := s.GetPolicy(ctx, orgID)
	switch {
	case errcode.Is(err, errcode.NotFound):
		// A deleted (or never registered) org's events still verify, under the defaults.
		policy = Policy{HotDays: DefaultHotDays, RetentionDays: DefaultRetentionDays}
	case err != nil:
		return res, err
	}
	// Events older than the retention period are deleted on purpose: their blocks are
	// checked for linkage only.
	expiredBefore := utcDay(s.now().AddDate(0, 0, -policy.RetentionDays))
	cold := newColdCache(s, orgID)
	var prev *dbsqlc.AuditSeal
	after := int64(-1)
	for {
		blocks, err := q.AuditSealOverlapping(ctx, dbsqlc.AuditSealOverlappingParams{OrgID: orgID, FromAt: from, ToAt: to, AfterBlock: after, Lim: 200})
		if err != nil {
			return res, err
		}
		for i := range blocks {
			b := blocks[i]
			after = b.BlockNo
			var want []byte
			switch {
			case b.BlockNo == 0:
				want = genesis
			case prev != nil && prev.BlockNo == b.BlockNo-1:
				want = prev.Hash
			default:
				p, err := q.AuditSealGet(ctx, dbsqlc.AuditSealGetParams{OrgID: orgID, BlockNo: b.BlockNo - 1})
				if database.IsNoRows(err) {
					res.fail(b, "the previous block is missing", nil, nil, 0)
					return s.verified(res), nil
				}
				if err != nil {
					return res, err
				}
				want = p.Hash
			}
			if !bytes.Equal(want, b.PrevHash) {
				res.fail(b, "the block does not link to its predecessor", want, b.PrevHash, 0)
				return s.verified(res), nil
			}
			if b.MinOccurredAt.Before(expiredBefore) {
				res.ExpiredBlocks++
				prev = &blocks[i]
				continue
			}
			rows, err := q.AuditEventRange(ctx, dbsqlc.AuditEventRangeParams{OrgID: orgID, FirstXid: b.FirstXid,
				FirstSeq: b.FirstSeq, LastXid: b.LastXid, LastSeq: b.LastSeq})
			if err != nil {
				return res, err
			}
			events := eventsFromRows(rows)
			if len(events) != int(b.EventCount) {
				// Part of the block may have moved to the cold tier.
				coldEvents, err := cold.rangeEvents(ctx, b.MinOccurredAt, b.MaxOccurredAt,
					StreamPos{b.FirstXid, b.FirstSeq}, StreamPos{b.LastXid, b.LastSeq})
				if err != nil {
					return res, err
				}
				res.ColdEvents += len(coldEvents)
				events = mergeByPos(events, coldEvents)
			}
			got := blockHash(b.PrevHash, events)
			res.BlocksChecked++
			res.EventsChecked += len(events)
			if len(events) != int(b.EventCount) {
				res.fail(b, "events were deleted from or added to the block", b.Hash, got, len(events))
				return s.verified(res), nil
			}
			if !bytes.Equal(got, b.Hash) {
				res.fail(b, "an event in the block was altered or reordered", b.Hash, got, len(events))
				return s.verified(res), nil
			}
			prev = &blocks[i]
		}
		if len(blocks) < 200 {
			break
		}
	}
	return s.verified(res), nil
}

func (s *Service) verified(res VerifyResult) VerifyResult {
	if s.metrics != nil {
		r := "ok"
		if !res.OK {
			r = "broken"
		}
		s.metrics.Verify.WithLabelValues(r).Inc()
	}
	return res
}

func (r *VerifyResult) fail(b dbsqlc.AuditSeal, reason string, want, got []byte, rows int) {
	r.OK = false
	r.FirstBreak = &ChainBreak{Block: b.BlockNo, Reason: reason, FirstSeq: b.FirstSeq, LastSeq: b.LastSeq,
		Expected: hex.EncodeToString(want), Actual: hex.EncodeToString(got), ExpectedRows: int(b.EventCount), ActualRows: rows}
}

// mergeByPos merges two event lists into ingestion order, dropping exact position repeats.
func mergeByPos(a, b []StoredEvent) []StoredEvent {
	out := make([]StoredEvent, 0, len(a)+len(b))
	out = append(out, a...)
	out = append(out, b...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pos().Less(out[j].Pos()) })
	dedup := out[:0]
	for i, e := range out {
		if i > 0 && e.Pos() == out[i-1].Pos() {
			continue
		}
		dedup = append(dedup, e)
	}
	return dedup
}
