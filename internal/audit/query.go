// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Filter selects events (SPEC §4.1). Empty fields do not filter. From is inclusive, To exclusive.
type Filter struct {
	EventTypes       []string
	Category         string
	From, To         *time.Time
	ActorUserID      *uuid.UUID
	TargetEntityType *string
	TargetEntityID   *string
	WorkspaceID      *uuid.UUID
	CorrelationID    *uuid.UUID
	Q                string
}

// Position is a keyset position on (occurred_at, id), newest first.
type Position struct {
	At time.Time `json:"t"`
	ID uuid.UUID `json:"i"`
}

// before reports whether e sorts after p in newest-first order.
func (p Position) before(e StoredEvent) bool {
	return e.OccurredAt.Before(p.At) || (e.OccurredAt.Equal(p.At) && bytesLess(e.ID, p.ID))
}

func bytesLess(a, b uuid.UUID) bool { return strings.Compare(string(a[:]), string(b[:])) < 0 }

// newer orders newest first by (occurred_at, id).
func newer(a, b StoredEvent) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) {
		return a.OccurredAt.After(b.OccurredAt)
	}
	return bytesLess(b.ID, a.ID)
}

// Page is one page of a query; Cold counts the events read from archive objects.
type Page struct {
	Events      []StoredEvent
	Next        *Position
	Cold        int
	ColdObjects []string
}

// MaxPage is the largest page a caller may ask for.
const MaxPage = 500

// List returns up to limit events newest first after the position, from the hot tier and,
// when the range reaches archived days, from the cold objects, merged in one order.
func (s *Service) List(ctx context.Context, orgID uuid.UUID, f Filter, after *Position, limit int) (Page, error) {
	if limit < 1 || limit > MaxPage {
		return Page{}, errcode.Invalid("limit", "must be an integer from 1 to %d", MaxPage)
	}
	p := dbsqlc.AuditEventListParams{OrgID: orgID, EventTypes: f.EventTypes, FromAt: f.From, ToAt: f.To,
		ActorUserID: f.ActorUserID, TargetEntityType: f.TargetEntityType, TargetEntityID: f.TargetEntityID,
		WorkspaceID: f.WorkspaceID, CorrelationID: f.CorrelationID, Lim: int32(limit + 1)}
	if p.EventTypes == nil {
		p.EventTypes = []string{}
	}
	if f.Category != "" {
		p.Category = &f.Category
	}
	if f.Q != "" {
		p.Q = &f.Q
	}
	if after != nil {
		p.BeforeAt, p.BeforeID = &after.At, &after.ID
	}
	rows, err := dbsqlc.New(s.db).AuditEventList(ctx, p)
	if err != nil {
		return Page{}, err
	}
	events := eventsFromRows(rows)
	page := Page{}
	coldEvents, objects, err := s.coldCandidates(ctx, orgID, f, after, limit+1, events)
	if err != nil {
		return Page{}, err
	}
	if len(coldEvents) > 0 {
		events = append(events, coldEvents...)
		sort.SliceStable(events, func(i, j int) bool { return newer(events[i], events[j]) })
		page.ColdObjects = objects
	}
	if len(events) > limit {
		events = events[:limit]
		last := events[len(events)-1]
		page.Next = &Position{At: last.OccurredAt, ID: last.ID}
	}
	for _, e := range events {
		if e.Cold {
			page.Cold++
		}
	}
	page.Events = events
	return page, nil
}

// coldCandidates reads archive objects overlapping the query, newest first, until it holds
// enough matches to fill the page past what the hot rows already give.
func (s *Service) coldCandidates(ctx context.Context, orgID uuid.UUID, f Filter, after *Position, want int, hot []StoredEvent) ([]StoredEvent, []string, error) {
	from := time.Unix(0, 0).UTC()
	to := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.From != nil {
		from = *f.From
	}
	if f.To != nil {
		to = *f.To
	}
	if after != nil && after.At.Add(time.Microsecond).Before(to) {
		to = after.At.Add(time.Microsecond)
	}
	archives, err := dbsqlc.New(s.db).AuditArchiveRange(ctx, dbsqlc.AuditArchiveRangeParams{OrgID: orgID, FromAt: from, ToAt: to})
	if err != nil || len(archives) == 0 {
		return nil, nil, err
	}
	sort.SliceStable(archives, func(i, j int) bool { return archives[i].MaxOccurredAt.After(archives[j].MaxOccurredAt) })
	// The page cannot reach below the oldest hot row once the hot rows alone fill it.
	var floor *StoredEvent
	if len(hot) >= want {
		floor = &hot[len(hot)-1]
	}
	var out []StoredEvent
	var objects []string
	cache := newColdCache(s, orgID)
	for _, a := range archives {
		if floor != nil && a.MaxOccurredAt.Before(floor.OccurredAt) {
			break
		}
		if len(out) >= want && a.MaxOccurredAt.Before(out[want-1].OccurredAt) {
			break
		}
		events, err := cache.object(ctx, a.ObjectKey)
		if err != nil {
			return nil, nil, err
		}
		objects = append(objects, a.ObjectKey)
		for _, e := range events {
			if f.matches(e) && (after == nil || after.before(e)) {
				out = append(out, e)
			}
		}
		sort.SliceStable(out, func(i, j int) bool { return newer(out[i], out[j]) })
		if len(out) > want {
			out = out[:want]
		}
	}
	return out, objects, nil
}

// matches applies the filter to an event read from the cold tier. Full-text search follows
// Postgres' 'simple' configuration: every word of q must be a word of some string in
// action_data, case-insensitively.
func (f Filter) matches(e StoredEvent) bool {
	if len(f.EventTypes) > 0 && !contains(f.EventTypes, e.EventType) {
		return false
	}
	switch {
	case f.Category != "" && e.Category != f.Category,
		f.From != nil && e.OccurredAt.Before(*f.From),
		f.To != nil && !e.OccurredAt.Before(*f.To),
		f.ActorUserID != nil && (e.ActorUserID == nil || *e.ActorUserID != *f.ActorUserID),
		f.TargetEntityType != nil && e.TargetEntityType != *f.TargetEntityType,
		f.TargetEntityID != nil && e.TargetEntityID != *f.TargetEntityID,
		f.WorkspaceID != nil && (e.WorkspaceID == nil || *e.WorkspaceID != *f.WorkspaceID),
		f.CorrelationID != nil && (e.CorrelationID == nil || *e.CorrelationID != *f.CorrelationID):
		return false
	}
	if f.Q == "" {
		return true
	}
	var data any
	if json.Unmarshal(e.ActionData, &data) != nil {
		return false
	}
	have := map[string]bool{}
	collectWords(data, have)
	for _, w := range words(f.Q) {
		if !have[w] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func collectWords(v any, into map[string]bool) {
	switch t := v.(type) {
	case string:
		for _, w := range words(t) {
			into[w] = true
		}
	case map[string]any:
		for _, x := range t {
			collectWords(x, into)
		}
	case []any:
		for _, x := range t {
			collectWords(x, into)
		}
	}
}

// Get returns one event, from whichever tier holds it.
func (s *Service) Get(ctx context.Context, orgID, id uuid.UUID) (StoredEvent, error) {
	q := dbsqlc.New(s.db)
	at, err := q.AuditEventIDLookup(ctx, dbsqlc.AuditEventIDLookupParams{OrgID: orgID, ID: id})
	if err != nil {
		return StoredEvent{}, translate(err, "audit event")
	}
	row, err := q.AuditEventGet(ctx, dbsqlc.AuditEventGetParams{OrgID: orgID, OccurredAt: at, ID: id})
	if err == nil {
		return eventFromRow(row), nil
	}
	if !database.IsNoRows(err) {
		return StoredEvent{}, err
	}
	// Not hot: look in the archives of its day.
	archives, err := q.AuditArchiveRange(ctx, dbsqlc.AuditArchiveRangeParams{OrgID: orgID, FromAt: at, ToAt: at.Add(time.Microsecond)})
	if err != nil {
		return StoredEvent{}, err
	}
	cache := newColdCache(s, orgID)
	for _, a := range archives {
		events, err := cache.object(ctx, a.ObjectKey)
		if err != nil {
			return StoredEvent{}, err
		}
		for _, e := range events {
			if e.ID == id {
				return e, nil
			}
		}
	}
	return StoredEvent{}, errcode.New(errcode.NotFound, "audit event not found")
}

// MaxChain bounds the correlation chain returned with an event.
const MaxChain = 100

// Correlated returns the events sharing a correlation id, oldest first (hot tier).
func (s *Service) Correlated(ctx context.Context, orgID, correlationID uuid.UUID) ([]StoredEvent, error) {
	rows, err := dbsqlc.New(s.db).AuditEventByCorrelation(ctx, dbsqlc.AuditEventByCorrelationParams{OrgID: orgID, CorrelationID: &correlationID, Lim: MaxChain})
	if err != nil {
		return nil, err
	}
	return eventsFromRows(rows), nil
}

// Stream returns up to limit events after pos in ingestion order. Only events of
// transactions that finished before every transaction still running are returned, so a
// poller that follows the returned position sees each event exactly once, whatever order
// concurrent writers commit in and however old their occurred_at is.
func (s *Service) Stream(ctx context.Context, orgID uuid.UUID, after StreamPos, limit int) ([]StoredEvent, StreamPos, error) {
	if limit < 1 || limit > MaxStreamPage {
		return nil, after, errcode.Invalid("limit", "must be an integer from 1 to %d", MaxStreamPage)
	}
	rows, err := dbsqlc.New(s.db).AuditEventStream(ctx, dbsqlc.AuditEventStreamParams{OrgID: orgID, AfterXid: after.Xid, AfterSeq: after.Seq, Lim: int32(limit)})
	if err != nil {
		return nil, after, err
	}
	events := eventsFromRows(rows)
	if len(events) > 0 {
		after = events[len(events)-1].Pos()
	}
	return events, after, nil
}

// MaxStreamPage is the largest SIEM pull page.
const MaxStreamPage = 1000
