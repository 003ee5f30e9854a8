// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Retention of recorded tool calls (SPEC §5.1).
const (
	ToolCallRetention = 30 * 24 * time.Hour
	purgeBatch        = 5000
)

// Module provides the app policy service with its cache, change listener, decision recorder
// and retention janitor (loaded only when BYTECHEF_APP_POLICIES_ENABLED).
func Module() fx.Option {
	return fx.Module("policy",
		fx.Provide(
			func(lc fx.Lifecycle, pool *pgxpool.Pool, log *slog.Logger) *Cache {
				c := NewCache()
				l := NewListener(pool.Config().ConnString(), c, log)
				lc.Append(fx.Hook{OnStart: l.Start, OnStop: l.Stop})
				return c
			},
			func(lc fx.Lifecycle, db database.DB, log *slog.Logger) *Recorder {
				r := NewRecorder(db, log)
				lc.Append(fx.Hook{OnStart: r.Start, OnStop: r.Stop})
				return r
			},
			func(reg prometheus.Registerer) *Metrics { return NewMetrics(reg) },
			func(lc fx.Lifecycle, db database.DB, cache *Cache, rec *Recorder, m *Metrics, log *slog.Logger) (*Service, error) {
				s, err := NewService(db, DBResolver{DB: db}, cache, rec, m, log)
				if err != nil {
					return nil, err
				}
				j := &janitor{s: s, every: time.Hour}
				lc.Append(fx.Hook{OnStart: j.start, OnStop: j.stop})
				return s, nil
			},
		),
	)
}

// PurgeToolCalls deletes recorded tool calls older than before, in batches; it returns how
// many went. Safe to run from every replica at once (deletes are idempotent).
func (s *Service) PurgeToolCalls(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := dbsqlc.New(s.db).PolicyToolCallPurge(ctx, dbsqlc.PolicyToolCallPurgeParams{BeforeAt: before, MaxRows: purgeBatch})
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// EraseUserToolCalls deletes a user's recorded tool calls (GDPR erasure).
func (s *Service) EraseUserToolCalls(ctx context.Context, orgID, userID uuid.UUID) (int64, error) {
	return dbsqlc.New(s.db).PolicyToolCallEraseUser(ctx, dbsqlc.PolicyToolCallEraseUserParams{OrgID: orgID, UserID: userID})
}

// janitor enforces the 30-day retention of recorded tool calls in the background.
type janitor struct {
	s      *Service
	every  time.Duration
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func (j *janitor) start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		t := time.NewTicker(j.every)
		defer t.Stop()
		for {
			if n, err := j.s.PurgeToolCalls(ctx, time.Now().Add(-ToolCallRetention)); err != nil && ctx.Err() == nil {
				j.s.log.Warn("policy: purging old tool-call records failed", "error", err)
			} else if n > 0 {
				j.s.log.Info("policy: purged old tool-call records", "rows", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

func (j *janitor) stop(context.Context) error {
	j.cancel()
	j.wg.Wait()
	return nil
}
