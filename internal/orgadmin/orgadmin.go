// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package orgadmin owns the administration of one organization (SPEC §3.1): its workspaces,
// members (status, source, workspace memberships), permission groups with their four axes,
// domains with DNS TXT verification, the org settings resource and the signup rule. It also
// exposes the lookups later features build on: SSO JIT and SCIM resolve members and groups
// here, and enforcement points read a user's effective permissions.
package orgadmin

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Role is a member's role in the org.
type Role string

// The member roles.
const (
	RoleAdmin  Role = "ADMIN"
	RoleMember Role = "MEMBER"
)

// Status is a member's lifecycle state.
type Status string

// The member states. Only ACTIVE members may act; leaving ACTIVE revokes the member's keys.
const (
	StatusActive        Status = "ACTIVE"
	StatusSuspended     Status = "SUSPENDED"
	StatusDeprovisioned Status = "DEPROVISIONED"
)

// Source says which path created a member.
type Source string

// The member sources.
const (
	SourceManual        Source = "MANUAL"
	SourceSSOJIT        Source = "SSO_JIT"
	SourceSCIM          Source = "SCIM"
	SourceDirectorySync Source = "DIRECTORY_SYNC"
)

// Workspace groups members and their work.
type Workspace struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	Name        string
	ExternalKey *string
	Version     int32
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Member is a user in an org.
type Member struct {
	ID                uuid.UUID
	OrgID             uuid.UUID
	UserID            uuid.UUID
	Email             string
	Name              string
	Role              Role
	Status            Status
	Source            Source
	PermissionGroupID uuid.UUID
	WorkspaceIDs      []uuid.UUID
	ExternalKey       *string
	Version           int32
	StatusChangedAt   *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// FeatureRestrictions is the first axis of a permission group. The JSON tags are the storage
// encoding of the permission_group.feature_restrictions column.
type FeatureRestrictions struct {
	RestrictProjectCreation      bool `json:"restrict_project_creation"`
	RestrictWorkflowCreation     bool `json:"restrict_workflow_creation"`
	RestrictConnectionManagement bool `json:"restrict_connection_management"`
	RestrictMCPToolCreation      bool `json:"restrict_mcp_tool_creation"`
	RestrictPublicSharing        bool `json:"restrict_public_sharing"`
	RestrictDataTableAccess      bool `json:"restrict_data_table_access"`
	RestrictKnowledgeBaseAccess  bool `json:"restrict_knowledge_base_access"`
}

// RateLimits is the second axis; nil means unlimited. The JSON tags are the storage encoding.
type RateLimits struct {
	MaxConcurrentExecutions *int32 `json:"max_concurrent_executions"`
	MaxExecutionsPerHour    *int32 `json:"max_executions_per_hour"`
}

// Group is a permission group. Every member is in exactly one.
type Group struct {
	ID                  uuid.UUID
	OrgID               uuid.UUID
	Name                string
	Description         string
	IsDefault           bool
	Priority            int32
	FeatureRestrictions FeatureRestrictions
	RateLimits          RateLimits
	// OAuthScopeAllowlist maps a connector (e.g. "googleDrive") or a category
	// ("category:communication") to the OAuth scopes its connections may request.
	OAuthScopeAllowlist map[string][]string
	// ComponentDenylist names components ("code"), actions ("code/scriptExecutor") and whole
	// categories ("category:code") members may not use.
	ComponentDenylist []string
	ExternalKey       *string
	Version           int32
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// EffectivePermissions is what enforcement points need to know about a user: the resolved
// axes of the user's one permission group, plus whether the user may act at all.
type EffectivePermissions struct {
	MemberID            uuid.UUID
	UserID              uuid.UUID
	Email               string
	Role                Role
	Status              Status
	Active              bool
	Group               Group
	FeatureRestrictions FeatureRestrictions
	RateLimits          RateLimits
	OAuthScopeAllowlist map[string][]string
	ComponentDenylist   []string
}

// Domain is an email domain an org claims; Verified once its DNS TXT challenge was seen.
type Domain struct {
	ID                uuid.UUID
	OrgID             uuid.UUID
	Domain            string
	VerificationToken string
	VerifiedAt        *time.Time
	Version           int32
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// ChallengePrefix is the DNS label under which an org publishes a domain's TXT challenge.
const ChallengePrefix = "_bytechef-challenge."

// RecordName is the DNS name that must carry the TXT challenge.
func (d Domain) RecordName() string { return ChallengePrefix + d.Domain }

// Limits on input sizes, so one request cannot make a huge row.
const (
	maxNameLen        = 200
	maxDescriptionLen = 2000
	maxPriority       = 1_000_000
	maxDenylist       = 1000
	maxAllowlistKeys  = 500
	maxScopesPerKey   = 200
	maxScopeLen       = 500
	maxWorkspaceIDs   = 1000
)

var externalKeyRe = regexp.MustCompile(`^[A-Za-z0-9._:@-]{1,200}$`)

// ValidExternalKey reports whether k may be used as an external key: 1-200 characters from
// letters, digits and . _ : @ -, so it is safe in a URL path segment once escaped.
func ValidExternalKey(k string) bool { return externalKeyRe.MatchString(k) }

func checkName(f *errcode.Fields, field, name string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(name) == "":
		f.Add(field, "is required")
	case utf8.RuneCountInString(name) > max:
		f.Add(field, "must be at most %d characters", max)
	case strings.ContainsAny(name, "\x00\r\n"):
		f.Add(field, "must not contain control characters")
	}
}

func checkExternalKey(f *errcode.Fields, k *string) {
	if k != nil && !ValidExternalKey(*k) {
		f.Add("external_key", "must be 1-200 letters, digits or . _ : @ -")
	}
}

// NormalizeEmail validates an email address and returns it trimmed with its domain
// lowercased (the local part keeps its case; uniqueness is case-insensitive anyway).
func NormalizeEmail(email string) (string, error) {
	e := strings.TrimSpace(email)
	if e == "" {
		return "", errcode.Invalid("email", "is required")
	}
	if len(e) > 320 {
		return "", errcode.Invalid("email", "must be at most 320 characters")
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", errcode.Invalid("email", "must be a plain address such as ada@example.com")
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "", errcode.Invalid("email", "must be a plain address such as ada@example.com")
	}
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", errcode.Invalid("email", "has an invalid domain")
	}
	return local + "@" + d, nil
}

// EmailDomain returns the lowercased domain of a valid address.
func EmailDomain(email string) string {
	_, d, _ := strings.Cut(email, "@")
	return strings.ToLower(d)
}

var labelRe = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// NormalizeDomain validates a DNS domain name (ASCII; internationalized names in their
// xn-- form) and returns it lowercased without a trailing dot.
func NormalizeDomain(domain string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	bad := errcode.Invalid("domain", "must be a domain name such as example.com (internationalized names in their xn-- form)")
	if d == "" || len(d) > 253 {
		return "", bad
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return "", bad
	}
	for _, l := range labels {
		if !labelRe.MatchString(l) {
			return "", bad
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" { // an IP address is not a domain
		return "", bad
	}
	return d, nil
}

// consumerDomains are mail providers anyone can get an address at: claiming one would let
// an org pull in strangers, so they are refused as org domains.
var consumerDomains = map[string]bool{}

func init() {
	for _, d := range strings.Fields(`gmail.com googlemail.com outlook.com outlook.de outlook.fr hotmail.com
		hotmail.co.uk hotmail.de hotmail.fr hotmail.it live.com live.co.uk msn.com yahoo.com yahoo.co.uk yahoo.de
		yahoo.fr yahoo.co.jp ymail.com rocketmail.com icloud.com me.com mac.com aol.com aim.com proton.me
		protonmail.com protonmail.ch pm.me gmx.com gmx.de gmx.net gmx.at web.de mail.com email.com yandex.com
		yandex.ru ya.ru mail.ru inbox.ru bk.ru list.ru qq.com 163.com 126.com yeah.net sina.com zoho.com
		zohomail.com tutanota.com tuta.io fastmail.com hey.com hushmail.com mailinator.com t-online.de
		orange.fr free.fr laposte.net libero.it naver.com daum.net hanmail.net rediffmail.com seznam.cz
		wp.pl o2.pl interia.pl comcast.net verizon.net att.net sbcglobal.net bellsouth.net cox.net`) {
		consumerDomains[d] = true
	}
}

// IsConsumerDomain reports whether d (or a parent of it) is a consumer mail provider.
func IsConsumerDomain(d string) bool {
	d = strings.ToLower(d)
	for {
		if consumerDomains[d] {
			return true
		}
		_, rest, ok := strings.Cut(d, ".")
		if !ok || !strings.Contains(rest, ".") {
			return false
		}
		d = rest
	}
}

func parseRole(f *errcode.Fields, s string) Role {
	switch Role(s) {
	case RoleAdmin, RoleMember:
		return Role(s)
	}
	f.Add("role", "must be ADMIN or MEMBER")
	return ""
}

func parseStatus(f *errcode.Fields, s string) Status {
	switch Status(s) {
	case StatusActive, StatusSuspended, StatusDeprovisioned:
		return Status(s)
	}
	f.Add("status", "must be ACTIVE, SUSPENDED or DEPROVISIONED")
	return ""
}

func parseSource(f *errcode.Fields, s string) Source {
	switch Source(s) {
	case SourceManual, SourceSSOJIT, SourceSCIM, SourceDirectorySync:
		return Source(s)
	}
	f.Add("source", "must be MANUAL, SSO_JIT, SCIM or DIRECTORY_SYNC")
	return ""
}

var (
	componentRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,99}(?:/[A-Za-z][A-Za-z0-9_-]{0,99})?$`)
	categoryRe  = regexp.MustCompile(`^category:[a-z0-9][a-z0-9_-]{0,99}$`)
	connectorRe = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,99}$`)
)

// normalizeDenylist validates component_denylist entries (component, component/action or
// category:name), drops duplicates and sorts, so equal lists compare equal.
func normalizeDenylist(f *errcode.Fields, in []string) []string {
	if len(in) > maxDenylist {
		f.Add("component_denylist", "must have at most %d entries", maxDenylist)
		return nil
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(in))
	for i, e := range in {
		if !componentRe.MatchString(e) && !categoryRe.MatchString(e) {
			f.Add(fmt.Sprintf("component_denylist[%d]", i), "must be a component name, component/action, or category:<name>")
			continue
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	sortStrings(out)
	return out
}

// normalizeAllowlist validates oauth_scope_allowlist: keys are connector names or
// category:<name>, values lists of scopes (deduplicated and sorted).
func normalizeAllowlist(f *errcode.Fields, in map[string][]string) map[string][]string {
	if len(in) > maxAllowlistKeys {
		f.Add("oauth_scope_allowlist", "must have at most %d entries", maxAllowlistKeys)
		return nil
	}
	out := make(map[string][]string, len(in))
	for k, scopes := range in {
		field := "oauth_scope_allowlist." + k
		if !connectorRe.MatchString(k) && !categoryRe.MatchString(k) {
			f.Add("oauth_scope_allowlist", "key %q must be a connector name or category:<name>", truncate(k, 50))
			continue
		}
		if scopes == nil {
			f.Add(field, "must be an array of scopes")
			continue
		}
		if len(scopes) > maxScopesPerKey {
			f.Add(field, "must have at most %d scopes", maxScopesPerKey)
			continue
		}
		seen := map[string]bool{}
		list := make([]string, 0, len(scopes))
		for i, s := range scopes {
			if s == "" || len(s) > maxScopeLen || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				f.Add(fmt.Sprintf("%s[%d]", field, i), "must be a non-empty scope without spaces, at most %d characters", maxScopeLen)
				continue
			}
			if !seen[s] {
				seen[s] = true
				list = append(list, s)
			}
		}
		sortStrings(list)
		out[k] = list
	}
	return out
}

func checkRateLimits(f *errcode.Fields, r RateLimits) {
	if v := r.MaxConcurrentExecutions; v != nil && (*v < 0 || *v > 100_000) {
		f.Add("rate_limits.max_concurrent_executions", "must be from 0 to 100000, or null for no limit")
	}
	if v := r.MaxExecutionsPerHour; v != nil && (*v < 0 || *v > 100_000_000) {
		f.Add("rate_limits.max_executions_per_hour", "must be from 0 to 100000000, or null for no limit")
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
