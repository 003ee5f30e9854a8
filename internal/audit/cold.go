// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// maxColdObject bounds one decompressed archive object read back into memory.
const maxColdObject = 1 << 30

// coldCache reads archive objects once per request.
type coldCache struct {
	s       *Service
	orgID   uuid.UUID
	objects map[string][]StoredEvent
}

func newColdCache(s *Service, orgID uuid.UUID) *coldCache {
	return &coldCache{s: s, orgID: orgID, objects: map[string][]StoredEvent{}}
}

func (c *coldCache) object(ctx context.Context, key string) ([]StoredEvent, error) {
	if ev, ok := c.objects[key]; ok {
		return ev, nil
	}
	if c.s.blob == nil {
		return nil, errcode.New(errcode.Unavailable, "archived audit events cannot be read: no object store is configured")
	}
	r, err := c.s.blob.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("audit: read archive %s: %w", key, err)
	}
	defer r.Close()
	events, _, err := decodeArchive(r)
	if err != nil {
		return nil, fmt.Errorf("audit: decode archive %s: %w", key, err)
	}
	c.objects[key] = events
	return events, nil
}

// rangeEvents returns the archived events of the org in [first, last] ingestion positions
// whose objects overlap [minAt, maxAt].
func (c *coldCache) rangeEvents(ctx context.Context, minAt, maxAt time.Time, first, last StreamPos) ([]StoredEvent, error) {
	archives, err := dbsqlc.New(c.s.db).AuditArchiveRange(ctx, dbsqlc.AuditArchiveRangeParams{OrgID: c.orgID, FromAt: minAt, ToAt: maxAt.Add(time.Microsecond)})
	if err != nil {
		return nil, err
	}
	var out []StoredEvent
	for _, a := range archives {
		events, err := c.object(ctx, a.ObjectKey)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			p := e.Pos()
			if !p.Less(first) && !last.Less(p) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// decodeArchive reads a gzip NDJSON object.
func decodeArchive(r io.Reader) ([]StoredEvent, int64, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, 0, err
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: maxColdObject + 1}
	sc := bufio.NewScanner(lr)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var out []StoredEvent
	for sc.Scan() {
		var rec archiveRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, 0, err
		}
		out = append(out, fromArchive(rec))
	}
	if err := sc.Err(); err != nil {
		return nil, 0, err
	}
	if lr.N <= 0 {
		return nil, 0, errors.New("archive object too large")
	}
	return out, maxColdObject + 1 - lr.N, nil
}
