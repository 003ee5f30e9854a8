// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package orgadmin

import (
	"context"

	"github.com/google/uuid"

	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
)

// CreateMemberInTx is CreateMember inside the caller's transaction, for features (SCIM,
// directory sync) whose own rows must commit together with the member and its audit event.
func (s *Service) CreateMemberInTx(ctx context.Context, q *dbsqlc.Queries, orgID uuid.UUID, p MemberPatch) (Member, error) {
	m, err := p.apply(Member{OrgID: orgID}, true)
	if err != nil {
		return Member{}, err
	}
	m, err = insertMember(ctx, q, orgID, m, p)
	if err != nil {
		return Member{}, translate(err, "member")
	}
	return m, nil
}

// UpdateMemberInTx is UpdateMember inside the caller's transaction: the same checks, audit
// events and key revocation when the member leaves ACTIVE.
func (s *Service) UpdateMemberInTx(ctx context.Context, q *dbsqlc.Queries, orgID, id uuid.UUID, p MemberPatch) (Member, error) {
	row, err := q.MemberGetForUpdate(ctx, dbsqlc.MemberGetForUpdateParams{OrgID: orgID, ID: id})
	if err != nil {
		return Member{}, translate(err, "member")
	}
	return s.updateMember(ctx, q, row, p, nil)
}
