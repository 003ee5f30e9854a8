// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"log/slog"
	"sync"
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
	// dirty holds orgs with events the background sealer has not chained yet.
	dirty sync.Map
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
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		return Record(ctx, q, Event{OrgID: orgID, Type: "audit_log.viewed", TargetType: "audit_log", TargetID: orgID.String(), Data: data})
	})
	if err == nil {
		s.dirty.Store(orgID, struct{}{})
	}
	return err
}

// RunSealer chains the events of recently written orgs every interval until ctx ends, so
// the window in which an event is stored but not yet sealed stays a few seconds. Verify and
// retention seal too, so nothing depends on this loop for correctness.
func (s *Service) RunSealer(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.dirty.Range(func(k, _ any) bool {
			org := k.(uuid.UUID)
			s.dirty.Delete(org)
			if _, err := s.Seal(ctx, org); err != nil && ctx.Err() == nil {
				s.dirty.Store(org, struct{}{})
				s.log.WarnContext(ctx, "audit sealer", "org_id", org, "error", err)
			} else if pending, err := s.unsealed(ctx, org); err != nil || pending {
				// Still in flight somewhere (the horizon has not passed it): next tick.
				s.dirty.Store(org, struct{}{})
			}
			return ctx.Err() == nil
		})
	}
}

// unsealed reports whether the org has events after its chain head.
func (s *Service) unsealed(ctx context.Context, orgID uuid.UUID) (bool, error) {
	h, err := s.Head(ctx, orgID)
	if err != nil {
		return false, err
	}
	return dbsqlc.New(s.db).AuditUnsealedExists(ctx, dbsqlc.AuditUnsealedExistsParams{OrgID: orgID, AfterXid: h.Pos.Xid, AfterSeq: h.Pos.Seq})
}
