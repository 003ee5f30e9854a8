// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/internal/platform/jsontext"
)

// Ingestion limits. The accepted time window is bounded on purpose: partitions exist from the
// previous month to three months ahead, retention archives whole days once they leave the
// hot window, and a timestamp far outside "now" is almost always a client bug. Late events
// (offline agents, retried queues) up to MaxPast old are accepted; clocks may run up to
// MaxFuture ahead. Anything else is refused per item with a 422 naming the item.
const (
	MaxBatch       = 1000
	MaxPast        = 30 * 24 * time.Hour
	MaxFuture      = time.Hour
	MaxActionData  = 64 << 10
	MaxActionDepth = 32
	maxText        = 1024
)

var eventTypeRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// IngestItem is one event as a client sends it (SPEC §4.1 column names); everything is
// validated here so the same rules hold for every transport.
type IngestItem struct {
	ID               string
	OccurredAt       string
	EventType        string
	Category         string
	ActorType        string
	ActorUserID      string
	ActorIP          string
	UserAgent        string
	SessionID        string
	WorkspaceID      string
	TargetEntityType string
	TargetEntityID   string
	ActionData       json.RawMessage
	CorrelationID    string
}

// IngestResult counts a committed batch.
type IngestResult struct {
	Accepted   int
	Duplicates int
}

// Ingest validates a batch and stores it in one transaction: the ids are claimed in
// audit_event_id (duplicates, including repeats inside the batch, are skipped) and the new
// rows go in with COPY. It returns only after the commit.
func (s *Service) Ingest(ctx context.Context, orgID uuid.UUID, items []IngestItem) (IngestResult, error) {
	start := s.now()
	rows, err := s.validate(orgID, items)
	if err != nil {
		s.countBatch("invalid")
		return IngestResult{}, err
	}
	// Repeats inside the batch: the first occurrence wins.
	seen := make(map[uuid.UUID]struct{}, len(rows))
	unique := rows[:0:0]
	for _, r := range rows {
		if _, dup := seen[r.ID]; dup {
			continue
		}
		seen[r.ID] = struct{}{}
		unique = append(unique, r)
	}
	var accepted int
	for attempt := 0; ; attempt++ {
		accepted, err = s.insert(ctx, orgID, unique)
		if err == nil || attempt > 0 || !isNoPartition(err) {
			break
		}
		// A month inside the window had no partition yet (maintenance has not run): create
		// the months the window spans and try once more.
		if err = s.ensureWindowPartitions(ctx); err != nil {
			break
		}
	}
	if err != nil {
		s.countBatch("error")
		return IngestResult{}, err
	}
	res := IngestResult{Accepted: accepted, Duplicates: len(items) - accepted}
	if accepted > 0 {
		s.dirty.Store(orgID, struct{}{})
	}
	if s.metrics != nil {
		s.metrics.Ingested.Add(float64(res.Accepted))
		s.metrics.Duplicates.Add(float64(res.Duplicates))
		s.metrics.IngestTime.Observe(time.Since(start).Seconds())
	}
	s.countBatch("ok")
	return res, nil
}

func (s *Service) countBatch(result string) {
	if s.metrics != nil {
		s.metrics.Batches.WithLabelValues(result).Inc()
	}
}

func (s *Service) insert(ctx context.Context, orgID uuid.UUID, rows []dbsqlc.AuditEventCopyParams) (int, error) {
	var n int
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		// Claim ids in one global order, so two batches sharing ids in different orders wait
		// for each other instead of deadlocking.
		sorted := append([]dbsqlc.AuditEventCopyParams(nil), rows...)
		sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i].ID[:], sorted[j].ID[:]) < 0 })
		ids := make([]uuid.UUID, len(sorted))
		ats := make([]time.Time, len(sorted))
		for i, r := range sorted {
			ids[i], ats[i] = r.ID, r.OccurredAt
		}
		fresh, err := q.AuditEventRegisterIDs(ctx, dbsqlc.AuditEventRegisterIDsParams{OrgID: orgID, Ids: ids, OccurredAts: ats})
		if err != nil {
			return err
		}
		if len(fresh) == 0 {
			return nil
		}
		keep := make(map[uuid.UUID]struct{}, len(fresh))
		for _, id := range fresh {
			keep[id] = struct{}{}
		}
		toCopy := rows
		if len(fresh) < len(rows) {
			toCopy = make([]dbsqlc.AuditEventCopyParams, 0, len(fresh))
			for _, r := range rows {
				if _, ok := keep[r.ID]; ok {
					toCopy = append(toCopy, r)
				}
			}
		}
		copied, err := q.AuditEventCopy(ctx, toCopy)
		n = int(copied)
		return err
	})
	return n, err
}

// ensureWindowPartitions creates the monthly partitions the accepted window spans.
func (s *Service) ensureWindowPartitions(ctx context.Context) error {
	now := s.now().UTC()
	first := now.Add(-MaxPast)
	first = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)
	_, err := dbsqlc.New(s.db).AuditEnsurePartitions(ctx, dbsqlc.AuditEnsurePartitionsParams{FromMonth: first, Months: 4})
	return err
}

// validate checks every item and converts it; all problems are reported at once, each named
// events[i].field.
func (s *Service) validate(orgID uuid.UUID, items []IngestItem) ([]dbsqlc.AuditEventCopyParams, error) {
	var f errcode.Fields
	if len(items) == 0 || len(items) > MaxBatch {
		f.Add("events", "must hold 1 to %d events, got %d", MaxBatch, len(items))
		return nil, f.Err()
	}
	now := s.now()
	out := make([]dbsqlc.AuditEventCopyParams, 0, len(items))
	for i, it := range items {
		p := func(field string) string { return fmt.Sprintf("events[%d].%s", i, field) }
		before := len(f)
		r := dbsqlc.AuditEventCopyParams{OrgID: orgID}
		var err error
		if r.ID, err = uuid.Parse(it.ID); err != nil || r.ID == uuid.Nil {
			f.Add(p("id"), "must be a UUID (UUIDv7 recommended)")
		}
		switch t, err := time.Parse(time.RFC3339Nano, it.OccurredAt); {
		case it.OccurredAt == "":
			f.Add(p("occurred_at"), "is required (RFC 3339)")
		case err != nil:
			f.Add(p("occurred_at"), "must be an RFC 3339 timestamp")
		case t.Before(now.Add(-MaxPast)) || t.After(now.Add(MaxFuture)):
			f.Add(p("occurred_at"), "must be within %s before and %s after the server time (%s); got %s",
				"30 days", "1 hour", now.UTC().Format(time.RFC3339), t.UTC().Format(time.RFC3339))
		default:
			r.OccurredAt = t.UTC().Truncate(time.Microsecond)
		}
		r.EventType = it.EventType
		if !eventTypeRe.MatchString(it.EventType) || len(it.EventType) > 100 {
			f.Add(p("event_type"), "must be a dotted resource.action name of lowercase letters, digits and underscores (at most 100 characters)")
		}
		if cat, known := Catalogue[it.EventType]; known {
			switch {
			case it.Category == "":
				r.Category = string(cat)
			case it.Category != string(cat):
				f.Add(p("category"), "must be %s for %s", cat, it.EventType)
			default:
				r.Category = it.Category
			}
		} else if !ValidCategory(it.Category) {
			f.Add(p("category"), "must be one of %s (required for event types outside the catalogue)", categoryList())
		} else {
			r.Category = it.Category
		}
		switch it.ActorType {
		case "":
			r.ActorType = string(ActorSystem)
		case string(ActorUser), string(ActorAPIKey), string(ActorSCIM), string(ActorSystem):
			r.ActorType = it.ActorType
		default:
			f.Add(p("actor_type"), "must be one of USER, API_KEY, SCIM, SYSTEM")
		}
		r.ActorUserID = optionalUUID(&f, p("actor_user_id"), it.ActorUserID)
		r.WorkspaceID = optionalUUID(&f, p("workspace_id"), it.WorkspaceID)
		r.CorrelationID = optionalUUID(&f, p("correlation_id"), it.CorrelationID)
		if it.ActorIP != "" {
			ip, err := netip.ParseAddr(it.ActorIP)
			if err != nil || ip.Zone() != "" {
				f.Add(p("actor_ip"), "must be an IPv4 or IPv6 address")
			} else {
				r.ActorIp = &ip
			}
		}
		r.UserAgent = optionalText(&f, p("user_agent"), it.UserAgent, 512)
		r.SessionID = optionalText(&f, p("session_id"), it.SessionID, 256)
		r.TargetEntityType = requiredText(&f, p("target_entity_type"), it.TargetEntityType, 100)
		r.TargetEntityID = requiredText(&f, p("target_entity_id"), it.TargetEntityID, 256)
		r.ActionData = validActionData(&f, p("action_data"), it.ActionData)
		if len(f) == before {
			out = append(out, r)
		}
	}
	return out, f.Err()
}

func categoryList() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

func optionalUUID(f *errcode.Fields, field, s string) *uuid.UUID {
	if s == "" {
		return nil
	}
	u, err := uuid.Parse(s)
	if err != nil {
		f.Add(field, "must be a UUID")
		return nil
	}
	return &u
}

func cleanText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func optionalText(f *errcode.Fields, field, s string, max int) *string {
	if s == "" {
		return nil
	}
	v := requiredText(f, field, s, max)
	return &v
}

func requiredText(f *errcode.Fields, field, s string, max int) string {
	switch {
	case !cleanText(s):
		f.Add(field, "must be valid UTF-8 without NUL characters")
	case len(s) > max || len(s) > maxText:
		f.Add(field, "must be at most %d bytes", max)
	}
	return s
}

// validActionData accepts a JSON object (absent means {}) of bounded size and depth. NUL
// characters are refused: Postgres jsonb cannot store \u0000.
func validActionData(f *errcode.Fields, field string, raw json.RawMessage) []byte {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return []byte("{}")
	}
	if len(trimmed) > MaxActionData {
		f.Add(field, "must be at most %d bytes of JSON", MaxActionData)
		return nil
	}
	if trimmed[0] != '{' {
		f.Add(field, "must be a JSON object")
		return nil
	}
	if !utf8.Valid(trimmed) || jsontext.NULOffset(trimmed) >= 0 {
		f.Add(field, "must be valid UTF-8 without NUL characters")
		return nil
	}
	if d := jsonDepth(trimmed); d > MaxActionDepth {
		f.Add(field, "must be nested at most %d levels deep", MaxActionDepth)
		return nil
	}
	if !json.Valid(trimmed) {
		f.Add(field, "must be valid JSON")
		return nil
	}
	return trimmed
}

// jsonDepth returns the deepest nesting of objects and arrays, ignoring brackets in strings.
func jsonDepth(b []byte) int {
	depth, max := 0, 0
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > max {
				max = depth
			}
		case '}', ']':
			depth--
		}
	}
	return max
}
