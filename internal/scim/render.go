// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package scim

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

func meta(kind, location string, version int32, created, updated time.Time) map[string]any {
	return map[string]any{"resourceType": kind, "created": created.UTC().Format(time.RFC3339Nano),
		"lastModified": updated.UTC().Format(time.RFC3339Nano), "location": location, "version": ETag(version)}
}

// ETag is the weak entity tag of a resource version.
func ETag(version int32) string { return fmt.Sprintf(`W/"%d"`, version) }

// RenderUser is the wire form of a user under base (e.g. https://host/scim/v2).
func RenderUser(u User, base string) map[string]any {
	res := deepCopy(u.Attrs).(map[string]any)
	schemas := []any{UserSchema}
	if _, ok := res[EnterpriseSchema]; ok {
		schemas = append(schemas, EnterpriseSchema)
	}
	// Extension schemas kept as sent (an object under a URN key) are named too.
	var extra []string
	for k, v := range res {
		if _, obj := v.(map[string]any); obj && k != EnterpriseSchema && strings.HasPrefix(strings.ToLower(k), "urn:") {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		schemas = append(schemas, k)
	}
	res["schemas"] = schemas
	res["id"] = u.ID.String()
	res["userName"] = u.UserName
	res["active"] = u.Active
	if u.ExternalID != nil {
		res["externalId"] = *u.ExternalID
	}
	if u.Groups != nil {
		groups := make([]any, len(u.Groups))
		for i, g := range u.Groups {
			groups[i] = map[string]any{"value": g.ID.String(), "display": g.Display, "$ref": base + "/Groups/" + g.ID.String(), "type": "direct"}
		}
		res["groups"] = groups
	}
	res["meta"] = meta("User", base+"/Users/"+u.ID.String(), u.Version, u.Created, u.Updated)
	return res
}

// RenderGroup is the wire form of a group; members appear only when they were loaded.
func RenderGroup(g Group, base string) map[string]any {
	res := deepCopy(g.Attrs).(map[string]any)
	res["schemas"] = []any{GroupSchema}
	res["id"] = g.ID.String()
	res["displayName"] = g.DisplayName
	if g.ExternalID != nil {
		res["externalId"] = *g.ExternalID
	}
	if g.Members != nil {
		members := make([]any, len(g.Members))
		for i, m := range g.Members {
			members[i] = map[string]any{"value": m.ID.String(), "display": m.Display, "$ref": base + "/Users/" + m.ID.String(), "type": "User"}
		}
		res["members"] = members
	}
	res["meta"] = meta("Group", base+"/Groups/"+g.ID.String(), g.Version, g.Created, g.Updated)
	return res
}

// ServiceProviderConfig tells the truth about what this provider supports.
func ServiceProviderConfig(base string) map[string]any {
	return map[string]any{
		"schemas":          []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "https://docs.bytechef.io/ee/scim",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": MaxResults},
		"changePassword":   map[string]any{"supported": false},
		"sort":             map[string]any{"supported": false},
		"etag":             map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{"type": "oauthbearertoken", "name": "OAuth Bearer Token",
			"description": "A SCIM token (scim_…) created at /api/v1/scim/tokens, sent as Authorization: Bearer.", "primary": true}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
	}
}

// ResourceTypes lists User (with the enterprise extension) and Group.
func ResourceTypes(base string) []any {
	return []any{
		map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User",
			"endpoint": "/Users", "description": "User Account", "schema": UserSchema,
			"schemaExtensions": []any{map[string]any{"schema": EnterpriseSchema, "required": false}},
			"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"}},
		map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group",
			"endpoint": "/Groups", "description": "Group", "schema": GroupSchema,
			"meta": map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/Group"}},
	}
}

func attrJSON(a Attr) map[string]any {
	typ := a.Type
	if typ == TID {
		typ = TString
	}
	m := map[string]any{"name": a.Name, "type": typ, "multiValued": a.Multi, "description": a.Description, "required": a.Required,
		"caseExact": a.CaseExact, "mutability": a.Mutability, "returned": a.Returned, "uniqueness": a.Uniqueness}
	if m["mutability"] == "" {
		m["mutability"] = "readWrite"
	}
	if m["returned"] == "" {
		m["returned"] = "default"
	}
	if m["uniqueness"] == "" {
		m["uniqueness"] = "none"
	}
	if len(a.Canonical) > 0 {
		m["canonicalValues"] = a.Canonical
	}
	if len(a.RefTypes) > 0 {
		m["referenceTypes"] = a.RefTypes
	}
	if len(a.Sub) > 0 {
		subs := make([]any, len(a.Sub))
		for i, s := range a.Sub {
			subs[i] = attrJSON(s)
		}
		m["subAttributes"] = subs
	}
	return m
}

// Schemas publishes the schemas served, attribute by attribute.
func Schemas(base string) []any {
	var out []any
	for _, s := range []Schema{UserResource, EnterpriseResource, GroupResource} {
		attrs := make([]any, 0, len(s.Attrs)+1)
		attrs = append(attrs, attrJSON(commonAttrs[1]))
		for _, a := range s.Attrs {
			attrs = append(attrs, attrJSON(a))
		}
		if s.ID == EnterpriseSchema {
			attrs = attrs[1:]
		}
		out = append(out, map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": s.ID, "name": s.Name,
			"description": s.Description, "attributes": attrs,
			"meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + s.ID}})
	}
	return out
}
