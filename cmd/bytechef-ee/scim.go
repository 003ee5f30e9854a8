// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/directory"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

// scimModule is SCIM provisioning and directory sync (BYTECHEF_SCIM_ENABLED): the /scim/v2
// service provider, its tokens, request log and IdP group mappings, directory connections
// with their per-org schedules, and the sync and deprovision-purge activities.
func scimModule() fx.Option {
	return fx.Module("scim",
		fx.Provide(
			func(db database.DB, admin *orgadmin.Service) *scim.Service { return scim.NewService(db, admin) },
			func(db database.DB, cfg config.Config, s *scim.Service, c client.Client) (*directory.Service, error) {
				keys, err := crypto.FromConfig(cfg)
				if err != nil {
					return nil, err
				}
				return directory.NewService(db, keys, s, directory.TemporalScheduler{Client: c, TaskQueue: cfg.TemporalTaskQueue}), nil
			},
			func(d *directory.Service, s *scim.Service) *activities.Directory {
				return &activities.Directory{Service: d, SCIM: s}
			},
			fx.Annotate(func(s *scim.Service, cfg config.Config, reg prometheus.Registerer) api.Routes {
				return api.SCIMRoutes{SCIM: s, Region: cfg.Region, RegionURLs: cfg.RegionURLs, PublicURL: cfg.PublicURL,
					Requests: api.NewSCIMRequests(reg)}
			}, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(d *directory.Service) api.Routes { return api.DirectoryRoutes{Directory: d} }, fx.ResultTags(`group:"routes"`)),
		),
		// Per-org sync schedules live in Temporal; re-declare them at start in the
		// background (never blocking start, and harmless when Temporal is still down).
		fx.Invoke(func(lc fx.Lifecycle, d *directory.Service, log *slog.Logger) {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			lc.Append(fx.Hook{
				OnStart: func(context.Context) error {
					go func() {
						defer close(done)
						n, err := d.ReconcileSchedules(ctx)
						if err != nil {
							log.Warn("directory sync schedules not reconciled; they are re-declared when a connection is saved", "error", err)
							return
						}
						log.Info("directory sync schedules reconciled", "count", n)
					}()
					return nil
				},
				OnStop: func(context.Context) error { cancel(); <-done; return nil },
			})
		}),
	)
}

// directoryActivities is the SCIM module's activity set when the feature is on.
type directoryActivities struct {
	fx.In
	Directory *activities.Directory `optional:"true"`
}
