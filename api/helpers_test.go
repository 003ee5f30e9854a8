// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import "github.com/bytechefhq/bytechef-ee/internal/identity"

func identityInput(slug string) identity.CreateOrgInput {
	return identity.CreateOrgInput{Name: "Org " + slug, Slug: slug}
}
