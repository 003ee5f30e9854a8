// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Service is the audit log: ingestion, queries (hot and cold), the SIEM stream, the
// tamper-evidence chain and retention.
type Service struct {
	db      database.DB
	blob    *blob.Store
	metrics *Metrics
	log     *slog.Logger
	now     func() time.Time
}

// NewService returns the audit service. blob may be nil when no object store is configured
// (then archived ranges cannot be read and retention cannot run).
func NewService(db database.DB, store *blob.Store, m *Metrics, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, blob: store, metrics: m, log: log, now: time.Now}
}

// SetClock replaces the clock (tests of windows and retention).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// RecordView writes audit_log.viewed: reading the audit log is itself audited.
func (s *Service) RecordView(ctx context.Context, orgID uuid.UUID, via string, details map[string]any) error {
	data := map[string]any{"via": via}
	for k, v := range details {
		data[k] = v
	}
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		return Record(ctx, q, Event{OrgID: orgID, Type: "audit_log.viewed", TargetType: "audit_log", TargetID: orgID.String(), Data: data})
	})
}
