// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package identity

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/audit"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// OrgDeletionGraceDays is how long a deleted org's data stays before OrgPurgeWorkflow
// removes it: long enough to notice a mistake, short enough for a deletion promise.
const OrgDeletionGraceDays = 30

// DeletedOrg is the answer to an org deletion.
type DeletedOrg struct {
	Org        Org
	DeletedAt  time.Time
	PurgeAfter time.Time
}

// DeleteOrg soft-deletes an org. confirm must repeat the org's slug, so a script with a wrong
// id cannot delete an org by accident. The org disappears at once (its keys stop working);
// its data is removed after OrgDeletionGraceDays by the purge workflow.
func (s *Service) DeleteOrg(ctx context.Context, ref, confirm string) (DeletedOrg, error) {
	org, err := s.GetOrg(ctx, ref)
	if err != nil {
		return DeletedOrg{}, err
	}
	if confirm == "" {
		return DeletedOrg{}, errcode.Invalid("confirm", "repeat the organization's slug in ?confirm= to delete it")
	}
	if !strings.EqualFold(confirm, org.Slug) {
		return DeletedOrg{}, errcode.Invalid("confirm", "does not match the organization's slug")
	}
	var out DeletedOrg
	err = database.InTx(ctx, s.db, func(q *dbsqlc.Queries) error {
		row, err := q.OrganizationMarkDeleted(ctx, dbsqlc.OrganizationMarkDeletedParams{ID: org.ID, GraceDays: OrgDeletionGraceDays})
		if err != nil {
			return translate(err, "organization")
		}
		out = DeletedOrg{Org: orgFromRow(row), DeletedAt: *row.DeletedAt, PurgeAfter: *row.PurgeAfter}
		return audit.Record(ctx, q, audit.Event{OrgID: org.ID, Type: "organization.deleted", TargetType: "organization", TargetID: org.ID.String(),
			Data: map[string]any{"before": orgSummary(org), "purge_after": out.PurgeAfter.UTC().Format(time.RFC3339)}})
	})
	return out, err
}

// OrgsDueForPurge lists deleted orgs whose grace period ended by now (at most limit).
func (s *Service) OrgsDueForPurge(ctx context.Context, now time.Time, limit int) ([]uuid.UUID, error) {
	return dbsqlc.New(s.db).OrganizationDueForPurge(ctx, dbsqlc.OrganizationDueForPurgeParams{Now: now, Limit: int32(limit)})
}

// PurgeOrgStep deletes up to maxRows rows per table of a deleted org whose grace period has
// ended and returns how many went; 0 means nothing is left. Each step is its own short
// transaction, so purging a large org never holds long locks. Idempotent.
func (s *Service) PurgeOrgStep(ctx context.Context, orgID uuid.UUID, maxRows int) (int64, error) {
	q := dbsqlc.New(s.db)
	row, err := q.OrganizationGetDeleted(ctx, orgID)
	if err != nil {
		return 0, translate(err, "deleted organization")
	}
	if row.PurgeAfter == nil || row.PurgeAfter.After(time.Now()) {
		return 0, errcode.New(errcode.Conflict, "organization %s is still in its grace period", orgID)
	}
	if row.PurgedAt != nil {
		return 0, nil
	}
	return q.OrganizationPurgeData(ctx, dbsqlc.OrganizationPurgeDataParams{OrgID: orgID, MaxRows: int32(maxRows)})
}

// FinishPurge leaves the org as a tombstone (its slug stays reserved). Idempotent.
func (s *Service) FinishPurge(ctx context.Context, orgID uuid.UUID) error {
	_, err := dbsqlc.New(s.db).OrganizationMarkPurged(ctx, orgID)
	return err
}
