// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"encoding/json"
	"net/netip"
	"time"

	"github.com/google/uuid"
)

// StoredEvent is one audit event as kept in the hot tier (Postgres) or the cold tier (S3).
type StoredEvent struct {
	ID               uuid.UUID
	OccurredAt       time.Time
	EventType        string
	Category         string
	ActorUserID      *uuid.UUID
	ActorType        string
	ActorIP          *netip.Addr
	UserAgent        *string
	SessionID        *string
	OrgID            uuid.UUID
	WorkspaceID      *uuid.UUID
	TargetEntityType string
	TargetEntityID   string
	ActionData       json.RawMessage
	CorrelationID    *uuid.UUID
	Seq              int64
	IngestedAt       time.Time
	// Xid is the writing transaction; (Xid, Seq) is ingestion order.
	Xid             int64
	PIISalt         []byte
	PIIDigest       []byte
	DataDigest      []byte
	PseudonymisedAt *time.Time
	// Cold says the event was read from an archive object rather than Postgres.
	Cold bool
}

// StreamPos is a position in ingestion order.
type StreamPos struct {
	Xid int64 `json:"x"`
	Seq int64 `json:"s"`
}

// Less orders positions as the stream and the chain do.
func (p StreamPos) Less(o StreamPos) bool {
	return p.Xid < o.Xid || (p.Xid == o.Xid && p.Seq < o.Seq)
}

// Pos returns the event's position in ingestion order.
func (e StoredEvent) Pos() StreamPos { return StreamPos{Xid: e.Xid, Seq: e.Seq} }

// archiveRecord is one NDJSON line of a cold object. It carries everything the hash chain
// needs, so archived events verify exactly like hot ones.
type archiveRecord struct {
	ID               uuid.UUID       `json:"id"`
	OccurredAt       time.Time       `json:"occurred_at"`
	EventType        string          `json:"event_type"`
	Category         string          `json:"category"`
	ActorUserID      *uuid.UUID      `json:"actor_user_id"`
	ActorType        string          `json:"actor_type"`
	ActorIP          *netip.Addr     `json:"actor_ip"`
	UserAgent        *string         `json:"user_agent"`
	SessionID        *string         `json:"session_id"`
	OrgID            uuid.UUID       `json:"org_id"`
	WorkspaceID      *uuid.UUID      `json:"workspace_id"`
	TargetEntityType string          `json:"target_entity_type"`
	TargetEntityID   string          `json:"target_entity_id"`
	ActionData       json.RawMessage `json:"action_data"`
	CorrelationID    *uuid.UUID      `json:"correlation_id"`
	Seq              int64           `json:"seq"`
	IngestedAt       time.Time       `json:"ingested_at"`
	Xid              int64           `json:"xid"`
	PIISalt          []byte          `json:"pii_salt,omitempty"`
	PIIDigest        []byte          `json:"pii_digest,omitempty"`
	DataDigest       []byte          `json:"data_digest,omitempty"`
	PseudonymisedAt  *time.Time      `json:"pseudonymised_at,omitempty"`
}

func toArchive(e StoredEvent) archiveRecord {
	return archiveRecord{ID: e.ID, OccurredAt: e.OccurredAt.UTC(), EventType: e.EventType, Category: e.Category,
		ActorUserID: e.ActorUserID, ActorType: e.ActorType, ActorIP: e.ActorIP, UserAgent: e.UserAgent,
		SessionID: e.SessionID, OrgID: e.OrgID, WorkspaceID: e.WorkspaceID, TargetEntityType: e.TargetEntityType,
		TargetEntityID: e.TargetEntityID, ActionData: e.ActionData, CorrelationID: e.CorrelationID, Seq: e.Seq,
		IngestedAt: e.IngestedAt.UTC(), Xid: e.Xid, PIISalt: e.PIISalt, PIIDigest: e.PIIDigest,
		DataDigest: e.DataDigest, PseudonymisedAt: e.PseudonymisedAt}
}

func fromArchive(r archiveRecord) StoredEvent {
	return StoredEvent{ID: r.ID, OccurredAt: r.OccurredAt, EventType: r.EventType, Category: r.Category,
		ActorUserID: r.ActorUserID, ActorType: r.ActorType, ActorIP: r.ActorIP, UserAgent: r.UserAgent,
		SessionID: r.SessionID, OrgID: r.OrgID, WorkspaceID: r.WorkspaceID, TargetEntityType: r.TargetEntityType,
		TargetEntityID: r.TargetEntityID, ActionData: r.ActionData, CorrelationID: r.CorrelationID, Seq: r.Seq,
		IngestedAt: r.IngestedAt, Xid: r.Xid, PIISalt: r.PIISalt, PIIDigest: r.PIIDigest, DataDigest: r.DataDigest,
		PseudonymisedAt: r.PseudonymisedAt, Cold: true}
}
