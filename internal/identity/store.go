// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package identity

import (
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func orgFromRow(r dbsqlc.Organization) Org {
	return Org{ID: r.ID, Slug: r.Slug, Name: r.Name, Region: r.Region, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func keyFromRow(r dbsqlc.ApiKey) APIKey {
	scopes := make([]Scope, len(r.Scopes))
	for i, s := range r.Scopes {
		scopes[i] = Scope(s)
	}
	return APIKey{ID: r.ID, OrgID: r.OrgID, Name: r.Name, Scopes: scopes, Prefix: r.Prefix, Last4: r.Last4,
		CreatedAt: r.CreatedAt, RotatedAt: r.RotatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt, MemberID: r.MemberID}
}

// translate turns Postgres errors into domain errors; what stays unknown becomes a 500 upstream.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "%s not found", what)
	}
	if c, ok := database.UniqueViolation(err); ok {
		switch c {
		case "organization_slug_key":
			return &errcode.Error{Code: errcode.Conflict, Message: "an organization with this slug already exists",
				Fields: []errcode.FieldError{{Field: "slug", Message: "already taken"}}}
		case "organization_external_key":
			return &errcode.Error{Code: errcode.Conflict, Message: "an organization with this external_key already exists",
				Fields: []errcode.FieldError{{Field: "external_key", Message: "already taken"}}}
		}
		return errcode.New(errcode.Conflict, "%s already exists", what)
	}
	if _, ok := database.ForeignKeyViolation(err); ok {
		return errcode.New(errcode.NotFound, "a referenced resource of this %s does not exist", what)
	}
	return err
}
