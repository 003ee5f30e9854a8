// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/dbtest"
)

func newTestService(t testing.TB) (*Service, *pgxpool.Pool) {
	pool := dbtest.New(t)
	return NewService(pool, nil, NewMetrics(prometheus.NewRegistry()), nil), pool
}

// sealAll waits until every committed event of the org is sealed (the horizon is
// cluster-wide, so other tests' transactions on the same server can hold it back a moment).
func sealAll(t *testing.T, s *Service, org uuid.UUID) {
	t.Helper()
	require.Eventually(t, func() bool {
		if _, err := s.Seal(context.Background(), org); err != nil {
			return false
		}
		h, err := s.Head(context.Background(), org)
		if err != nil {
			return false
		}
		var unsealed int
		_ = s.db.QueryRow(context.Background(), "SELECT count(*) FROM audit_event WHERE org_id = $1 AND (xid, seq) > ($2, $3)", org, h.Pos.Xid, h.Pos.Seq).Scan(&unsealed)
		return unsealed == 0
	}, 60*time.Second, 50*time.Millisecond)
}

func item(at time.Time, typ string) IngestItem {
	return IngestItem{ID: uuid.Must(uuid.NewV7()).String(), OccurredAt: at.UTC().Format(time.RFC3339Nano), EventType: typ,
		Category: "WORKFLOWS", ActorType: "USER", ActorUserID: uuid.NewString(), ActorIP: "2001:db8::1", UserAgent: "agent/1.0",
		TargetEntityType: "workflow", TargetEntityID: "wf", ActionData: json.RawMessage(`{"email":"a@example.com","n":1.50,"z":[1,{"k":"<b>"}]}`)}
}

// TestStreamExactlyOnceUnderConcurrentWriters runs writers whose transactions take their
// sequence numbers early and commit late (and some roll back), with late events carrying old
// timestamps, while a poller follows the stream. The poller must see exactly the committed
// events, each once.
func TestStreamExactlyOnceUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	svc, pool := newTestService(t)
	ctx := context.Background()
	org := uuid.New()

	const writers, txPerWriter = 6, 25
	var mu sync.Mutex
	committed := map[uuid.UUID]bool{}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; i < txPerWriter; i++ {
				tx, err := pool.Begin(ctx)
				require.NoError(t, err)
				q := dbsqlc.New(tx)
				n := 1 + rng.IntN(4)
				rows := make([]dbsqlc.AuditEventCopyParams, n)
				ids := make([]uuid.UUID, n)
				ats := make([]time.Time, n)
				for j := range rows {
					at := time.Now().UTC()
					if rng.IntN(3) == 0 {
						at = at.Add(-time.Duration(rng.IntN(20*24)) * time.Hour) // a late event
					}
					at = at.Truncate(time.Microsecond)
					ids[j], ats[j] = uuid.Must(uuid.NewV7()), at
					rows[j] = dbsqlc.AuditEventCopyParams{ID: ids[j], OccurredAt: at, EventType: "workflow.executed", Category: "WORKFLOWS",
						ActorType: "SYSTEM", OrgID: org, ActionData: []byte(`{}`)}
				}
				_, err = q.AuditEventRegisterIDs(ctx, dbsqlc.AuditEventRegisterIDsParams{OrgID: org, Ids: ids, OccurredAts: ats})
				require.NoError(t, err)
				_, err = q.AuditEventCopy(ctx, rows)
				require.NoError(t, err)
				// Hold the transaction open so later transactions commit first.
				time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
				if rng.IntN(10) == 0 {
					require.NoError(t, tx.Rollback(ctx))
					continue
				}
				require.NoError(t, tx.Commit(ctx))
				mu.Lock()
				for _, id := range ids {
					committed[id] = true
				}
				mu.Unlock()
			}
		}(w)
	}
	go func() { wg.Wait(); close(done) }()

	seen := map[uuid.UUID]int{}
	var pos StreamPos
	naive := map[uuid.UUID]bool{} // what a plain "seq > x" poller would have seen
	var naiveSeq int64
	poll := func() int {
		events, next, err := svc.Stream(ctx, org, pos, 7)
		require.NoError(t, err)
		for _, e := range events {
			seen[e.ID]++
		}
		require.False(t, next.Less(pos), "the cursor went backwards")
		pos = next
		rows, err := pool.Query(ctx, "SELECT id, seq FROM audit_event WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT 7", org, naiveSeq)
		require.NoError(t, err)
		for rows.Next() {
			var id uuid.UUID
			var seq int64
			require.NoError(t, rows.Scan(&id, &seq))
			naive[id] = true
			naiveSeq = seq
		}
		rows.Close()
		return len(events)
	}
	polls := 0
loop:
	for {
		select {
		case <-done:
			break loop
		default:
			poll()
			polls++
			time.Sleep(time.Millisecond)
		}
	}
	// Drain: once every writer has finished, the horizon passes everything. The horizon is
	// cluster-wide, so a long transaction elsewhere on the server only delays delivery; a lost
	// event would never arrive and time this out.
	deadline := time.Now().Add(60 * time.Second)
	for len(seen) < len(committed) && time.Now().Before(deadline) {
		if poll() == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	for poll() > 0 {
	}
	for id, n := range seen {
		require.Equal(t, 1, n, "event %s delivered %d times", id, n)
		require.True(t, committed[id], "event %s was delivered but never committed", id)
	}
	require.Len(t, seen, len(committed), "every committed event is delivered")
	t.Logf("%d events committed and delivered exactly once over %d polls; a plain seq > x poller saw %d", len(committed), polls, len(naive))

	// The chain seals the same order and verifies.
	sealAll(t, svc, org)
	res, err := svc.Verify(ctx, org, time.Now().Add(-40*24*time.Hour), time.Now().Add(time.Hour))
	require.NoError(t, err)
	require.True(t, res.OK, "%+v", res.FirstBreak)
	require.Equal(t, len(committed), res.EventsChecked)
}

func TestIngestDedupAndWindow(t *testing.T) {
	t.Parallel()
	svc, pool := newTestService(t)
	ctx := context.Background()
	org := uuid.New()
	now := time.Now()
	a := item(now, "workflow.executed")
	res, err := svc.Ingest(ctx, org, []IngestItem{a, item(now, "vendor.custom_thing")})
	require.NoError(t, err)
	require.Equal(t, IngestResult{Accepted: 2}, res)

	// Same id, other occurred_at (another partition even): still a duplicate.
	b := a
	b.OccurredAt = now.Add(-25 * 24 * time.Hour).Format(time.RFC3339)
	res, err = svc.Ingest(ctx, org, []IngestItem{b})
	require.NoError(t, err)
	require.Equal(t, IngestResult{Duplicates: 1}, res)
	// The same id in another org is another event.
	res, err = svc.Ingest(ctx, uuid.New(), []IngestItem{b})
	require.NoError(t, err)
	require.Equal(t, 1, res.Accepted)

	// Concurrent batches carrying the same ids, in different orders: each id is stored once
	// and no batch deadlocks.
	shared := []IngestItem{item(now, "workflow.executed"), item(now, "workflow.executed")}
	reversed := []IngestItem{shared[1], shared[0]}
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := shared
			if i%2 == 1 {
				batch = reversed
			}
			r, err := svc.Ingest(ctx, org, batch)
			require.NoError(t, err)
			mu.Lock()
			total += r.Accepted
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, 2, total)
	var n int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM audit_event WHERE org_id = $1", org).Scan(&n))
	require.Equal(t, 4, n)

	// A missing partition inside the window is created on demand rather than failing.
	svc.SetClock(func() time.Time { return now })
	_, err = pool.Exec(ctx, "DROP TABLE "+fmt.Sprintf("audit_event_%s", now.AddDate(0, 2, 0).UTC().Format("2006_01")))
	require.NoError(t, err)
	_, err = svc.Ingest(ctx, org, []IngestItem{item(now, "workflow.executed")})
	require.NoError(t, err)

	// Outside the window: a validation error naming the item, never a database error.
	_, err = svc.Ingest(ctx, org, []IngestItem{item(now, "workflow.executed"), item(now.AddDate(5, 0, 0), "workflow.executed")})
	require.ErrorContains(t, err, "events[1].occurred_at")
}

// TestChainSurvivesPseudonymisation shows the GDPR design: once the PII and action_data
// digests are stored, the personal data and the salt can be erased and the chain still
// verifies; erasing without storing them is detected as tampering.
func TestChainSurvivesPseudonymisation(t *testing.T) {
	t.Parallel()
	svc, pool := newTestService(t)
	ctx := context.Background()
	org := uuid.New()
	now := time.Now()
	items := []IngestItem{item(now, "user.signed_in"), item(now, "workflow.executed"), item(now, "workflow.executed")}
	items[0].Category = "AUTHENTICATION"
	_, err := svc.Ingest(ctx, org, items)
	require.NoError(t, err)
	sealAll(t, svc, org)
	verify := func() VerifyResult {
		res, err := svc.Verify(ctx, org, now.Add(-time.Hour), now.Add(time.Hour))
		require.NoError(t, err)
		return res
	}
	require.True(t, verify().OK)

	victim, err := svc.Get(ctx, org, uuid.MustParse(items[1].ID))
	require.NoError(t, err)
	// Proper erasure: commit digests first, then clear.
	_, err = pool.Exec(ctx, `UPDATE audit_event SET pii_digest = $3, data_digest = $4, actor_user_id = $5, actor_ip = NULL,
		user_agent = NULL, session_id = NULL, pii_salt = NULL, action_data = '{"email":"[ERASED]"}', pseudonymised_at = now()
		WHERE org_id = $1 AND id = $2`, org, victim.ID, PIIDigest(victim), DataDigest(victim), uuid.NewSHA1(uuid.NameSpaceOID, []byte("pseudonym")))
	require.NoError(t, err)
	res := verify()
	require.True(t, res.OK, "%+v", res.FirstBreak)

	// Erasing without the digests breaks the chain: it is indistinguishable from tampering.
	_, err = pool.Exec(ctx, `UPDATE audit_event SET actor_ip = NULL WHERE org_id = $1 AND id = $2`, org, uuid.MustParse(items[2].ID))
	require.NoError(t, err)
	res = verify()
	require.False(t, res.OK)
	require.Equal(t, int64(0), res.FirstBreak.Block)

	// Reordering (swapping seq) is detected too.
	_, err = pool.Exec(ctx, `UPDATE audit_event SET actor_ip = '2001:db8::1' WHERE org_id = $1 AND id = $2`, org, uuid.MustParse(items[2].ID))
	require.NoError(t, err)
	require.True(t, verify().OK)
	_, err = pool.Exec(ctx, `UPDATE audit_event SET seq = CASE WHEN id = $2 THEN (SELECT seq FROM audit_event WHERE id = $3)
		ELSE (SELECT seq FROM audit_event WHERE id = $2) END WHERE org_id = $1 AND id IN ($2, $3)`, org, uuid.MustParse(items[1].ID), uuid.MustParse(items[2].ID))
	require.NoError(t, err)
	require.False(t, verify().OK)
}

func TestEscapeCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+A1": "'+A1", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"plain": "plain", "": "", "a=b": "a=b", "'=x": "'=x",
	} {
		require.Equal(t, want, EscapeCell(in), "%q", in)
	}
}

// FuzzCSVWriter checks that whatever a client puts in an event, the CSV parses back to
// exactly the escaped cells and no cell can start a formula.
func FuzzCSVWriter(f *testing.F) {
	for _, s := range []string{"=cmd|' /C calc'!A0", "+1", "-1", "@x", "\t=1", "\r\n=1", "a,b", `"q"`, "line\nbreak", "ok"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var buf bytes.Buffer
		w := NewCSVWriter(&buf)
		require.NoError(t, w.WriteRecord([]string{a, b}))
		require.NoError(t, w.Flush())
		rec, err := csv.NewReader(strings.NewReader(buf.String())).Read()
		if a == "" && b == "" {
			return // an empty record reads back as nothing
		}
		require.NoError(t, err)
		require.Len(t, rec, 2)
		// encoding/csv normalises \r\n inside quoted fields to \n when reading.
		norm := func(s string) string { return strings.ReplaceAll(EscapeCell(s), "\r\n", "\n") }
		require.Equal(t, norm(a), rec[0])
		require.Equal(t, norm(b), rec[1])
		for _, cell := range rec {
			if cell != "" {
				require.NotContains(t, "=+-@\t\r", cell[:1])
			}
		}
	})
}

// FuzzValidate feeds arbitrary item fields to ingestion validation: it must never panic and
// must either accept a well-formed row or name the failing field.
func FuzzValidate(f *testing.F) {
	f.Add(uuid.NewString(), time.Now().Format(time.RFC3339), "a.b", "FILES", "USER", "1.2.3.4", `{"a":1}`)
	f.Add("x", "2999-01-01T00:00:00Z", "A", "", "ROOT", "::1%eth0", `[[[[`)
	f.Add(uuid.NewString(), time.Now().Format(time.RFC3339), "a.b", "FILES", "", "", `{"a":"\u0000"}`)
	s := NewService(nil, nil, nil, nil)
	f.Fuzz(func(t *testing.T, id, at, typ, cat, actor, ip, data string) {
		rows, err := s.validate(uuid.New(), []IngestItem{{ID: id, OccurredAt: at, EventType: typ, Category: cat, ActorType: actor,
			ActorIP: ip, TargetEntityType: typ, TargetEntityID: id, ActionData: json.RawMessage(data)}})
		if err != nil {
			require.Contains(t, err.Error(), "events[0].")
			return
		}
		require.Len(t, rows, 1)
		require.True(t, json.Valid(rows[0].ActionData))
		require.NotContains(t, string(rows[0].ActionData), `\u0000`)
	})
}

func TestBackgroundSealer(t *testing.T) {
	t.Parallel()
	svc, _ := newTestService(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.RunSealer(ctx, 20*time.Millisecond) }()
	org := uuid.New()
	_, err := svc.Ingest(context.Background(), org, []IngestItem{item(time.Now(), "workflow.executed")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		h, err := svc.Head(context.Background(), org)
		return err == nil && h.Block == 0
	}, 5*time.Second, 20*time.Millisecond)
	cancel()
	<-done
}

// FuzzDecodeArchive feeds arbitrary bytes to the archive reader (objects come back from S3,
// which an operator could have altered): errors, never panics.
func FuzzDecodeArchive(f *testing.F) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_ = json.NewEncoder(zw).Encode(toArchive(StoredEvent{ID: uuid.New(), OrgID: uuid.New(), ActionData: json.RawMessage(`{"a":1}`)}))
	_ = zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("not gzip"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		events, _, err := decodeArchive(bytes.NewReader(b))
		if err == nil {
			for _, e := range events {
				_ = Leaf(e)
			}
		}
	})
}
