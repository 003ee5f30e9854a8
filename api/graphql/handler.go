// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package graphql is the GraphQL surface (POST /api/v1/graphql): schema-first with gqlgen
// (schema.graphqls → generated.go, models_gen.go; run `go run github.com/99designs/gqlgen
// generate` here after a schema change). Today it serves the audit log connection.
package graphql

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/uuid"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

type orgKey struct{}

// WithOrg returns a context naming the org the request works in (set by the HTTP layer).
func WithOrg(ctx context.Context, orgID uuid.UUID) context.Context {
	return context.WithValue(ctx, orgKey{}, orgID)
}

// OrgFrom returns the request's org.
func OrgFrom(ctx context.Context) (uuid.UUID, bool) {
	id, ok := ctx.Value(orgKey{}).(uuid.UUID)
	return id, ok
}

// MaxComplexity bounds one query's cost (a page of 500 edges with every field is well under).
const MaxComplexity = 20000

// NewHandler returns the GraphQL HTTP handler: POST only, bounded complexity and depth, and
// errors that show domain messages and codes but never internal details.
func NewHandler(a *audit.Service, codec *cursor.Codec, log *slog.Logger) http.Handler {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{Audit: a, Cursors: codec}}))
	srv.AddTransport(transport.POST{})
	srv.Use(extension.FixedComplexityLimit(MaxComplexity))
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if e, ok := errcode.As(err); ok {
			gerr.Message = e.Message
			ext := map[string]any{"code": string(e.Code)}
			if len(e.Fields) > 0 {
				fields := make([]map[string]string, len(e.Fields))
				for i, f := range e.Fields {
					fields[i] = map[string]string{"field": f.Field, "message": f.Message}
				}
				ext["errors"] = fields
			}
			gerr.Extensions = ext
			return gerr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Extensions != nil {
			return gerr // parse and validation errors from gqlgen itself
		}
		if log != nil {
			log.ErrorContext(ctx, "graphql resolver failed", "error", err)
		}
		gerr.Message = "an internal error occurred"
		gerr.Extensions = map[string]any{"code": string(errcode.Internal)}
		return gerr
	})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		if log != nil {
			log.ErrorContext(ctx, "graphql panic", "panic", fmt.Sprint(p))
		}
		return errors.New("internal")
	})
	return srv
}
