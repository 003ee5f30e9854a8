// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

// Catalogue maps every event type the product itself emits to its category. Types are dotted
// resource.action names. Ingested events may use other types but must name a category.
var Catalogue = map[string]Category{
	"organization.created": Organization,
	"organization.updated": Organization,
	"organization.deleted": Organization,
	"api_key.created":      Credentials,
	"api_key.rotated":      Credentials,
	"api_key.revoked":      Credentials,

	// Single sign-on and sessions (SPEC §3.2).
	"user.signed_in":           Authentication,
	"user.sign_in_failed":      Authentication,
	"user.signed_out":          Authentication,
	"user.jit_provisioned":     Teams,
	"user.sso_identity_linked": Authentication,
	"sso_connection.created":   Authentication,
	"sso_connection.updated":   Authentication,
	"sso_connection.deleted":   Authentication,

	// Organization data export (SPEC §4.3).
	"export.requested":  Files,
	"export.completed":  Files,
	"export.failed":     Files,
	"export.downloaded": Files,
	"export.cancelled":  Files,
	"export.deleted":    Files,

	// Organization administration (SPEC §3.1).
	"workspace.created":        Teams,
	"workspace.updated":        Teams,
	"workspace.deleted":        Teams,
	"workspace.member_added":   Teams,
	"workspace.member_removed": Teams,
	"member.created":           Teams,
	"member.updated":           Teams,
	"member.deleted":           Teams,
	"member.suspended":         Teams,
	"member.reactivated":       Teams,
	"member.deprovisioned":     Teams,
	"member.role_changed":      Permissions,
	"member.group_changed":     Permissions,
	"permission_group.created": Permissions,
	"permission_group.updated": Permissions,
	"permission_group.deleted": Permissions,
	"domain.created":           Organization,
	"domain.verified":          Organization,
	"domain.deleted":           Organization,
	"settings.updated":         Organization,
	"organization.purged":      Organization,

	// App policies (SPEC §5).
	"app_rule.created":           Permissions,
	"app_rule.updated":           Permissions,
	"app_rule.deleted":           Permissions,
	"app_rule.blocked":           Workflows,
	"app_rule.tagged":            Workflows,
	"app_rule.evaluation_failed": Workflows,
	"app_claim.created":          Organization,
	"app_claim.updated":          Organization,
	"app_claim.deleted":          Organization,
	"app_claim.released":         Organization,
	"domain_restriction.created": Organization,
	"domain_restriction.updated": Organization,
	"domain_restriction.deleted": Organization,
	"connection.oauth_denied":    Credentials,
	"connection.scan_completed":  Credentials,

	// SCIM provisioning and directory sync (SPEC §3.4, §3.5).
	"scim_token.created":               Credentials,
	"scim_token.revoked":               Credentials,
	"scim_user.created":                Teams,
	"scim_user.updated":                Teams,
	"scim_user.deleted":                Teams,
	"scim_group.created":               Teams,
	"scim_group.updated":               Teams,
	"scim_group.deleted":               Teams,
	"scim_group.members_changed":       Teams,
	"directory_group_mapping.created":  Permissions,
	"directory_group_mapping.deleted":  Permissions,
	"directory_connection.created":     Organization,
	"directory_connection.updated":     Organization,
	"directory_connection.deleted":     Organization,
	"directory_sync.completed":         Teams,
	"directory_sync.failed":            Teams,
	"directory_sync.users_provisioned": Teams,
}
