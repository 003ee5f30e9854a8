// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"log/slog"
	"time"

	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// Module provides the audit feature's service and metrics (BYTECHEF_AUDIT_LOGS_ENABLED). The
// in-transaction writer, Record, needs none of it and stays part of the core.
var Module = fx.Module("audit",
	fx.Provide(
		NewMetrics,
		func(db database.DB, store *blob.Store, m *Metrics, log *slog.Logger) *Service {
			return NewService(db, store, m, log)
		},
	),
	fx.Invoke(func(lc fx.Lifecycle, s *Service) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		lc.Append(fx.Hook{
			OnStart: func(context.Context) error {
				go func() { defer close(done); s.RunSealer(ctx, SealInterval) }()
				return nil
			},
			OnStop: func(stop context.Context) error {
				cancel()
				select {
				case <-done:
				case <-stop.Done():
				}
				return nil
			},
		})
	}),
)

// SealInterval is how often the background sealer chains new events.
const SealInterval = 3 * time.Second
