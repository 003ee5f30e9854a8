// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/identity"
	"github.com/bytechefhq/bytechef-ee/internal/orgadmin"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Shared pieces of the org administration handlers (workspaces, members, groups, domains).

// parseOptID parses an optional id from a request body; a malformed one names the field.
func parseOptID(field string, s *string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := uuid.Parse(*s)
	if err != nil {
		return nil, errcode.Invalid(field, "must be a UUID")
	}
	return &id, nil
}

// parseIDs parses a list of ids; nil stays nil (unchanged), [] is an empty set.
func parseIDs(field string, in []string) ([]uuid.UUID, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]uuid.UUID, 0, len(in))
	var f errcode.Fields
	for i, s := range in {
		id, err := uuid.Parse(s)
		if err != nil {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "must be a UUID")
			continue
		}
		out = append(out, id)
	}
	return out, f.Err()
}

func idStrings(ids []uuid.UUID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// writeVersioned answers a versioned resource with its ETag.
func writeVersioned(c *gin.Context, status int, version int32, body any) {
	c.Header("ETag", etag(version))
	c.JSON(status, body)
}

// writeUpserted answers a PUT by external key: 201 with Location when it created.
func writeUpserted(c *gin.Context, created bool, location string, version int32, body any) {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", location)
	}
	writeVersioned(c, status, version, body)
}

// listPage answers one page of a keyset-paginated list of an org's resources. The cursor is
// bound to the org and the filters, so it cannot be replayed elsewhere.
func listPage[T, D any](c *gin.Context, r *Router, kind string, filters any, fetch func(orgadmin.Page) ([]T, error), idOf func(T) uuid.UUID, conv func(T) D) {
	orgPage(c, r, kind, filters, func(after *uuid.UUID, limit int) ([]T, error) {
		return fetch(orgadmin.Page{After: after, Limit: limit})
	}, idOf, conv)
}

// requireAnyScope admits principals holding at least one of the scopes (admin holds all).
func requireAnyScope(scopes ...identity.Scope) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		if !slices.ContainsFunc(scopes, p.Has) {
			fail(c, errcode.New(errcode.Forbidden, "this credential lacks one of the scopes %v", scopes))
			return
		}
		c.Next()
	}
}

// externalKeyParam reads the {external_key} path segment (already unescaped by Gin).
func externalKeyParam(c *gin.Context) string { return c.Param("key") }
