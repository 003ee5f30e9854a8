// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package audit

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Retention defaults and the contractual maximum (SPEC §4.2).
const (
	DefaultHotDays       = 90
	DefaultRetentionDays = 365
	MaxRetentionDays     = 2555
)

// Policy is an org's retention policy. It is stored in the org's settings
// (audit_hot_days, audit_retention_days), so /api/v1/audit-retention and /api/v1/settings show
// the same values; Version is the org's version, the ETag of both.
type Policy struct {
	HotDays       int
	RetentionDays int
	Version       int32
	UpdatedAt     time.Time
}

func (s *Service) policy(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID) (Policy, error) {
	r, err := q.AuditRetentionGet(ctx, dbsqlc.AuditRetentionGetParams{OrgID: orgID, DefaultHotDays: DefaultHotDays, DefaultRetentionDays: DefaultRetentionDays})
	if err != nil {
		return Policy{}, translate(err, "organization")
	}
	return Policy{HotDays: int(r.HotDays), RetentionDays: int(r.RetentionDays), Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// GetPolicy returns the org's policy (the defaults until one is set).
func (s *Service) GetPolicy(ctx context.Context, orgID uuid.UUID) (Policy, error) {
	var p Policy
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		var err error
		p, err = s.policy(ctx, q, orgID)
		return err
	})
	return p, err
}

// PutPolicy sets the policy, audited in the same transaction. ifVersion, when set, must be the
// org's current version. Setting the same values again changes nothing and audits nothing.
func (s *Service) PutPolicy(ctx context.Context, orgID uuid.UUID, hotDays, retentionDays int, ifVersion *int32) (Policy, error) {
	var f errcode.Fields
	if hotDays < 1 || hotDays > MaxRetentionDays {
		f.Add("hot_days", "must be from 1 to %d", MaxRetentionDays)
	}
	if retentionDays < 1 || retentionDays > MaxRetentionDays {
		f.Add("retention_days", "must be from 1 to %d", MaxRetentionDays)
	} else if hotDays > retentionDays {
		f.Add("retention_days", "must be at least hot_days")
	}
	if err := f.Err(); err != nil {
		return Policy{}, err
	}
	var out Policy
	err := database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		before, err := s.policy(ctx, q, orgID) // locks the org row
		if err != nil {
			return err
		}
		if ifVersion != nil && *ifVersion != before.Version {
			return errcode.New(errcode.PreconditionFail, "the organization changed (version %d); fetch the policy again", before.Version)
		}
		if before.HotDays == hotDays && before.RetentionDays == retentionDays {
			out = before
			return nil
		}
		r, err := q.AuditRetentionUpdate(ctx, dbsqlc.AuditRetentionUpdateParams{OrgID: orgID, HotDays: int32(hotDays), RetentionDays: int32(retentionDays)})
		if err != nil {
			return translate(err, "organization")
		}
		out = Policy{HotDays: hotDays, RetentionDays: retentionDays, Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}
		return Record(ctx, q, Event{OrgID: orgID, Type: "audit_retention.updated", TargetType: "audit_retention", TargetID: orgID.String(),
			Data: map[string]any{
				"before": map[string]any{"hot_days": before.HotDays, "retention_days": before.RetentionDays},
				"after":  map[string]any{"hot_days": hotDays, "retention_days": retentionDays},
			}})
	})
	return out, err
}
