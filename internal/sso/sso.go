// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package sso owns single sign-on (SPEC §3.2): per-org SAML 2.0 and OIDC connections with
// provider presets, the SP-initiated login at the dedicated org URL, SAML response and OIDC
// callback validation (crewjam/saml and go-oidc underneath, with the SPEC's stricter rules
// enforced here), SSO identities keyed by (connection, subject), JIT provisioning under the
// org's signup rules, and the one-time code exchanged for a session (package session).
package sso

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Protocol is a connection's protocol.
type Protocol string

// The protocols.
const (
	SAML Protocol = "SAML"
	OIDC Protocol = "OIDC"
)

// Provider is a preset that knows the attribute/claim names an IdP really sends.
type Provider string

// The provider presets.
const (
	Okta            Provider = "OKTA"
	EntraID         Provider = "ENTRA_ID"
	GoogleWorkspace Provider = "GOOGLE_WORKSPACE"
	JumpCloud       Provider = "JUMPCLOUD"
	PingIdentity    Provider = "PING_IDENTITY"
	Generic         Provider = "GENERIC"
)

// Providers lists the presets.
var Providers = []Provider{Okta, EntraID, GoogleWorkspace, JumpCloud, PingIdentity, Generic}

// The attribute mapping keys. Subject, when mapped, reads the stable subject from that
// attribute or claim instead of the NameID (SAML) or sub (OIDC).
const (
	AttrEmail     = "email"
	AttrFirstName = "first_name"
	AttrLastName  = "last_name"
	AttrName      = "name"
	AttrGroups    = "groups"
	AttrSubject   = "subject"
)

var mappingKeys = []string{AttrEmail, AttrFirstName, AttrLastName, AttrName, AttrGroups, AttrSubject}

// Entra's SAML claim URIs.
const (
	entraClaimEmail    = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	entraClaimGiven    = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"
	entraClaimSurname  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"
	entraClaimUPN      = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
	entraClaimDisplay  = "http://schemas.microsoft.com/identity/claims/displayname"
	entraClaimGroups   = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
	entraClaimObjectID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
	entraClaimTenantID = "http://schemas.microsoft.com/identity/claims/tenantid"
)

// presets maps provider and protocol to the candidate names of each attribute, in order of
// preference. Sources: each IdP's SAML attribute statement and OIDC claim documentation.
var presets = map[Provider]map[Protocol]map[string][]string{
	Okta: {
		// Okta's SAML app template sends the attribute statements admins name; its docs and
		// the "SAML 2.0 app" wizard use email/firstName/lastName and a groups statement.
		SAML: {AttrEmail: {"email", "Email", "user.email"}, AttrFirstName: {"firstName", "user.firstName"}, AttrLastName: {"lastName", "user.lastName"},
			AttrName: {"displayName", "name"}, AttrGroups: {"groups", "Groups"}},
		OIDC: {AttrEmail: {"email"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"}, AttrName: {"name"}, AttrGroups: {"groups"}},
	},
	EntraID: {
		SAML: {AttrEmail: {entraClaimEmail, entraClaimUPN}, AttrFirstName: {entraClaimGiven}, AttrLastName: {entraClaimSurname},
			AttrName: {entraClaimDisplay}, AttrGroups: {entraClaimGroups}},
		// Entra's v2 id_token: email is optional; preferred_username carries the UPN.
		OIDC: {AttrEmail: {"email", "preferred_username", "upn"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"},
			AttrName: {"name"}, AttrGroups: {"groups"}},
	},
	GoogleWorkspace: {
		// Google's SAML apps send the primary email as the NameID; attributes are whatever the
		// admin maps, conventionally these.
		SAML: {AttrEmail: {"email", "mail"}, AttrFirstName: {"firstName", "first_name"}, AttrLastName: {"lastName", "last_name"},
			AttrName: {"name"}, AttrGroups: {"groups"}},
		OIDC: {AttrEmail: {"email"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"}, AttrName: {"name"}},
	},
	JumpCloud: {
		SAML: {AttrEmail: {"email", "emailaddress"}, AttrFirstName: {"firstname", "firstName"}, AttrLastName: {"lastname", "lastName"},
			AttrName: {"displayname", "name"}, AttrGroups: {"memberOf", "groups"}},
		OIDC: {AttrEmail: {"email"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"}, AttrName: {"name"}, AttrGroups: {"groups", "memberOf"}},
	},
	PingIdentity: {
		// PingFederate/PingOne SAML commonly send LDAP-style names (mail, givenName, sn).
		SAML: {AttrEmail: {"mail", "email", "Email"}, AttrFirstName: {"givenName", "firstName"}, AttrLastName: {"sn", "lastName"},
			AttrName: {"displayName", "cn"}, AttrGroups: {"memberOf", "groups"}},
		OIDC: {AttrEmail: {"email"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"}, AttrName: {"name"}, AttrGroups: {"groups", "memberOf"}},
	},
	Generic: {
		SAML: {AttrEmail: {"email", "mail", "urn:oid:0.9.2342.19200300.100.1.3", entraClaimEmail}, AttrFirstName: {"firstName", "givenName", "urn:oid:2.5.4.42"},
			AttrLastName: {"lastName", "sn", "urn:oid:2.5.4.4"}, AttrName: {"displayName", "name", "urn:oid:2.16.840.1.113730.3.1.241"},
			AttrGroups: {"groups", "memberOf"}},
		OIDC: {AttrEmail: {"email"}, AttrFirstName: {"given_name"}, AttrLastName: {"family_name"}, AttrName: {"name"}, AttrGroups: {"groups"}},
	},
}

// Preset returns the candidate attribute names of a provider and protocol.
func Preset(p Provider, proto Protocol) map[string][]string { return presets[p][proto] }

// mappingFor merges the admin's overrides over the preset: an override replaces the
// candidates of its key with exactly that name.
func mappingFor(c Connection) map[string][]string {
	out := map[string][]string{}
	for k, v := range presets[c.Provider][c.Protocol] {
		out[k] = v
	}
	for k, v := range c.AttributeMapping {
		out[k] = []string{v}
	}
	return out
}

// Connection is an SSO connection of an org. Secrets are never carried here.
type Connection struct {
	ID               uuid.UUID
	OrgID            uuid.UUID
	Protocol         Protocol
	Provider         Provider
	Name             string
	Enabled          bool
	JITProvisioning  bool
	AttributeMapping map[string]string
	OIDC             *OIDCConfig
	SAML             *SAMLConfig
	// SecretSet reports whether the client secret (OIDC) or SP private key (SAML) is stored.
	SecretSet bool
	Version   int32
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OIDCConfig is an OIDC connection's non-secret configuration.
type OIDCConfig struct {
	Issuer           string   `json:"issuer"`
	ClientID         string   `json:"client_id"`
	Scopes           []string `json:"scopes"`
	AllowedTenantIDs []string `json:"allowed_tenant_ids"`
}

// SAMLConfig is a SAML connection's non-secret configuration. MetadataXML is the IdP
// metadata as given or as fetched from MetadataURL at save.
type SAMLConfig struct {
	MetadataURL      string   `json:"idp_metadata_url,omitempty"`
	MetadataXML      string   `json:"idp_metadata_xml,omitempty"`
	EntityID         string   `json:"idp_entity_id,omitempty"`
	SSOURL           string   `json:"idp_sso_url,omitempty"`
	CertificatesPEM  []string `json:"idp_certificate_pem,omitempty"`
	ClockSkewSeconds int      `json:"clock_skew_seconds"`
	SPCertificatePEM string   `json:"sp_certificate_pem,omitempty"`
}

// Skew limits (SPEC §3.2).
const (
	DefaultClockSkew = 90 * time.Second
	MaxClockSkew     = 5 * time.Minute
)

// Reason is a machine code for why a sign-in failed (audit action_data.reason and the error page).
type Reason string

// The failure reasons.
const (
	ReasonOrgNotFound         Reason = "ORG_NOT_FOUND"
	ReasonRegionMismatch      Reason = "REGION_MISMATCH"
	ReasonNoConnection        Reason = "NO_CONNECTION"
	ReasonConnectionAmbiguous Reason = "CONNECTION_REQUIRED"
	ReasonReturnToNotAllowed  Reason = "RETURN_TO_NOT_ALLOWED"
	ReasonRequestUnknown      Reason = "REQUEST_UNKNOWN"
	ReasonIdPInitiated        Reason = "IDP_INITIATED"
	ReasonIdPStatus           Reason = "IDP_STATUS"
	ReasonIdPError            Reason = "IDP_ERROR"
	ReasonMalformed           Reason = "MALFORMED_RESPONSE"
	ReasonTooLarge            Reason = "RESPONSE_TOO_LARGE"
	ReasonInvalidResponse     Reason = "INVALID_RESPONSE"
	ReasonReplay              Reason = "REPLAY"
	ReasonExpired             Reason = "EXPIRED"
	ReasonNotYetValid         Reason = "NOT_YET_VALID"
	ReasonAudience            Reason = "AUDIENCE_MISMATCH"
	ReasonRecipient           Reason = "RECIPIENT_MISMATCH"
	ReasonDestination         Reason = "DESTINATION_MISMATCH"
	ReasonSignature           Reason = "SIGNATURE_INVALID"
	ReasonIssuer              Reason = "ISSUER_MISMATCH"
	ReasonTenant              Reason = "TENANT_NOT_ALLOWED"
	ReasonNonce               Reason = "NONCE_MISMATCH"
	ReasonTokenExchange       Reason = "TOKEN_EXCHANGE_FAILED"
	ReasonMissingEmail        Reason = "MISSING_EMAIL"
	ReasonMissingSubject      Reason = "MISSING_SUBJECT"
	ReasonEmailNotVerified    Reason = "EMAIL_NOT_VERIFIED"
	ReasonHostedDomain        Reason = "HOSTED_DOMAIN_NOT_VERIFIED"
	ReasonNotProvisioned      Reason = "NOT_PROVISIONED"
	ReasonSignupNotAllowed    Reason = "SIGNUP_NOT_ALLOWED"
	ReasonAccountExists       Reason = "ACCOUNT_EXISTS_UNLINKED"
	ReasonMemberSuspended     Reason = "MEMBER_SUSPENDED"
	ReasonMemberDeprovisioned Reason = "MEMBER_DEPROVISIONED"
	ReasonProviderUnavailable Reason = "PROVIDER_UNAVAILABLE"
)

// Failure is a sign-in that did not succeed. Message is safe to show the user; Detail is
// for the audit log and server log only (it may name what the IdP sent, never secrets).
type Failure struct {
	Reason  Reason
	Message string
	Detail  string
	// Status is the HTTP status the error page answers with.
	Status int
	OrgID  uuid.UUID
	// Meta carries extra data for the page (e.g. the region URL).
	Meta map[string]string
}

func (f *Failure) Error() string {
	return fmt.Sprintf("sso: %s: %s (%s)", f.Reason, f.Message, f.Detail)
}

func fail(status int, reason Reason, msg string, detailf string, args ...any) *Failure {
	return &Failure{Status: status, Reason: reason, Message: msg, Detail: fmt.Sprintf(detailf, args...)}
}

// invalid is the generic answer for a response that failed validation: the user learns that
// the IdP's answer could not be accepted, the log learns why.
func invalid(reason Reason, detailf string, args ...any) *Failure {
	return fail(400, reason, "The identity provider's response could not be accepted. Please start the sign-in again from your application.", detailf, args...)
}

func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
