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

// Policy is an org's retention policy. Version 0 means the defaults (never set).
type Policy struct {
	HotDays       int
	RetentionDays int
	Version       int32
	UpdatedAt     *time.Time
}

// GetPolicy returns the org's policy, or the defaults.
func (s *Service) GetPolicy(ctx context.Context, orgID uuid.UUID) (Policy, error) {
	r, err := dbsqlc.New(s.db).AuditRetentionGet(ctx, orgID)
	if database.IsNoRows(err) {
		return Policy{HotDays: DefaultHotDays, RetentionDays: DefaultRetentionDays}, nil
	}
	if err != nil {
		return Policy{}, err
	}
	return policyFromRow(r), nil
}

func policyFromRow(r dbsqlc.AuditRetention) Policy {
	at := r.UpdatedAt.UTC()
	return Policy{HotDays: int(r.HotDays), RetentionDays: int(r.RetentionDays), Version: r.Version, UpdatedAt: &at}
}

// PutPolicy sets the policy (audited in the same transaction). ifVersion, when set, must be
// the current version (0 for "never set").
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
		before := Policy{HotDays: DefaultHotDays, RetentionDays: DefaultRetentionDays}
		cur, err := q.AuditRetentionGet(ctx, orgID)
		switch {
		case err == nil:
			before = policyFromRow(cur)
		case !database.IsNoRows(err):
			return err
		}
		if ifVersion != nil && *ifVersion != before.Version {
			return errcode.New(errcode.PreconditionFail, "the retention policy changed (version %d); fetch it again", before.Version)
		}
		r, err := q.AuditRetentionUpsert(ctx, dbsqlc.AuditRetentionUpsertParams{OrgID: orgID, HotDays: int32(hotDays), RetentionDays: int32(retentionDays)})
		if err != nil {
			return translate(err, "organization")
		}
		out = policyFromRow(r)
		if r.Version == before.Version {
			return nil // unchanged: nothing to audit
		}
		return Record(ctx, q, Event{OrgID: orgID, Type: "audit_retention.updated", TargetType: "audit_retention", TargetID: orgID.String(),
			Data: map[string]any{
				"before": map[string]any{"hot_days": before.HotDays, "retention_days": before.RetentionDays},
				"after":  map[string]any{"hot_days": hotDays, "retention_days": retentionDays},
			}})
	})
	return out, err
}
