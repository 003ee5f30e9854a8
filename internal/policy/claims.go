// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package policy

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Claim is an org's claim on a provider workspace (SPEC §5.2): while enabled, connections to
// that workspace from other orgs are refused.
type Claim struct {
	ID                  uuid.UUID
	OrgID               uuid.UUID
	Provider            string
	ExternalWorkspaceID string
	DisplayName         string
	Enabled             bool
	Version             int32
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// ClaimInput creates a claim; nil fields of an update are unchanged.
type ClaimInput struct {
	Provider            string
	ExternalWorkspaceID string
	DisplayName         *string
	Enabled             *bool
	IfVersion           *int32
}

func claimSummary(c Claim) map[string]any {
	return map[string]any{"provider": c.Provider, "external_workspace_id": c.ExternalWorkspaceID, "display_name": c.DisplayName, "enabled": c.Enabled}
}

// takeClaim checks that (provider, workspace) is free for org. A claim held by a deleted
// org is released (and audited in that org) on the way.
func (s *Service) takeClaim(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, provider, ws string) error {
	h, err := q.AppClaimHolder(ctx, dbsqlc.AppClaimHolderParams{Provider: provider, ExternalWorkspaceID: ws})
	if database.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if h.OrgDeleted {
		return s.releaseClaims(ctx, q, h.OrgID)
	}
	if h.OrgID == orgID {
		return errcode.New(errcode.Conflict, "this organization already holds an enabled claim on this provider workspace")
	}
	return errcode.New(errcode.Conflict, "this provider workspace is claimed by another organization")
}

// releaseClaims disables every claim of a deleted org, one audit event each.
func (s *Service) releaseClaims(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID) error {
	rows, err := q.AppClaimRelease(ctx, orgID)
	if err != nil {
		return err
	}
	sys := audit.WithMeta(ctx, audit.Meta{ActorType: audit.ActorSystem, ActorLabel: "system", CorrelationID: audit.MetaFrom(ctx).CorrelationID})
	for _, r := range rows {
		c := claimFromRow(r)
		if err := audit.Record(sys, q, audit.Event{OrgID: orgID, Type: "app_claim.released", TargetType: "app_claim",
			TargetID: c.ID.String(), Data: map[string]any{"after": claimSummary(c), "reason": "organization deleted"}}); err != nil {
			return err
		}
	}
	return nil
}

// ReleaseClaimsOfOrg releases a deleted org's claims inside the caller's transaction (for
// the org deletion path; claims of deleted orgs are also released lazily when contested).
func (s *Service) ReleaseClaimsOfOrg(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID) error {
	return s.releaseClaims(ctx, q, orgID)
}

func validateClaim(f *errcode.Fields, provider, ws string, display *string) {
	validText(f, "provider", provider, maxIDLen, true)
	validText(f, "external_workspace_id", ws, maxIDLen, true)
	if display != nil {
		validText(f, "display_name", *display, maxNameLen, false)
	}
}

// CreateClaim claims a provider workspace for the org: 409 when another org holds it.
func (s *Service) CreateClaim(ctx context.Context, orgID uuid.UUID, in ClaimInput) (Claim, error) {
	var f errcode.Fields
	in.Provider, in.ExternalWorkspaceID = strings.TrimSpace(in.Provider), strings.TrimSpace(in.ExternalWorkspaceID)
	validateClaim(&f, in.Provider, in.ExternalWorkspaceID, in.DisplayName)
	if err := f.Err(); err != nil {
		return Claim{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	display := ""
	if in.DisplayName != nil {
		display = strings.TrimSpace(*in.DisplayName)
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Claim{}, err
	}
	var out Claim
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		if enabled {
			if err := s.takeClaim(ctx, q, orgID, in.Provider, in.ExternalWorkspaceID); err != nil {
				return err
			}
		}
		row, err := q.AppClaimInsert(ctx, dbsqlc.AppClaimInsertParams{ID: id, OrgID: orgID, Provider: in.Provider,
			ExternalWorkspaceID: in.ExternalWorkspaceID, DisplayName: display, Enabled: enabled})
		if err != nil {
			return translate(err, "app claim")
		}
		out = claimFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_claim.created", TargetType: "app_claim",
			TargetID: out.ID.String(), Data: map[string]any{"after": claimSummary(out)}})
	})
	return out, err
}

// GetClaim returns one claim of the org.
func (s *Service) GetClaim(ctx context.Context, orgID, id uuid.UUID) (Claim, error) {
	row, err := dbsqlc.New(s.db).AppClaimGet(ctx, dbsqlc.AppClaimGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return Claim{}, translate(err, "app claim")
	}
	return claimFromRow(row), nil
}

// ListClaims lists the org's claims after the given id.
func (s *Service) ListClaims(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]Claim, error) {
	rows, err := dbsqlc.New(s.db).AppClaimList(ctx, dbsqlc.AppClaimListParams{OrgID: orgID, AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, translate(err, "app claim")
	}
	out := make([]Claim, len(rows))
	for i, r := range rows {
		out[i] = claimFromRow(r)
	}
	return out, nil
}

// UpdateClaim renames (label only) or enables/disables a claim. Provider and workspace are
// the claim's identity: a different value is refused.
func (s *Service) UpdateClaim(ctx context.Context, orgID, id uuid.UUID, in ClaimInput) (Claim, error) {
	var f errcode.Fields
	if in.DisplayName != nil {
		validText(&f, "display_name", *in.DisplayName, maxNameLen, false)
	}
	if err := f.Err(); err != nil {
		return Claim{}, err
	}
	var out Claim
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.AppClaimGetForUpdate(ctx, dbsqlc.AppClaimGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "app claim")
		}
		before := claimFromRow(row)
		if in.IfVersion != nil && *in.IfVersion != before.Version {
			return errcode.New(errcode.PreconditionFail, "the app claim changed since it was read (version %d, If-Match %d)", before.Version, *in.IfVersion)
		}
		if in.Provider != "" && !strings.EqualFold(strings.TrimSpace(in.Provider), before.Provider) {
			return errcode.Invalid("provider", "cannot change; delete the claim and create another")
		}
		if in.ExternalWorkspaceID != "" && strings.TrimSpace(in.ExternalWorkspaceID) != before.ExternalWorkspaceID {
			return errcode.Invalid("external_workspace_id", "cannot change; delete the claim and create another")
		}
		display, enabled := before.DisplayName, before.Enabled
		if in.DisplayName != nil {
			display = strings.TrimSpace(*in.DisplayName)
		}
		if in.Enabled != nil {
			enabled = *in.Enabled
		}
		if display == before.DisplayName && enabled == before.Enabled {
			out = before
			return nil
		}
		if enabled && !before.Enabled {
			if err := s.takeClaim(ctx, q, orgID, before.Provider, before.ExternalWorkspaceID); err != nil {
				return err
			}
		}
		row, err = q.AppClaimUpdate(ctx, dbsqlc.AppClaimUpdateParams{OrgID: orgID, ID: id, DisplayName: display, Enabled: enabled})
		if err != nil {
			return translate(err, "app claim")
		}
		out = claimFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_claim.updated", TargetType: "app_claim",
			TargetID: id.String(), Data: map[string]any{"before": claimSummary(before), "after": claimSummary(out)}})
	})
	return out, err
}

// DeleteClaim releases a claim.
func (s *Service) DeleteClaim(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.AppClaimGetForUpdate(ctx, dbsqlc.AppClaimGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "app claim")
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the app claim changed since it was read (version %d, If-Match %d)", row.Version, *ifVersion)
		}
		if _, err := q.AppClaimDelete(ctx, dbsqlc.AppClaimDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "app claim")
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "app_claim.deleted", TargetType: "app_claim",
			TargetID: id.String(), Data: map[string]any{"before": claimSummary(claimFromRow(row))}})
	})
}

// DomainRestriction limits which email domains may connect a provider (SPEC §5.3).
type DomainRestriction struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	Provider  string
	Domains   []string
	Version   int32
	CreatedAt time.Time
	UpdatedAt time.Time
}

var domainRe = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

const maxDomains = 100

func normalizeDomains(f *errcode.Fields, in []string) []string {
	if len(in) == 0 {
		f.Add("domains", "at least one domain is required")
		return nil
	}
	if len(in) > maxDomains {
		f.Add("domains", "must have at most %d entries", maxDomains)
		return nil
	}
	out := make([]string, 0, len(in))
	for i, d := range in {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if len(d) > 253 || !domainRe.MatchString(d) {
			f.Add(fmt.Sprintf("domains[%d]", i), "must be a domain name such as example.com")
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

func restrictionSummary(r DomainRestriction) map[string]any {
	return map[string]any{"provider": r.Provider, "domains": r.Domains}
}

// RestrictionInput creates or replaces a domain restriction.
type RestrictionInput struct {
	Provider  string
	Domains   []string
	IfVersion *int32
}

// CreateRestriction adds the provider's restriction: 409 if it already has one.
func (s *Service) CreateRestriction(ctx context.Context, orgID uuid.UUID, in RestrictionInput) (DomainRestriction, error) {
	var f errcode.Fields
	in.Provider = strings.TrimSpace(in.Provider)
	validText(&f, "provider", in.Provider, maxIDLen, true)
	domains := normalizeDomains(&f, in.Domains)
	if err := f.Err(); err != nil {
		return DomainRestriction{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return DomainRestriction{}, err
	}
	var out DomainRestriction
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DomainRestrictionInsert(ctx, dbsqlc.DomainRestrictionInsertParams{ID: id, OrgID: orgID, Provider: in.Provider, Domains: domains})
		if err != nil {
			return translate(err, "domain restriction")
		}
		out = restrictionFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain_restriction.created", TargetType: "domain_restriction",
			TargetID: out.ID.String(), Data: map[string]any{"after": restrictionSummary(out)}})
	})
	return out, err
}

// GetRestriction returns one restriction of the org.
func (s *Service) GetRestriction(ctx context.Context, orgID, id uuid.UUID) (DomainRestriction, error) {
	row, err := dbsqlc.New(s.db).DomainRestrictionGet(ctx, dbsqlc.DomainRestrictionGetParams{OrgID: orgID, ID: id})
	if err != nil {
		return DomainRestriction{}, translate(err, "domain restriction")
	}
	return restrictionFromRow(row), nil
}

// ListRestrictions lists the org's restrictions after the given id.
func (s *Service) ListRestrictions(ctx context.Context, orgID uuid.UUID, after *uuid.UUID, limit int) ([]DomainRestriction, error) {
	rows, err := dbsqlc.New(s.db).DomainRestrictionList(ctx, dbsqlc.DomainRestrictionListParams{OrgID: orgID, AfterID: after, Limit: int32(limit)})
	if err != nil {
		return nil, translate(err, "domain restriction")
	}
	out := make([]DomainRestriction, len(rows))
	for i, r := range rows {
		out[i] = restrictionFromRow(r)
	}
	return out, nil
}

// UpdateRestriction replaces a restriction's provider and domains.
func (s *Service) UpdateRestriction(ctx context.Context, orgID, id uuid.UUID, in RestrictionInput) (DomainRestriction, error) {
	var f errcode.Fields
	in.Provider = strings.TrimSpace(in.Provider)
	validText(&f, "provider", in.Provider, maxIDLen, true)
	domains := normalizeDomains(&f, in.Domains)
	if err := f.Err(); err != nil {
		return DomainRestriction{}, err
	}
	var out DomainRestriction
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DomainRestrictionGetForUpdate(ctx, dbsqlc.DomainRestrictionGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "domain restriction")
		}
		before := restrictionFromRow(row)
		if in.IfVersion != nil && *in.IfVersion != before.Version {
			return errcode.New(errcode.PreconditionFail, "the domain restriction changed since it was read (version %d, If-Match %d)", before.Version, *in.IfVersion)
		}
		if before.Provider == in.Provider && slices.Equal(before.Domains, domains) {
			out = before
			return nil
		}
		row, err = q.DomainRestrictionUpdate(ctx, dbsqlc.DomainRestrictionUpdateParams{OrgID: orgID, ID: id, Provider: in.Provider, Domains: domains})
		if err != nil {
			return translate(err, "domain restriction")
		}
		out = restrictionFromRow(row)
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain_restriction.updated", TargetType: "domain_restriction",
			TargetID: id.String(), Data: map[string]any{"before": restrictionSummary(before), "after": restrictionSummary(out)}})
	})
	return out, err
}

// DeleteRestriction removes a restriction.
func (s *Service) DeleteRestriction(ctx context.Context, orgID, id uuid.UUID, ifVersion *int32) error {
	return database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.DomainRestrictionGetForUpdate(ctx, dbsqlc.DomainRestrictionGetForUpdateParams{OrgID: orgID, ID: id})
		if err != nil {
			return translate(err, "domain restriction")
		}
		if ifVersion != nil && *ifVersion != row.Version {
			return errcode.New(errcode.PreconditionFail, "the domain restriction changed since it was read (version %d, If-Match %d)", row.Version, *ifVersion)
		}
		if _, err := q.DomainRestrictionDelete(ctx, dbsqlc.DomainRestrictionDeleteParams{OrgID: orgID, ID: id}); err != nil {
			return translate(err, "domain restriction")
		}
		return audit.Record(ctx, q, audit.Event{OrgID: orgID, Type: "domain_restriction.deleted", TargetType: "domain_restriction",
			TargetID: id.String(), Data: map[string]any{"before": restrictionSummary(restrictionFromRow(row))}})
	})
}
