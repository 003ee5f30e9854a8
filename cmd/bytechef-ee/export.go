// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/events"
	"github.com/bytechefhq/bytechef-ee/internal/export"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
)

// exportModule is event ingestion and organization data export (BYTECHEF_AUDIT_LOGS_ENABLED).
func exportModule() fx.Option {
	return fx.Module("export",
		fx.Provide(
			func(db database.DB, reg prometheus.Registerer) *events.Service { return events.NewService(db, reg) },
			func(db database.DB, store *blob.Store, c client.Client, cfg config.Config, reg prometheus.Registerer, log *slog.Logger) *export.Service {
				return export.NewService(db, store, export.TemporalStarter{Client: c, TaskQueue: cfg.TemporalTaskQueue}, reg, log)
			},
			// The worker (when this process runs one) hosts these activities; without this
			// module Activities.Export stays nil and nothing of the export is registered.
			func(db database.DB, store *blob.Store, s *export.Service) *activities.Export {
				return &activities.Export{Service: s, Writer: &export.Writer{DB: db, Blob: store}}
			},
			fx.Annotate(func(s *events.Service) api.Routes { return api.EventRoutes{Events: s} }, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *export.Service) api.Routes { return api.ExportRoutes{Exports: s} }, fx.ResultTags(`group:"routes"`)),
		),
	)
}
