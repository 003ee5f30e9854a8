// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"context"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/activities"
	"github.com/bytechefhq/bytechef-ee/api"
	gql "github.com/bytechefhq/bytechef-ee/api/graphql"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
	"github.com/bytechefhq/bytechef-ee/workflows"
)

// auditFeature is BYTECHEF_AUDIT_LOGS_ENABLED: ingestion, queries, the SIEM stream, tamper
// evidence and retention tiering.
func auditFeature() fx.Option {
	return fx.Options(
		fx.Module("audit-feature",
			audit.Module,
			fx.Provide(
				fx.Annotate(func(s *audit.Service, c client.Client, cfg config.Config, codec *cursor.Codec, log *slog.Logger) api.Routes {
					return api.AuditRoutes{Audit: s, GraphQL: gql.NewHandler(s, codec, log), StartRetention: func(ctx context.Context) (string, string, error) {
						run, err := c.ExecuteWorkflow(ctx, workflows.AuditRetentionStartOptions(cfg.TemporalTaskQueue, time.Now()),
							workflows.WorkflowAuditRetention, workflows.AuditRetentionInput{})
						if err != nil {
							return "", "", errcode.New(errcode.Unavailable, "the workflow engine could not start the run; try again")
						}
						return run.GetID(), run.GetRunID(), nil
					}}
				}, fx.ResultTags(`group:"routes"`)),
			),
		),
		// The worker (when this process runs one) hosts the retention workflow, activities and
		// schedule through featureActivities; without the feature that member stays nil.
		fx.Provide(func(s *audit.Service, cfg config.Config) *activities.AuditRetention {
			return &activities.AuditRetention{Audit: s, Region: cfg.Region}
		}),
	)
}

// featureActivities collects the activity sets that feature modules provide; a disabled
// feature's member is nil and the worker registers nothing of it.
type featureActivities struct {
	fx.In
	AuditRetention *activities.AuditRetention `optional:"true"`
	Export         *activities.Export         `optional:"true"`
}

// scheduledFeatures marks which features' schedules `schedules sync` declares: only whether
// a member is set matters there, as no activity runs in that command.
func scheduledFeatures(cfg config.Config) workflows.Activities {
	var a workflows.Activities
	if cfg.Features.AuditLogs {
		a.AuditRetention = &activities.AuditRetention{}
	}
	if cfg.Features.SCIM {
		a.Directory = &activities.Directory{}
	}
	return a
}
