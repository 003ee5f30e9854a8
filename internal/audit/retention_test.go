// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
	"github.com/bytechefhq/bytechef-ee/internal/platform/testenv"
)

func countHot(t *testing.T, s *Service, org uuid.UUID) int {
	var n int
	require.NoError(t, s.db.QueryRow(context.Background(), "SELECT count(*) FROM audit_event WHERE org_id = $1", org).Scan(&n))
	return n
}

// TestRetentionTiering archives old days to a real S3 gateway, answers queries across both
// tiers, survives an orphaned attempt and a failing S3, purges past retention and drops
// empty partitions — with every event in exactly one tier at each step.
func TestRetentionTiering(t *testing.T) {
	t.Parallel()
	store := testenv.Bucket(t)
	pool := dbtest.New(t)
	s := NewService(pool, store, NewMetrics(prometheus.NewRegistry()), nil)
	ctx := context.Background()
	org := uuid.New()
	now := time.Now().UTC()
	s.SetClock(func() time.Time { return now })
	day := func(n int) time.Time { return utcDay(now).AddDate(0, 0, -n).Add(12 * time.Hour) }
	var batch []IngestItem
	for i := 0; i < 3; i++ {
		batch = append(batch, item(day(10).Add(time.Duration(i)*time.Minute), "workflow.executed"))
	}
	batch = append(batch, item(day(9), "file.downloaded"), item(day(9), "workflow.executed"), item(now.Add(-time.Minute), "workflow.executed"), item(now, "workflow.executed"))
	batch[3].Category = "FILES"
	_, err := s.Ingest(ctx, org, batch)
	require.NoError(t, err)

	sealAll(t, s, org)
	// An interrupted earlier attempt left an object at the first part's key: it is overwritten.
	orphan := ObjectKey(org, utcDay(day(10)), 1)
	require.NoError(t, store.Put(ctx, orphan, bytes.NewReader([]byte("half-written")), "application/gzip"))

	// S3 failing: nothing moves.
	broken, err := blobWithBucket(store, "no-such-bucket-"+uuid.NewString()[:8])
	require.NoError(t, err)
	bad := NewService(pool, broken, nil, nil)
	_, err = bad.ArchiveOrg(ctx, org, 5, now, nil)
	require.Error(t, err)
	require.Equal(t, 7, countHot(t, s, org))

	res, err := s.ArchiveOrg(ctx, org, 5, now, nil)
	require.NoError(t, err)
	require.Equal(t, ArchiveResult{Days: 2, Parts: 2, Events: 5}, res)
	require.Equal(t, 2, countHot(t, s, org))
	r, err := store.Get(ctx, orphan)
	require.NoError(t, err)
	events, _, err := decodeArchive(r)
	r.Close()
	require.NoError(t, err)
	require.Len(t, events, 3)
	mr, err := store.Get(ctx, manifestKey(orphan))
	require.NoError(t, err)
	mb, _ := io.ReadAll(mr)
	mr.Close()
	require.Contains(t, string(mb), `"row_count": 3`)
	require.Contains(t, string(mb), `"chain_head"`)

	// Again: nothing left to do.
	res, err = s.ArchiveOrg(ctx, org, 5, now, nil)
	require.NoError(t, err)
	require.Equal(t, int64(0), res.Events)

	// One query over both tiers: same order and cursor semantics, cold part reported.
	var all []StoredEvent
	var after *Position
	for {
		page, err := s.List(ctx, org, Filter{}, after, 2)
		require.NoError(t, err)
		all = append(all, page.Events...)
		if page.Next == nil {
			break
		}
		after = page.Next
	}
	require.Len(t, all, 7)
	cold := 0
	for i, e := range all {
		if i > 0 {
			require.True(t, newer(all[i-1], e), "order broken at %d", i)
		}
		if e.Cold {
			cold++
		}
	}
	require.Equal(t, 5, cold)
	page, err := s.List(ctx, org, Filter{Category: "FILES"}, nil, 50)
	require.NoError(t, err)
	require.Len(t, page.Events, 1)
	require.Equal(t, 1, page.Cold)
	require.NotEmpty(t, page.ColdObjects)
	got, err := s.Get(ctx, org, uuid.MustParse(batch[0].ID))
	require.NoError(t, err)
	require.True(t, got.Cold)
	v, err := s.Verify(ctx, org, now.AddDate(0, 0, -30), now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, v.OK, "%+v", v.FirstBreak)
	require.Equal(t, 5, v.ColdEvents)

	// A late event for an archived day becomes the day's next part.
	_, err = s.Ingest(ctx, org, []IngestItem{item(day(10).Add(time.Hour), "workflow.executed")})
	require.NoError(t, err)
	sealAll(t, s, org)
	res, err = s.ArchiveOrg(ctx, org, 5, now, nil)
	require.NoError(t, err)
	require.Equal(t, ArchiveResult{Days: 1, Parts: 1, Events: 1}, res)
	_, err = store.Get(ctx, ObjectKey(org, utcDay(day(10)), 2))
	require.NoError(t, err)

	// Past retention: archives and objects go; later verification checks links only.
	purged, err := s.PurgeOrg(ctx, org, 9, now)
	require.NoError(t, err)
	require.Equal(t, 2, purged.Parts) // the 10-day-old day's two parts
	_, err = store.Get(ctx, orphan)
	require.ErrorIs(t, err, blob.ErrNotFound)
	page, err = s.List(ctx, org, Filter{}, nil, 50)
	require.NoError(t, err)
	require.Len(t, page.Events, 4)
	_, err = s.PutPolicy(ctx, uuid.New(), 5, 9, nil)
	require.ErrorContains(t, err, "organization") // a policy needs a real org
	_, err = pool.Exec(ctx, "INSERT INTO organization (id, slug, name, region) VALUES ($1, 'acme', 'Acme', 'us')", org)
	require.NoError(t, err)
	_, err = s.PutPolicy(ctx, org, 5, 9, nil)
	require.NoError(t, err)
	v, err = s.Verify(ctx, org, now.AddDate(0, 0, -30), now.Add(time.Hour))
	require.NoError(t, err)
	require.True(t, v.OK, "purged events are not a break: %+v", v.FirstBreak)
	require.Positive(t, v.ExpiredBlocks)

	// Empty partitions before the window are dropped; others stay.
	old := utcDay(now).AddDate(0, -8, 0)
	_, err = pool.Exec(ctx, "SELECT ensure_audit_partitions($1::date, 1)", old)
	require.NoError(t, err)
	dropped, err := s.DropEmptyPartitions(ctx, now)
	require.NoError(t, err)
	require.Contains(t, dropped, fmt.Sprintf("audit_event_%s", old.Format("2006_01")))
	parts, err := listPartitions(ctx, pool)
	require.NoError(t, err)
	require.NotEmpty(t, parts)
	dropped, err = s.DropEmptyPartitions(ctx, now)
	require.NoError(t, err)
	require.Empty(t, dropped)
}

func blobWithBucket(s *blob.Store, bucket string) (*blob.Store, error) {
	c := *s
	c.Bucket = bucket
	return &c, nil
}

// TestArchiveInterrupted kills archiving (context cancelled) after its first part, then
// runs it again: every event ends in exactly one tier.
func TestArchiveInterrupted(t *testing.T) {
	t.Parallel()
	store := testenv.Bucket(t)
	pool := dbtest.New(t)
	s := NewService(pool, store, nil, nil)
	ctx := context.Background()
	org := uuid.New()
	now := time.Now().UTC()
	var items []IngestItem
	for d := 6; d <= 12; d++ {
		for i := 0; i < 5; i++ {
			items = append(items, item(now.AddDate(0, 0, -d).Add(time.Duration(i)*time.Minute), "workflow.executed"))
		}
	}
	_, err := s.Ingest(ctx, org, items)
	require.NoError(t, err)
	sealAll(t, s, org)
	cctx, cancel := context.WithCancel(ctx)
	_, err = s.ArchiveOrg(cctx, org, 5, now, func(ArchiveResult) { cancel() })
	require.Error(t, err)
	cold := func() int {
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT coalesce(sum(row_count), 0) FROM audit_archive WHERE org_id = $1", org).Scan(&n))
		return n
	}
	require.Equal(t, len(items), countHot(t, s, org)+cold(), "after the crash")
	res, err := s.ArchiveOrg(ctx, org, 5, now, nil)
	require.NoError(t, err)
	require.Positive(t, res.Events)
	require.Equal(t, 0, countHot(t, s, org))
	require.Equal(t, len(items), cold())
	page, err := s.List(ctx, org, Filter{}, nil, 500)
	require.NoError(t, err)
	ids := map[uuid.UUID]bool{}
	for _, e := range page.Events {
		require.False(t, ids[e.ID])
		ids[e.ID] = true
	}
	require.Len(t, ids, len(items))
}
