// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"context"
	"log/slog"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/blob"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/metrics"
	"github.com/bytechefhq/bytechef-ee/internal/platform/temporalx"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// The fx modules the commands compose. Each provides only its own types.

func platformModule(cfg config.Config, log *slog.Logger) fx.Option {
	return fx.Module("platform",
		fx.Supply(cfg, log),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: log}
			l.UseLogLevel(slog.LevelDebug)
			return l
		}),
		fx.Provide(
			func(lc fx.Lifecycle, cfg config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
				pool, err := database.Provide(context.Background(), cfg, log)
				if err != nil {
					return nil, err
				}
				lc.Append(fx.StopHook(pool.Close))
				return pool, nil
			},
			func(p *pgxpool.Pool) database.DB { return p },
			metrics.NewRegistry,
			func(r *prometheus.Registry) prometheus.Registerer { return r },
			func(db database.DB) (*cursor.Codec, error) {
				key, err := database.InstanceSecret(context.Background(), db, "cursor")
				if err != nil {
					return nil, err
				}
				return cursor.NewCodec(key), nil
			},
			func(cfg config.Config) (*blob.Store, error) { return blob.New(context.Background(), cfg) },
			func(lc fx.Lifecycle, cfg config.Config, log *slog.Logger) (client.Client, error) {
				c, err := temporalx.NewClient(cfg, log)
				if err != nil {
					return nil, err
				}
				lc.Append(fx.StopHook(c.Close))
				return c, nil
			},
			fx.Annotate(func(p *pgxpool.Pool) api.Check { return api.Check{Name: "postgres", Fn: p.Ping} }, fx.ResultTags(`group:"readiness"`)),
			fx.Annotate(func(c client.Client) api.Check {
				return api.Check{Name: "temporal", Fn: func(ctx context.Context) error {
					_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
					return err
				}}
			}, fx.ResultTags(`group:"readiness"`)),
			fx.Annotate(func(s *blob.Store) api.Check { return api.Check{Name: "s3", Fn: s.Ping} }, fx.ResultTags(`group:"readiness"`)),
		),
	)
}

// coreModule is the admin core every deployment runs: orgs, keys, audit writer, idempotency.
func coreModule() fx.Option {
	return fx.Module("core",
		fx.Provide(
			identity.NewService,
			idempotency.NewStore,
			fx.Annotate(func(s *identity.Service, cfg config.Config) api.Routes {
				return api.OrgRoutes{IDs: s, MultiOrg: cfg.Features.Organizations}
			}, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *identity.Service) api.Routes { return api.APIKeyRoutes{IDs: s} }, fx.ResultTags(`group:"routes"`)),
			// Organization administration (SPEC §3.1) is part of the always-on admin core.
			orgadmin.NewService,
			fx.Annotate(func(s *orgadmin.Service) api.Routes { return api.WorkspaceRoutes{Admin: s} }, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *orgadmin.Service) api.Routes { return api.MemberRoutes{Admin: s} }, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *orgadmin.Service) api.Routes { return api.GroupRoutes{Admin: s} }, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *orgadmin.Service) api.Routes { return api.DomainRoutes{Admin: s} }, fx.ResultTags(`group:"routes"`)),
			fx.Annotate(func(s *orgadmin.Service) api.Routes { return api.SettingsRoutes{Admin: s} }, fx.ResultTags(`group:"routes"`)),
		),
	)
}

// featureModules returns the modules of the enabled features; a disabled feature's module is
// not loaded at all, so its routes answer feature_disabled and its workflows do not register.
func featureModules(cfg config.Config) []fx.Option {
	var mods []fx.Option
	if cfg.Features.AuditLogs { // audit log and data export share one toggle (SPEC §8.2)
		mods = append(mods, auditFeature(), exportModule())
	}
	if cfg.Features.AppPolicies {
		mods = append(mods, policyModule())
	}
	if cfg.Features.SSO {
		mods = append(mods, ssoModule())
	}
	if cfg.Features.SCIM {
		mods = append(mods, scimModule())
	}
	return mods
}

// httpModule runs the API server.
func httpModule() fx.Option {
	return fx.Module("http",
		fx.Provide(metrics.NewHTTP, api.NewEngine, api.NewServer),
		fx.Invoke(func(lc fx.Lifecycle, s *api.Server, _ *gin.Engine) {
			lc.Append(fx.Hook{OnStart: s.Start, OnStop: s.Stop})
		}),
	)
}

// workerModule runs the Temporal worker and reconciles the schedules at start.
func workerModule() fx.Option {
	return fx.Module("worker",
		fx.Provide(func(db database.DB, idem *idempotency.Store, ids *identity.Service, f featureActivities, d directoryActivities) workflows.Activities {
			return workflows.Activities{Maintenance: &activities.Maintenance{DB: db, Idempotency: idem}, OrgPurge: &activities.OrgPurge{IDs: ids},
				AuditRetention: f.AuditRetention, Export: f.Export, Directory: d.Directory}
		}),
		fx.Invoke(func(lc fx.Lifecycle, cfg config.Config, c client.Client, acts workflows.Activities, log *slog.Logger) {
			w := worker.New(c, cfg.TemporalTaskQueue, worker.Options{})
			workflows.Register(w, acts)
			lc.Append(fx.Hook{
				OnStart: func(ctx context.Context) error {
					if err := temporalx.EnsureSearchAttributes(ctx, c, cfg.TemporalNamespace, log); err != nil {
						return err
					}
					if err := temporalx.Reconcile(ctx, c, cfg.TemporalTaskQueue, workflows.Schedules(acts), log); err != nil {
						return err
					}
					log.Info("temporal worker starting", "task_queue", cfg.TemporalTaskQueue, "namespace", cfg.TemporalNamespace)
					return w.Start()
				},
				OnStop: func(context.Context) error { w.Stop(); return nil },
			})
		}),
	)
}

// appOptions composes the modules of a long-running command.
func appOptions(cfg config.Config, log *slog.Logger, withHTTP, withWorker bool) []fx.Option {
	opts := []fx.Option{platformModule(cfg, log), coreModule(), fx.StopTimeout(cfg.ShutdownTimeout)}
	opts = append(opts, featureModules(cfg)...)
	if withHTTP {
		opts = append(opts, httpModule())
	}
	if withWorker {
		opts = append(opts, workerModule())
	}
	return opts
}
