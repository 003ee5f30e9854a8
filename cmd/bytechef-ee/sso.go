// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
	"github.com/bytechefhq/bytechef-ee/internal/platform/crypto"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/session"
	"github.com/bytechefhq/bytechef-ee/internal/sso"
)

// ssoModule is BYTECHEF_SSO_ENABLED: SSO connections, the browser login flow, the code
// exchange and user sessions. Installing the session authenticator is what makes bcs_
// tokens valid credentials; without this module they are refused like any unknown token.
func ssoModule() fx.Option {
	return fx.Module("sso",
		fx.Provide(
			session.NewService,
			func(db database.DB, ids *identity.Service, admin *orgadmin.Service, cfg config.Config, log *slog.Logger, reg prometheus.Registerer) (*sso.Service, error) {
				keys, err := crypto.FromConfig(cfg)
				if err != nil {
					return nil, err
				}
				return sso.NewService(sso.Params{DB: db, IDs: ids, Admin: admin, Keys: keys, Config: cfg, Log: log, Registry: reg})
			},
			fx.Annotate(func(s *sso.Service, sess *session.Service) api.Routes { return api.SSORoutes{SSO: s, Sessions: sess} }, fx.ResultTags(`group:"routes"`)),
		),
		fx.Invoke(func(ids *identity.Service, sess *session.Service, admin *orgadmin.Service) {
			ids.SetSessionAuthenticator(sess)
			// Suspension, deprovisioning and removal end the member's sessions in the same
			// transaction (the 0600 trigger covers paths that bypass orgadmin).
			admin.OnDeactivate(func(ctx context.Context, q *dbsqlc.Queries, m orgadmin.Member) error {
				return session.RevokeMember(ctx, q, m.OrgID, m.ID, string(m.Status))
			})
		}),
	)
}
