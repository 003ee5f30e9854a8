// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/scim"
)

// scimModule is SCIM provisioning (BYTECHEF_SCIM_ENABLED): the /scim/v2 service provider,
// its tokens, request log and IdP group mappings.
func scimModule() fx.Option {
	return fx.Module("scim",
		fx.Provide(
			func(db database.DB, admin *orgadmin.Service) *scim.Service { return scim.NewService(db, admin) },
			fx.Annotate(func(s *scim.Service, cfg config.Config, reg prometheus.Registerer) api.Routes {
				return api.SCIMRoutes{SCIM: s, Region: cfg.Region, RegionURLs: cfg.RegionURLs, PublicURL: cfg.PublicURL,
					Requests: api.NewSCIMRequests(reg)}
			}, fx.ResultTags(`group:"routes"`)),
		),
	)
}
