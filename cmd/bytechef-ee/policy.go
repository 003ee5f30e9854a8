// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package main

import (
	"go.uber.org/fx"

	"github.com/bytechefhq/bytechef-ee/api"
	"github.com/bytechefhq/bytechef-ee/internal/policy"
)

// policyModule is app policies (BYTECHEF_APP_POLICIES_ENABLED): app rules and their
// evaluation, claims, domain restrictions and the OAuth connection checks.
func policyModule() fx.Option {
	return fx.Options(
		policy.Module(),
		fx.Provide(fx.Annotate(func(s *policy.Service) api.Routes { return api.PolicyRoutes{Policy: s} }, fx.ResultTags(`group:"routes"`))),
	)
}
