// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
)

// auditFeature is BYTECHEF_AUDIT_LOGS_ENABLED: ingestion, queries, the SIEM stream, tamper
// evidence and retention.
func auditFeature() fx.Option {
	return fx.Module("audit-feature",
		audit.Module,
		fx.Provide(
			fx.Annotate(func(s *audit.Service) api.Routes {
				return api.AuditRoutes{Audit: s}
			}, fx.ResultTags(`group:"routes"`)),
		),
	)
}
