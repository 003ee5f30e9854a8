// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package export

import (
	"github.com/bytechefhq/bytechef-ee/db/dbsqlc"
	"github.com/bytechefhq/bytechef-ee/internal/platform/database"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

func fromRow(r dbsqlc.DataExport) Export {
	return Export{ID: r.ID, OrgID: r.OrgID, Type: Type(r.Type), Status: Status(r.Status), From: r.RangeFrom.UTC(), To: r.RangeTo.UTC(),
		WorkspaceIDs: r.WorkspaceIds, ObjectKey: r.ObjectKey, RowsWritten: r.RowsWritten, RowsEstimated: r.RowsEstimated,
		RowCount: r.RowCount, SizeBytes: r.SizeBytes, SHA256: r.Sha256, Error: r.Error, CreatedAt: r.CreatedAt,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, FileDeletedAt: r.FileDeletedAt}
}

// translate turns Postgres errors into domain errors.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if database.IsNoRows(err) {
		return errcode.New(errcode.NotFound, "export not found")
	}
	if _, ok := database.CheckViolation(err); ok {
		return errcode.New(errcode.Validation, "the export request violates a constraint")
	}
	return err
}
