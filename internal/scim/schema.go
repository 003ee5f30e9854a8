// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package scim is the SCIM 2.0 service provider (RFC 7643/7644, SPEC §3.4): the resource
// schemas it serves, the filter translation to parameterized SQL, the PATCH applier with the
// behaviours Okta and Entra ID rely on, SCIM bearer tokens, group-to-permission-group
// mapping and the request log. Users are the org's members (the SCIM id is the member id),
// so suspension and deprovisioning go through the member lifecycle of orgadmin.
package scim

import (
	"strings"
)

// Schema URNs.
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// MaxResults is the most resources one list answer carries (ServiceProviderConfig filter.maxResults).
const MaxResults = 1000

// Attribute types.
const (
	TString    = "string"
	TBoolean   = "boolean"
	TDateTime  = "dateTime"
	TReference = "reference"
	TComplex   = "complex"
	TID        = "id" // internal: the resource id (a UUID), "string" on the wire
)

// Attr describes one attribute as /Schemas publishes it and as filters and PATCH use it.
type Attr struct {
	Name        string
	Type        string
	Multi       bool
	CaseExact   bool
	Required    bool
	Mutability  string // readWrite, readOnly, immutable, writeOnly
	Returned    string // default, always, never, request
	Uniqueness  string // none, server, global
	Description string
	Canonical   []string
	RefTypes    []string
	Sub         []Attr
}

// SubAttr finds a sub-attribute by name, case-insensitively.
func (a *Attr) SubAttr(name string) *Attr {
	for i := range a.Sub {
		if strings.EqualFold(a.Sub[i].Name, name) {
			return &a.Sub[i]
		}
	}
	return nil
}

// Schema is one published schema.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attrs       []Attr
}

// Attr finds a top-level attribute by name, case-insensitively.
func (s *Schema) Attr(name string) *Attr {
	for i := range s.Attrs {
		if strings.EqualFold(s.Attrs[i].Name, name) {
			return &s.Attrs[i]
		}
	}
	return nil
}

func str(name string, caseExact bool, desc string) Attr {
	return Attr{Name: name, Type: TString, CaseExact: caseExact, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: desc}
}

func multi(name, desc string, sub ...Attr) Attr {
	return Attr{Name: name, Type: TComplex, Multi: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: desc, Sub: sub}
}

func typed(a Attr, canonical ...string) Attr { a.Canonical = canonical; return a }

func boolean(name, desc string) Attr {
	return Attr{Name: name, Type: TBoolean, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: desc}
}

var (
	valueTypePrimary = func(types ...string) []Attr {
		return []Attr{str("value", false, "The value."), str("display", false, "A human-readable name."),
			typed(str("type", false, "A label for the value's function."), types...), boolean("primary", "The primary value.")}
	}

	// UserResource is the core User schema as served (RFC 7643 §4.1).
	UserResource = Schema{ID: UserSchema, Name: "User", Description: "User Account", Attrs: []Attr{
		{Name: "userName", Type: TString, Required: true, Mutability: "readWrite", Returned: "always", Uniqueness: "server",
			Description: "Unique identifier for the User within the organization (case-insensitive)."},
		{Name: "name", Type: TComplex, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: "The components of the user's name.",
			Sub: []Attr{str("formatted", false, "The full name."), str("familyName", false, "The family name."),
				str("givenName", false, "The given name."), str("middleName", false, "The middle name."),
				str("honorificPrefix", false, "The honorific prefix."), str("honorificSuffix", false, "The honorific suffix.")}},
		str("displayName", false, "The name of the User, suitable for display."),
		str("nickName", false, "The casual way to address the user."),
		{Name: "profileUrl", Type: TReference, RefTypes: []string{"external"}, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: "A URI to the user's profile."},
		str("title", false, "The user's title."),
		str("userType", false, "The relationship between the organization and the user."),
		str("preferredLanguage", false, "The user's preferred language."),
		str("locale", false, "The user's default location."),
		str("timezone", false, "The user's time zone."),
		boolean("active", "Whether the user may sign in; false suspends the member."),
		multi("emails", "Email addresses for the user.", valueTypePrimary("work", "home", "other")...),
		multi("phoneNumbers", "Phone numbers for the user.", valueTypePrimary("work", "home", "mobile", "fax", "pager", "other")...),
		multi("ims", "Instant messaging addresses.", valueTypePrimary()...),
		multi("photos", "URLs of photos of the user.", valueTypePrimary("photo", "thumbnail")...),
		multi("addresses", "Physical mailing addresses.", str("formatted", false, "The full address."),
			str("streetAddress", false, "The street address."), str("locality", false, "The city or locality."),
			str("region", false, "The state or region."), str("postalCode", false, "The postal code."),
			str("country", false, "The country."), typed(str("type", false, "The kind of address."), "work", "home", "other"),
			boolean("primary", "The primary address.")),
		{Name: "groups", Type: TComplex, Multi: true, Mutability: "readOnly", Returned: "default", Uniqueness: "none",
			Description: "The groups the user belongs to (read-only; change it through the Group resource).",
			Sub: []Attr{{Name: "value", Type: TString, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "The group's id."},
				{Name: "$ref", Type: TReference, RefTypes: []string{"Group"}, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "The group's URI."},
				{Name: "display", Type: TString, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "The group's displayName."},
				{Name: "type", Type: TString, Canonical: []string{"direct"}, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "direct."}}},
		multi("entitlements", "Entitlements of the user.", valueTypePrimary()...),
		multi("roles", "Roles of the user.", valueTypePrimary()...),
	}}

	// EnterpriseResource is the enterprise User extension (RFC 7643 §4.3).
	EnterpriseResource = Schema{ID: EnterpriseSchema, Name: "EnterpriseUser", Description: "Enterprise User", Attrs: []Attr{
		str("employeeNumber", false, "The employee number."), str("costCenter", false, "The cost center."),
		str("organization", false, "The organization."), str("division", false, "The division."),
		str("department", false, "The department."),
		{Name: "manager", Type: TComplex, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: "The user's manager.",
			Sub: []Attr{str("value", false, "The manager's id."),
				{Name: "$ref", Type: TReference, RefTypes: []string{"User"}, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Description: "The manager's URI."},
				{Name: "displayName", Type: TString, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "The manager's name."}}},
	}}

	// GroupResource is the core Group schema (RFC 7643 §4.2). Members are users of the org.
	GroupResource = Schema{ID: GroupSchema, Name: "Group", Description: "Group", Attrs: []Attr{
		{Name: "displayName", Type: TString, Required: true, Mutability: "readWrite", Returned: "default", Uniqueness: "server",
			Description: "The group's name (unique per organization, case-insensitive)."},
		{Name: "members", Type: TComplex, Multi: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none",
			Description: "The users in the group (changed as deltas by PATCH).",
			Sub: []Attr{{Name: "value", Type: TString, Mutability: "immutable", Returned: "default", Uniqueness: "none", Description: "The member's id."},
				{Name: "$ref", Type: TReference, RefTypes: []string{"User"}, Mutability: "immutable", Returned: "default", Uniqueness: "none", Description: "The member's URI."},
				{Name: "display", Type: TString, Mutability: "readOnly", Returned: "default", Uniqueness: "none", Description: "The member's userName."},
				{Name: "type", Type: TString, Canonical: []string{"User"}, Mutability: "immutable", Returned: "default", Uniqueness: "none", Description: "User."}}},
	}}

	// commonAttrs are the attributes every resource has (RFC 7643 §3.1).
	commonAttrs = []Attr{
		{Name: "id", Type: TID, CaseExact: true, Mutability: "readOnly", Returned: "always", Uniqueness: "server"},
		{Name: "externalId", Type: TString, CaseExact: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none"},
		{Name: "meta", Type: TComplex, Mutability: "readOnly", Returned: "default", Sub: []Attr{
			{Name: "resourceType", Type: TString, CaseExact: true, Mutability: "readOnly"},
			{Name: "created", Type: TDateTime, Mutability: "readOnly"},
			{Name: "lastModified", Type: TDateTime, Mutability: "readOnly"},
			{Name: "location", Type: TReference, Mutability: "readOnly"},
			{Name: "version", Type: TString, CaseExact: true, Mutability: "readOnly"}}},
	}
)

// Kind is a resource type.
type Kind int

// The resource types.
const (
	KindUser Kind = iota
	KindGroup
)

// resolvedAttr is an attribute found by (possibly URN-qualified) name.
type resolvedAttr struct {
	attr   *Attr
	schema string // the URN whose attribute it is ("" for common attributes)
	common bool
}

// lookupAttr resolves a top-level attribute of a resource kind by URN prefix and name,
// case-insensitively. A URN that is the resource's own core schema is the same as none.
func lookupAttr(k Kind, urn, name string) (resolvedAttr, bool) {
	if urn == "" || strings.EqualFold(urn, coreSchema(k)) {
		for i := range commonAttrs {
			if strings.EqualFold(commonAttrs[i].Name, name) {
				return resolvedAttr{attr: &commonAttrs[i], common: true}, true
			}
		}
		s := coreResource(k)
		if a := s.Attr(name); a != nil {
			return resolvedAttr{attr: a, schema: s.ID}, true
		}
		return resolvedAttr{}, false
	}
	if k == KindUser && strings.EqualFold(urn, EnterpriseSchema) {
		if a := EnterpriseResource.Attr(name); a != nil {
			return resolvedAttr{attr: a, schema: EnterpriseSchema}, true
		}
	}
	return resolvedAttr{}, false
}

func coreSchema(k Kind) string {
	if k == KindGroup {
		return GroupSchema
	}
	return UserSchema
}

func coreResource(k Kind) *Schema {
	if k == KindGroup {
		return &GroupResource
	}
	return &UserResource
}

// extensionURN returns the canonical extension URN a key names (case-insensitively), if any.
func extensionURN(k Kind, key string) (string, bool) {
	if k == KindUser && strings.EqualFold(key, EnterpriseSchema) {
		return EnterpriseSchema, true
	}
	return "", false
}

// splitURN splits "urn:...:User:department" into the URN and the attribute path. It knows
// the schemas served, so the split is exact even though both parts contain colons.
func splitURN(k Kind, key string) (urn, rest string, ok bool) {
	for _, u := range []string{coreSchema(k), EnterpriseSchema} {
		if k == KindGroup && u == EnterpriseSchema {
			continue
		}
		if len(key) > len(u) && strings.EqualFold(key[:len(u)], u) && key[len(u)] == ':' {
			return u, key[len(u)+1:], true
		}
	}
	return "", "", false
}
