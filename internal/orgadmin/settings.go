// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// SignupMode decides who may join an org by self-service signup or SSO JIT provisioning.
type SignupMode string

// The signup modes.
const (
	SignupOpen                SignupMode = "OPEN"
	SignupVerifiedDomainsOnly SignupMode = "VERIFIED_DOMAINS_ONLY"
	SignupInviteOnly          SignupMode = "INVITE_ONLY"
)

// Settings is the org settings resource. The JSON tags are the storage encoding of the
// organization.settings column; fields missing there read as their defaults.
type Settings struct {
	// SessionIdleTimeout and SessionMaxLifetime are in seconds.
	SessionIdleTimeout       int64      `json:"session_idle_timeout"`
	SessionMaxLifetime       int64      `json:"session_max_lifetime"`
	AuditHotDays             int32      `json:"audit_hot_days"`
	AuditRetentionDays       int32      `json:"audit_retention_days"`
	SignupMode               SignupMode `json:"signup_mode"`
	AllowedRedirectURIs      []string   `json:"allowed_redirect_uris"`
	DeprovisionRetentionDays int32      `json:"deprovision_retention_days"`
	Version                  int32      `json:"-"`
}

// DefaultSettings are a new org's settings: 8 h idle, 24 h maximum session, 90 hot days of
// audit out of 365 kept, signup limited to verified domains, no redirect URIs, and
// deprovisioned users removed after 30 days.
func DefaultSettings() Settings {
	return Settings{SessionIdleTimeout: 8 * 3600, SessionMaxLifetime: 24 * 3600, AuditHotDays: 90, AuditRetentionDays: 365,
		SignupMode: SignupVerifiedDomainsOnly, AllowedRedirectURIs: []string{}, DeprovisionRetentionDays: 30}
}

// Bounds of the settings.
const (
	MinSessionSeconds     = 60
	MaxSessionSeconds     = 90 * 24 * 3600
	MaxAuditRetentionDays = 2555
	MaxRedirectURIs       = 100
	MaxDeprovisionDays    = 3650
)

// SettingsPatch changes settings; nil fields are unchanged.
type SettingsPatch struct {
	SessionIdleTimeout       *int64
	SessionMaxLifetime       *int64
	AuditHotDays             *int32
	AuditRetentionDays       *int32
	SignupMode               *string
	AllowedRedirectURIs      []string // nil: unchanged
	DeprovisionRetentionDays *int32
}

func decodeSettings(raw []byte, version int32) (Settings, error) {
	s := DefaultSettings()
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &s); err != nil {
			return Settings{}, fmt.Errorf("orgadmin: organization settings: %w", err)
		}
	}
	if s.AllowedRedirectURIs == nil {
		s.AllowedRedirectURIs = []string{}
	}
	s.Version = version
	return s, nil
}

func (p SettingsPatch) apply(cur Settings) (Settings, error) {
	var f errcode.Fields
	next := cur
	next.AllowedRedirectURIs = slices.Clone(cur.AllowedRedirectURIs)
	if p.SessionIdleTimeout != nil {
		next.SessionIdleTimeout = *p.SessionIdleTimeout
	}
	if p.SessionMaxLifetime != nil {
		next.SessionMaxLifetime = *p.SessionMaxLifetime
	}
	if p.AuditHotDays != nil {
		next.AuditHotDays = *p.AuditHotDays
	}
	if p.AuditRetentionDays != nil {
		next.AuditRetentionDays = *p.AuditRetentionDays
	}
	if p.DeprovisionRetentionDays != nil {
		next.DeprovisionRetentionDays = *p.DeprovisionRetentionDays
	}
	if p.SignupMode != nil {
		switch m := SignupMode(*p.SignupMode); m {
		case SignupOpen, SignupVerifiedDomainsOnly, SignupInviteOnly:
			next.SignupMode = m
		default:
			f.Add("signup_mode", "must be OPEN, VERIFIED_DOMAINS_ONLY or INVITE_ONLY")
		}
	}
	if p.AllowedRedirectURIs != nil {
		next.AllowedRedirectURIs = normalizeRedirectURIs(&f, p.AllowedRedirectURIs)
	}
	if next.SessionIdleTimeout < MinSessionSeconds || next.SessionIdleTimeout > MaxSessionSeconds {
		f.Add("session_idle_timeout", "must be from %d to %d seconds", MinSessionSeconds, MaxSessionSeconds)
	}
	if next.SessionMaxLifetime < MinSessionSeconds || next.SessionMaxLifetime > MaxSessionSeconds {
		f.Add("session_max_lifetime", "must be from %d to %d seconds", MinSessionSeconds, MaxSessionSeconds)
	} else if next.SessionMaxLifetime < next.SessionIdleTimeout {
		f.Add("session_max_lifetime", "must be at least session_idle_timeout")
	}
	if next.AuditRetentionDays < 1 || next.AuditRetentionDays > MaxAuditRetentionDays {
		f.Add("audit_retention_days", "must be from 1 to %d", MaxAuditRetentionDays)
	}
	if next.AuditHotDays < 1 || next.AuditHotDays > next.AuditRetentionDays {
		f.Add("audit_hot_days", "must be from 1 to audit_retention_days")
	}
	if next.DeprovisionRetentionDays < 0 || next.DeprovisionRetentionDays > MaxDeprovisionDays {
		f.Add("deprovision_retention_days", "must be from 0 to %d", MaxDeprovisionDays)
	}
	return next, f.Err()
}

// normalizeRedirectURIs accepts absolute https URLs (http only for localhost, for local
// development) without fragments or user info, drops duplicates and sorts.
func normalizeRedirectURIs(f *errcode.Fields, in []string) []string {
	if len(in) > MaxRedirectURIs {
		f.Add("allowed_redirect_uris", "must have at most %d entries", MaxRedirectURIs)
		return nil
	}
	out := make([]string, 0, len(in))
	for i, raw := range in {
		field := fmt.Sprintf("allowed_redirect_uris[%d]", i)
		u, err := url.Parse(raw)
		switch {
		case err != nil || len(raw) > 2000 || u.Host == "" || u.Opaque != "" || strings.ContainsAny(raw, " \t\r\n\x00"):
			f.Add(field, "must be an absolute URL")
		case u.Scheme != "https" && (u.Scheme != "http" || !isLoopback(u.Hostname())):
			f.Add(field, "must use https (http only for localhost)")
		case u.Fragment != "" || strings.Contains(raw, "#"):
			f.Add(field, "must not have a fragment")
		case u.User != nil:
			f.Add(field, "must not carry user info")
		default:
			if !slices.Contains(out, raw) {
				out = append(out, raw)
			}
		}
	}
	slices.Sort(out)
	return out
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

func settingsSummary(s Settings) map[string]any {
	return map[string]any{"session_idle_timeout": s.SessionIdleTimeout, "session_max_lifetime": s.SessionMaxLifetime,
		"audit_hot_days": s.AuditHotDays, "audit_retention_days": s.AuditRetentionDays, "signup_mode": s.SignupMode,
		"allowed_redirect_uris": s.AllowedRedirectURIs, "deprovision_retention_days": s.DeprovisionRetentionDays}
}

// GetSettings returns the org's settings; Version is the org's version (the ETag).
func (s *Service) GetSettings(ctx context.Context, orgID uuid.UUID) (Settings, error) {
	row, err := dbsqlc.New(s.db).OrganizationGet(ctx, orgID)
	if err != nil {
		return Settings{}, translate(err, "organization")
	}
	return decodeSettings(row.Settings, row.Version)
}

// UpdateSettings applies a patch; the whole result is validated (e.g. max lifetime ≥ idle
// timeout). An unchanged result keeps the version and writes no event.
func (s *Service) UpdateSettings(ctx context.Context, orgID uuid.UUID, p SettingsPatch, ifVersion *int32) (Settings, error) {
	var out Settings
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.OrganizationLockForUpdate(ctx, orgID)
		if err != nil {
			return translate(err, "organization")
		}
		if err := checkVersion("organization settings", row.Version, ifVersion); err != nil {
			return err
		}
		cur, err := decodeSettings(row.Settings, row.Version)
		if err != nil {
			return err
		}
		next, err := p.apply(cur)
		if err != nil {
			return err
		}
		if equalSettings(cur, next) {
			out = cur
			return nil
		}
		raw, err := mergeSettings(row.Settings, next)
		if err != nil {
			return err
		}
		updated, err := q.OrganizationUpdate(ctx, dbsqlc.OrganizationUpdateParams{ID: orgID, Name: row.Name, Settings: raw})
		if err != nil {
			return translate(err, "organization")
		}
		if out, err = decodeSettings(updated.Settings, updated.Version); err != nil {
			return err
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "settings.updated", TargetType: "organization", TargetID: orgID.String(),
			Data: map[string]any{"before": settingsSummary(cur), "after": settingsSummary(out)}})
	})
	return out, err
}

// mergeSettings writes this resource's fields over the stored settings object, keeping keys
// other features keep in the same column.
func mergeSettings(stored []byte, s Settings) ([]byte, error) {
	merged := map[string]json.RawMessage{}
	if len(stored) > 0 {
		if err := json.Unmarshal(stored, &merged); err != nil {
			return nil, fmt.Errorf("orgadmin: organization settings: %w", err)
		}
	}
	mine, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(mine, &fields); err != nil {
		return nil, err
	}
	maps.Copy(merged, fields)
	return json.Marshal(merged)
}

func equalSettings(a, b Settings) bool {
	return a.SessionIdleTimeout == b.SessionIdleTimeout && a.SessionMaxLifetime == b.SessionMaxLifetime &&
		a.AuditHotDays == b.AuditHotDays && a.AuditRetentionDays == b.AuditRetentionDays && a.SignupMode == b.SignupMode &&
		slices.Equal(a.AllowedRedirectURIs, b.AllowedRedirectURIs) && a.DeprovisionRetentionDays == b.DeprovisionRetentionDays
}

// SignupReason explains a signup decision.
type SignupReason string

// The signup reasons.
const (
	ReasonOpenSignup          SignupReason = "OPEN_SIGNUP"
	ReasonVerifiedDomain      SignupReason = "VERIFIED_DOMAIN"
	ReasonDomainNotVerified   SignupReason = "DOMAIN_NOT_VERIFIED"
	ReasonMemberExists        SignupReason = "MEMBER_EXISTS"
	ReasonInviteRequired      SignupReason = "INVITE_REQUIRED"
	ReasonMemberSuspended     SignupReason = "MEMBER_SUSPENDED"
	ReasonMemberDeprovisioned SignupReason = "MEMBER_DEPROVISIONED"
)

// SignupDecision is the answer to "may this email join the org?".
type SignupDecision struct {
	Allowed bool
	OrgID   uuid.UUID
	Reason  SignupReason
}

// SignupAllowed applies the org's signup_mode to an email (SPEC §3.1). An existing member
// decides by status (suspended and deprovisioned users are never let back in this way);
// otherwise OPEN admits anyone, VERIFIED_DOMAINS_ONLY admits emails at the org's verified
// domains, and INVITE_ONLY admits only members the admins created. SSO JIT provisioning
// calls this too.
func (s *Service) SignupAllowed(ctx context.Context, orgID uuid.UUID, email string) (SignupDecision, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return SignupDecision{}, err
	}
	settings, err := s.GetSettings(ctx, orgID)
	if err != nil {
		return SignupDecision{}, err
	}
	d := SignupDecision{OrgID: orgID}
	m, err := s.MemberByEmail(ctx, orgID, e)
	switch {
	case err == nil:
		switch m.Status {
		case StatusActive:
			d.Allowed, d.Reason = true, ReasonMemberExists
		case StatusSuspended:
			d.Reason = ReasonMemberSuspended
		default:
			d.Reason = ReasonMemberDeprovisioned
		}
		return d, nil
	case !errcode.Is(err, errcode.NotFound):
		return SignupDecision{}, err
	}
	switch settings.SignupMode {
	case SignupOpen:
		d.Allowed, d.Reason = true, ReasonOpenSignup
	case SignupInviteOnly:
		d.Reason = ReasonInviteRequired
	default:
		verified, err := dbsqlc.New(s.db).DomainIsVerifiedByOrg(ctx, dbsqlc.DomainIsVerifiedByOrgParams{OrgID: orgID, Domain: EmailDomain(e)})
		if err != nil {
			return SignupDecision{}, err
		}
		if verified {
			d.Allowed, d.Reason = true, ReasonVerifiedDomain
		} else {
			d.Reason = ReasonDomainNotVerified
		}
	}
	return d, nil
}
